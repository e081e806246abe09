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
t0 = time.perf_counter()
rows = 0
if mode == "duckdb":
    import duckdb
    con = duckdb.connect(str(home / "b.duckdb"))
    con.execute("CREATE TABLE p AS SELECT * FROM read_csv(?, header=true, all_varchar=true)", [csv_path])
    rows = con.execute("SELECT count(*) FROM p").fetchone()[0]
elif mode == "pandas":
    import duckdb, pandas as pd, pandera.pandas as pa
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
else:
    os.environ["PDGOV_HOME"] = str(home)
    os.environ.setdefault("PDGOV_HMAC_KEY", "bench-key-0123456789abcdef0123456789")
    from datetime import date
    from pdgov.config import paths
    from pdgov.ingest.run import ingest_source
    p = paths().ensure()
    dest = p.landing_for("punches") / Path(csv_path).name
    os.link(csv_path, dest) if os.stat(csv_path).st_dev == os.stat(p.landing).st_dev else __import__("shutil").copy(csv_path, dest)
    t0 = time.perf_counter()
    r = ingest_source("punches", "bench", date.today())
    rows = r["rows_in"]
    assert r["files"] == 1, r
dt = time.perf_counter() - t0
print(json.dumps({"rows": rows, "seconds": dt, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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
            for k, v in res.items():
                rate = v["rows"] / v["seconds"]
                print(f"{k:16s} {rate / 1e6:6.2f} M rows/s  {v['seconds']:7.2f} s  peak RSS {v['peak_rss_mb']:7.0f} MB"
                      f"  ratio to DuckDB limit {rate / base:5.2f}")
            if "pandas+pandera" in res:
                pd_rate = res["pandas+pandera"]["rows"] / res["pandas+pandera"]["seconds"]
                pg_rate = res["pdgov"]["rows"] / res["pdgov"]["seconds"]
                print(f"pdgov / pandas path: {pg_rate / pd_rate:.2f}x (target ≥ 4x); pdgov / DuckDB: "
                      f"{pg_rate / base:.2f} (target ≥ 0.6)")
            if n == min(args.rows):
                b5 = work / f"punches_{n}_big5.csv"
                with open(f, encoding="utf-8") as src, open(b5, "w", encoding="cp950") as dst:
                    shutil.copyfileobj(src, dst, 1 << 22)
                r = measure("pdgov", b5)
                print(f"pdgov Big5 file  {r['rows'] / r['seconds'] / 1e6:6.2f} M rows/s  {r['seconds']:7.2f} s  "
                      f"peak RSS {r['peak_rss_mb']:7.0f} MB")
            os.unlink(f)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
