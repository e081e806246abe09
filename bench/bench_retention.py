"""Purge time: the nightly retention run on a warehouse of N punches spread over 5.5 years.

Run on demand: ``.venv/bin/python bench/bench_retention.py [--rows 5000000]``.

The purge's cost is dominated by rebuilding the warehouse into a fresh file (the only way found
to leave no readable copy of deleted strings in DuckDB 2.0), which is linear in the size of the
whole warehouse, not in what is deleted. The bench writes ``raw.punches`` directly in DuckDB
(as many rows as asked; the city has ~70,000 staff, about 192 M punches in 5.5 years), builds the
retention models with dbt, then times: the first purge (half a year past five years, with the
share guard overridden) and a steady-state night (one more day due). It prints seconds, rows
per second of the rebuild and the linear estimate at city scale, with the ratio to the issue's
measurement (300,000 rows rebuilt in 0.2 s = 1.5 M rows/s).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

CITY_ROWS = 192_000_000
BASELINE_ROWS_PER_S = 300_000 / 0.2
AS_OF = date(2026, 11, 2)


def load_punches(con, rows: int) -> None:
    """``rows`` punches 5.5 years back from AS_OF, spread evenly; 300 agencies; strings like the real exports;
    one delivered file per agency and month (its hash), as the agencies deliver."""
    con.execute(f"""
        INSERT INTO raw.punches BY NAME
        SELECT * REPLACE (sha256(agency_code || strftime(punched_at, '%Y-%m')) AS _file_sha256) FROM (
        SELECT '379' || lpad(CAST(i % 300 AS VARCHAR), 6, '0') || 'A' AS agency_code,
               'E' || lpad(CAST(i % 70000 AS VARCHAR), 7, '0') AS employee_no,
               TIMESTAMP '{AS_OF}' - to_seconds(CAST((i * 7919) % CAST(5.5 * 365.25 * 86400 AS BIGINT) AS BIGINT))
                   AS punched_at,
               'D' || lpad(CAST(i % 2000 AS VARCHAR), 6, '0') AS device_id,
               'fingerprint' AS method,
               'bench' AS _file_sha256, CAST(i % 1000000 AS INTEGER) AS _line_no,
               now()::TIMESTAMP AS _loaded_at
        FROM range({rows}) t(i))""")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--home", type=Path, default=None)
    args = ap.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="pdgov-bench-retention-")) / "home"
    os.environ["PDGOV_HOME"] = str(home)
    os.environ.setdefault("PDGOV_HMAC_KEY", "bench-key-not-secret-0123456789abcdef")

    from pdgov.config import paths
    from pdgov.ingest.raw_schema import ensure_raw_tables
    from pdgov.retention.purge import enforce
    from pdgov.transform import dbt
    from pdgov.warehouse import connect, release_inprocess_dbt

    paths().ensure()
    t0 = time.monotonic()
    with connect() as con:
        ensure_raw_tables(con)
        load_punches(con, args.rows)
    load_s = time.monotonic() - t0
    size_mb = (home / "warehouse" / "pdgov.duckdb").stat().st_size / 1e6

    def build(d: date) -> None:
        dbt.run(["build", "--vars", dbt.dbt_vars(d, "bench"), "--select", "+deletion_deadlines", "--quiet"])
        release_inprocess_dbt()

    build(AS_OF)
    # deletion waits for approval (seed 002 §21): the night proposes, the bench approves every batch
    from pdgov.retention import approvals
    from pdgov.retention.purge import finish

    finish("bench_propose", AS_OF)
    with connect() as con:
        approvals.approve(con, None, "bench", "BENCH-1")
    t0, c0 = time.monotonic(), time.process_time()
    first = enforce("bench_first", AS_OF, override=True)
    first_s, first_cpu = time.monotonic() - t0, time.process_time() - c0
    night = date.fromordinal(AS_OF.toordinal() + 1)
    build(night)
    with connect() as con:  # the rows that fell due tonight are in an approved month already
        if approvals.pending(con):
            approvals.approve(con, None, "bench", "BENCH-2")
    t0, c0 = time.monotonic(), time.process_time()
    nightly = enforce("bench_night", night)
    night_s, night_cpu = time.monotonic() - t0, time.process_time() - c0

    for name, r in (("first", first), ("night", nightly)):
        print(f"{name} purge phases: " + ", ".join(f"{k.removesuffix('_seconds')} {r.get(k, 0):.2f}s" for k in
                                             ("plan_seconds", "delete_seconds", "files_seconds", "rebuild_seconds")))
    rate = args.rows / nightly["rebuild_seconds"] if nightly.get("rebuild_seconds") else float("nan")
    print(f"warehouse: {args.rows:,} punches ({size_mb:.0f} MB) written in {load_s:.1f}s under {home}")
    print(f"first purge : {first['rows_to_delete']:>10,} rows deleted in {first_s:7.2f}s "
          f"(rebuild {first['rebuild_seconds']:.2f}s; {first_cpu:.1f}s CPU)")
    print(f"night purge : {nightly['rows_to_delete']:>10,} rows deleted in {night_s:7.2f}s "
          f"(rebuild {nightly.get('rebuild_seconds', 0):.2f}s; {night_cpu:.1f}s CPU)")
    print(f"rebuild rate: {rate:,.0f} rows/s; ratio to the issue's 1.5 M rows/s: {rate / BASELINE_ROWS_PER_S:.2f}")
    print(f"city estimate ({CITY_ROWS:,} punches): night purge ≈ {night_s * CITY_ROWS / args.rows / 60:.1f} min wall, "
          f"{night_cpu * CITY_ROWS / args.rows / 60:.1f} min CPU (linear in warehouse size)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
