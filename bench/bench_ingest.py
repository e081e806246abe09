"""Ingest benchmark: pdgov's full punch ingest against two baselines on the same generated file.

Baselines, measured in the same run:
  * DuckDB's own ``read_csv`` into a table (the practical limit);
  * the usual approach: pandas ``read_csv`` in chunks → pandera (pandas backend) → insert into DuckDB.
pdgov: contracts (row checks + pandera-on-Ibis gate), hashing, ledger, archive — ``ingest_source``.
Each measurement runs in a fresh subprocess so peak RSS is its own.

    .venv/bin/python bench/bench_ingest.py --rows 1000000 10000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
mode, csv_path, home = sys.argv[1], sys.argv[2], Path(sys.argv[3])
def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime
rows = 0
# Every clock starts after its imports (pdgov's too, below): the figures compare loading, not start-up.
if mode == "duckdb":
    import duckdb
    t0, cpu0 = time.perf_counter(), cpu()
    con = duckdb.connect(str(home / "b.duckdb"))
    con.execute("CREATE TABLE p AS SELECT * FROM read_csv(?, header=true, all_varchar=true)", [csv_path])
    rows = con.execute("SELECT count(*) FROM p").fetchone()[0]
    con.close()  # the checkpoint that makes the table durable counts, as it does for pdgov
elif mode == "pandas":
    import duckdb, pandas as pd, pandera.pandas as pa
    t0, cpu0 = time.perf_counter(), cpu()
    schema = pa.DataFrameSchema({
        "機關代碼": pa.Column(str, pa.Check.str_matches(r"^[0-9]{9}[A-Z]$")),
        "員工編號": pa.Column(str),
        "打卡時間": pa.Column("datetime64[ns]"),
        "設備編號": pa.Column(str, nullable=True),
        "辨識方式": pa.Column(str, pa.Check.isin(["指紋","臉部","指靜脈","掌形","卡片","行動打卡","WebITR"])),
    })
    con = duckdb.connect(str(home / "b.duckdb"))
    con.execute("CREATE TABLE p (a VARCHAR, e VARCHAR, t TIMESTAMP, d VARCHAR, m VARCHAR)")
    for chunk in pd.read_csv(csv_path, chunksize=500_000, dtype=str, keep_default_na=False):
        chunk["打卡時間"] = pd.to_datetime(chunk["打卡時間"], format="%Y-%m-%d %H:%M:%S")
        schema.validate(chunk, lazy=True)
        con.register("c", chunk)
        con.execute("INSERT INTO p SELECT * FROM c")
        con.unregister("c")
        rows += len(chunk)
    con.close()
else:
    os.environ["PDGOV_HOME"] = str(home)
    os.environ.setdefault("PDGOV_HMAC_KEY", "bench-key-0123456789abcdef0123456789")
    os.environ.setdefault("PDGOV_DUCKDB_MEMORY_LIMIT", "1GB")  # what bounds peak memory, whatever the file size
    from pdgov import clock
    from pdgov.config import paths
    from pdgov.ingest.run import ingest_source
    p = paths().ensure()
    dest = p.landing_for("punches") / Path(csv_path).name
    os.link(csv_path, dest) if os.stat(csv_path).st_dev == os.stat(p.landing).st_dev else __import__("shutil").copy(csv_path, dest)
    t0, cpu0 = time.perf_counter(), cpu()
    r = ingest_source("punches", "bench", clock.today())
    rows = r["rows_in"]
    assert r["files"] == 1, r
dt = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": rows, "seconds": dt, "cpu_seconds": ru.ru_utime + ru.ru_stime - cpu0,
                  "peak_rss_mb": ru.ru_maxrss / 1024}))
"""


def measure(mode: str, csv_path: Path) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"bench-{mode}-"))
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, mode, str(csv_path), str(home)], capture_output=True,
                             text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--skip-pandas-over", type=int, default=20_000_000)
    args = ap.parse_args()
    from pdgov.synth import punch_csv

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        for n in args.rows:
            f = work / f"punches_{n}.csv"
            t0 = time.perf_counter()
            punch_csv(f, n)
            print(f"\n== {n:,} rows, {f.stat().st_size / 1e6:,.0f} MB (generated in {time.perf_counter() - t0:.1f}s)")
            res = {"duckdb": measure("duckdb", f)}
            if n <= args.skip_pandas_over:
                res["pandas+pandera"] = measure("pandas", f)
            res["pdgov"] = measure("pdgov", f)
            base = res["duckdb"]["rows"] / res["duckdb"]["seconds"]
            cpu_base = res["duckdb"]["rows"] / res["duckdb"]["cpu_seconds"]
            for k, v in res.items():
                rate, cpu_rate = v["rows"] / v["seconds"], v["rows"] / v["cpu_seconds"]
                print(f"{k:16s} {rate / 1e6:6.2f} M rows/s  {v['seconds']:7.2f} s wall  {v['cpu_seconds']:7.2f} s CPU"
                      f"  peak RSS {v['peak_rss_mb']:7.0f} MB  ratio to DuckDB limit {rate / base:5.2f} "
                      f"(CPU {cpu_rate / cpu_base:5.2f})")
            if "pandas+pandera" in res:
                pd, pg = res["pandas+pandera"], res["pdgov"]
                print(f"pdgov / pandas path: {pd['seconds'] / pg['seconds']:.2f}x wall, "
                      f"{pd['cpu_seconds'] / pg['cpu_seconds']:.2f}x CPU (target ≥ 4x); pdgov / DuckDB: "
                      f"{res['duckdb']['seconds'] / pg['seconds']:.2f} wall, "
                      f"{res['duckdb']['cpu_seconds'] / pg['cpu_seconds']:.2f} CPU (target ≥ 0.6)")
                # What the 4x target asks, in this run's terms: 4x the pandas path as a multiple of
                # DuckDB loading the same file with no check at all.
                bare = pd["seconds"] / res["duckdb"]["seconds"]
                bare_cpu = pd["cpu_seconds"] / res["duckdb"]["cpu_seconds"]
                print(f"DuckDB's bare load / pandas path: {bare:.2f}x wall ({bare_cpu:.2f}x CPU), so 4x the pandas "
                      f"path is {4 / bare:.2f}x DuckDB's own no-check load ({4 / bare_cpu:.2f}x in CPU)")
            print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
                  "(wall ratios are only meaningful on a quiet machine; CPU ratios compare the work done)")
            if n == min(args.rows):
                # Big5 as agencies export it: CP950 bytes and mostly ROC dates (the slower date path).
                b5 = work / f"punches_{n}_big5.csv"
                punch_csv(b5, n, encoding="cp950")
                r = measure("pdgov", b5)
                os.unlink(b5)
                print(f"pdgov Big5 file  {r['rows'] / r['seconds'] / 1e6:6.2f} M rows/s  {r['seconds']:7.2f} s wall  "
                      f"{r['cpu_seconds']:7.2f} s CPU  peak RSS {r['peak_rss_mb']:7.0f} MB")
            os.unlink(f)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
