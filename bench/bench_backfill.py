"""Backfill twice, compare: N consecutive nights run in order, then the same N nights again.

A steward's backfill must be idempotent (issue 8): the warehouse after the second pass must equal
the warehouse after the first, table by table (``pdgov.deploy.fingerprint``: row counts and
order-independent row hashes, run ids and load times left out). Each night is a real
``pdgov run --date D`` (``airflow dags test`` on the embedded default), oldest first, as
``max_active_runs=1`` orders a backfill on the deployment. Prints each night's wall time and the
differing tables; exits 1 when the passes differ.

    .venv/bin/python bench/bench_backfill.py --days 14      # two weeks, twice (35 min here: 0 of 35 tables differ)
    .venv/bin/python bench/bench_backfill.py --days 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BIN = Path(sys.executable).parent
KEY = "pdgov-bench-key-not-for-production-0123456789abcdef"


def pdgov(home: Path, *args: str) -> float:
    env = dict(os.environ, PDGOV_HOME=str(home), PDGOV_HMAC_KEY=KEY, PDGOV_SECRETS_DIR=str(home.parent / "secrets"))
    t0 = time.perf_counter()
    proc = subprocess.run([str(BIN / "pdgov"), *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"pdgov {' '.join(args)} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--first", type=date.fromisoformat, default=date(2026, 11, 2))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from pdgov.deploy.fingerprint import diff, fingerprint

    home = Path(tempfile.mkdtemp(prefix="bench-backfill-")) / "pdgov_home"
    nights = [args.first + timedelta(days=i) for i in range(args.days)]
    wall = pdgov(home, "synth", "--scale", "demo", "--seed", str(args.seed),
                 "--end", (args.first - timedelta(days=1)).isoformat())
    print(f"synth demo data in {wall:.0f} s; PDGOV_HOME={home}")
    prints = []
    for n in (1, 2):
        times = []
        for night in nights:
            times.append(pdgov(home, "run", "--date", night.isoformat()))
            print(f"pass {n} night {night}: {times[-1]:6.1f} s", flush=True)
        prints.append(fingerprint(home / "warehouse" / "pdgov.duckdb"))
        print(f"pass {n}: {len(nights)} nights in {sum(times):.0f} s (mean {sum(times) / len(times):.0f} s)")
    differ = diff(*prints)
    print(f"tables compared: {len(prints[0])}; differing: {len(differ)}")
    for table, (a, b) in differ.items():
        print(f"  {table}: pass 1 {a} pass 2 {b}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
