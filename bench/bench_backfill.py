"""Backfill twice, compare: N consecutive nights run in order, then the same N nights again.

A steward's backfill must be idempotent (issue 8): the warehouse after the second pass must equal
the warehouse after the first, table by table (``pdgov.deploy.fingerprint``: row counts and
order-independent row hashes, run ids and load times left out). Each night is a real
``pdgov run --date D`` (``airflow dags test`` on the embedded default), oldest first, as
``max_active_runs=1`` orders a backfill on the deployment, believed only when the run ledger
shows that very run succeeding (``night``), never on an exit code alone. Prints each night's wall time and the
differing tables; exits 1 when the passes differ.

    .venv/bin/python bench/bench_backfill.py --days 14      # two weeks, twice (35 min here: 0 of 35 tables differ)
    .venv/bin/python bench/bench_backfill.py --days 3
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BIN = Path(sys.executable).parent
TAIPEI = ZoneInfo("Asia/Taipei")  # the ledger's times are Asia/Taipei wall-clock
KEY = "pdgov-bench-key-not-for-production-0123456789abcdef"


def pdgov(home: Path, *args: str) -> tuple[float, str]:
    env = dict(os.environ, PDGOV_HOME=str(home), PDGOV_HMAC_KEY=KEY, PDGOV_SECRETS_DIR=str(home.parent / "secrets"))
    t0 = time.perf_counter()
    proc = subprocess.run([str(BIN / "pdgov"), *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"pdgov {' '.join(args)} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0, proc.stdout


def night(home: Path, day: date) -> float:
    """One `pdgov run`, believed only when the ledger has a successful row for *this* run.

    An exit code of 0 is not proof on its own (issue 21): the run the command reports must be in
    the ledger, for this date, started after the command was, and successful.
    """
    import duckdb

    started = datetime.now(TAIPEI).replace(tzinfo=None)
    wall, out = pdgov(home, "run", "--date", day.isoformat())
    m = re.search(r"^pdgov: run (\S+) success in", out, re.M)
    if not m:
        sys.exit(f"pdgov run --date {day} exited 0 without reporting a successful run:\n{out[-3000:]}")
    con = duckdb.connect(str(home / "warehouse" / "pdgov.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT logical_date, status, started_at FROM main.run_ledger WHERE run_id = ?",
                          [m.group(1)]).fetchone()
    finally:
        con.close()
    if row is None or row[0] != day or row[1] != "success" or row[2] < started - timedelta(seconds=1):
        sys.exit(f"pdgov run --date {day}: the ledger does not show run {m.group(1)} succeeding that night: {row}")
    return wall


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--first", type=date.fromisoformat, default=date(2026, 11, 2))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from pdgov.deploy.fingerprint import diff, fingerprint

    home = Path(tempfile.mkdtemp(prefix="bench-backfill-")) / "pdgov_home"
    nights = [args.first + timedelta(days=i) for i in range(args.days)]
    wall, _ = pdgov(home, "synth", "--scale", "demo", "--seed", str(args.seed),
                    "--end", (args.first - timedelta(days=1)).isoformat())
    print(f"synth demo data in {wall:.0f} s; PDGOV_HOME={home}")
    prints = []
    for n in (1, 2):
        times = []
        for day in nights:
            times.append(night(home, day))
            print(f"pass {n} night {day}: {times[-1]:6.1f} s", flush=True)
        prints.append(fingerprint(home / "warehouse" / "pdgov.duckdb"))
        print(f"pass {n}: {len(nights)} nights in {sum(times):.0f} s (mean {sum(times) / len(times):.0f} s)")
    differ = diff(*prints)
    print(f"tables compared: {len(prints[0])}; differing: {len(differ)}")
    for table, (a, b) in differ.items():
        print(f"  {table}: pass 1 {a} pass 2 {b}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
