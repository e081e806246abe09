"""What recording governance history costs a night, at city size (issue 22: the night stays < 2 min).

Builds a warehouse with the governance marts at the city's five-year sizes (by default 300 agencies:
540,000 audit-sample rows, 90,000 deletion periods, 2,000 devices, 1,500 register rows, 2,700
source files), records night 1 (everything is new), changes 1 % of the samples and 50 devices,
records night 2 (only changes), and records night 2 again (a re-run). Prints wall and CPU seconds (all
threads; on a shared machine the CPU time is the fairer number) and rows per night; ``--agencies`` scales it.

    .venv/bin/python bench/bench_history.py [--agencies 300]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb


def build(db: Path, agencies: int) -> None:
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE city_agencies AS SELECT printf('379%06dA', i) AS agency_code, "
                f"'機關' || i AS agency_name FROM range({agencies}) t(i)")
    con.execute(f"""CREATE TABLE webir_audit_samples AS SELECT printf('379%06dA', i % {agencies}) AS agency_code,
        DATE '2021-11-01' + INTERVAL (i % 60) MONTH AS audit_month, md5(i::VARCHAR) AS query_key,
        CASE WHEN i % 7 = 0 THEN 'flagged' ELSE 'random' END AS sample_kind, NULL::VARCHAR AS flags,
        'seed' AS sample_seed, i AS draw_order, 400 AS queries_in_month, 'u' || (i % 5000) AS account,
        TIMESTAMP '2021-11-01 08:00' + INTERVAL (i) MINUTE AS queried_at, 'A12****789' AS subject_masked,
        'C' || i AS case_no, '加保查核' AS reason FROM range({agencies * 1800}) t(i)""")
    con.execute(f"""CREATE TABLE deletion_deadlines AS SELECT md5(i::VARCHAR) AS deadline_key, 'punches' AS dataset,
        printf('379%06dA', i % {agencies}) AS agency_code, DATE '2021-01-01' + INTERVAL (i % 60) MONTH AS period_start,
        'PUNCH_5Y' AS rule_id, 'retained' AS status, i AS rows_remaining, DATE '2026-11-02' AS as_of_date
        FROM range({agencies * 300}) t(i)""")
    con.execute(f"""CREATE TABLE device_compliance AS SELECT printf('D%05d', i) AS device_id,
        printf('379%06dA', i % {agencies}) AS agency_code, 'M' || (i % 40) AS model, 'B' AS brand,
        'approved' AS status, '' AS reasons FROM range(2000) t(i)""")
    con.execute(f"""CREATE TABLE personal_data_file_register AS SELECT printf('379%06dA', i % {agencies}) AS agency_code,
        'ds' || (i // {agencies}) AS dataset, i AS record_count, repeat('說明', 40) AS risk_basis
        FROM range({agencies * 5}) t(i)""")
    con.execute("""CREATE TABLE ingest_files AS SELECT 'punches' AS source, 'f' || i || '.csv' AS file_name,
        md5(i::VARCHAR) AS file_sha256, 1000 AS rows_in, 'loaded' AS status FROM range(2700) t(i)""")
    con.execute("CREATE TABLE run_ledger (run_id VARCHAR, triggered_by VARCHAR, data_interval_start TIMESTAMP, "
                "data_interval_end TIMESTAMP, started_at TIMESTAMP)")
    con.execute("INSERT INTO run_ledger VALUES ('n1', 'scheduler', NULL, NULL, NULL), ('n2', 'scheduler', NULL, NULL, NULL)")
    con.close()


def change(db: Path) -> None:
    con = duckdb.connect(str(db))
    con.execute("UPDATE webir_audit_samples SET reason = '補正' WHERE draw_order % 100 = 0")
    con.execute("UPDATE device_compliance SET status = 'prohibited' WHERE device_id < 'D00050'")
    con.execute("UPDATE personal_data_file_register SET record_count = record_count + 1")
    con.execute("UPDATE deletion_deadlines SET as_of_date = DATE '2026-11-03'")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PDGOV_HOME"] = tmp
        from pdgov.config import paths
        from pdgov.history.store import history_path, record

        paths().ensure()
        build(paths().warehouse, args.agencies)
        for label, run, night, before in (("night 1 (all new)", "n1", date(2026, 11, 2), None),
                                          ("night 2 (1 % changed)", "n2", date(2026, 11, 3), change),
                                          ("night 2 again (re-run)", "n2", date(2026, 11, 3), None)):
            if before:
                before(paths().warehouse)
            t0, c0 = time.perf_counter(), time.process_time()
            counts = record(run, night)
            took, cpu = time.perf_counter() - t0, time.process_time() - c0
            new = sum(v.get("new", 0) for v in counts.values() if isinstance(v, dict))
            gone = sum(v.get("gone", 0) for v in counts.values() if isinstance(v, dict))
            print(f"{label:26s} {took:6.2f} s wall {cpu:6.2f} s CPU   new versions {new:>8,}   closed {gone:>8,}   "
                  f"history file {history_path().stat().st_size / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
