"""Synthetic-data throughput: demo generation time, punch CSV rate, a slice of the city.

Run on demand: ``.venv/bin/python bench/bench_synth.py [--rows 3000000] [--city-years 0.05]``.
Each measurement runs in its own process so its peak RSS is its own; rows per CPU-second
is printed too because the machine is shared (wall time depends on the neighbours). The baseline is the
issue's target of 1 M punch rows/s (175 M rows of city history in ~3 minutes of CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BASELINE_ROWS_PER_S = 1_000_000
END = date(2026, 11, 21)


def _one(kind: str, rows: int, years: float, home: Path) -> dict:
    from pdgov.synth import generate, punch_csv

    t0, c0 = time.monotonic(), time.process_time()
    if kind == "demo":
        m = generate(home, "demo", 7, END)
        n = sum(m["expected_rows"].values())
    elif kind.startswith("punch_csv"):
        enc = kind.split(":", 1)[1]
        n = punch_csv(home / "punches.csv", rows, 7, enc)
    else:
        m = generate(home, "city", 7, END, years=years)
        n = m["expected_rows"]["punches"]
    secs, cpu = time.monotonic() - t0, time.process_time() - c0
    size = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
    return {"kind": kind, "rows": n, "seconds": round(secs, 2), "rows_per_s": round(n / secs), "cpu_seconds": round(cpu, 2),
            "rows_per_cpu_s": round(n / cpu),
            "bytes": size, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=3_000_000)
    ap.add_argument("--city-years", type=float, default=0.05)
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, default=None, help=argparse.SUPPRESS)
    args, _ = ap.parse_known_args()
    if args.one:
        print(json.dumps(_one(args.one, args.rows, args.city_years, args.home)))
        return 0
    kinds = ["demo", "punch_csv:utf-8", "punch_csv:cp950", "city"]
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="pdgov-bench-synth-") as tmp:
            out = subprocess.run([sys.executable, __file__, "--one", kind, "--rows", str(args.rows),
                                  "--city-years", str(args.city_years), "--home", tmp],
                                 capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            if out.returncode:
                print(out.stderr, file=sys.stderr)
                return 1
            r = json.loads(out.stdout.strip().splitlines()[-1])
            ratio = "" if kind == "demo" else f"  ratio to 1 M rows/s: {r['rows_per_s'] / BASELINE_ROWS_PER_S:.2f}"
            print(f"{kind:16s} {r['rows']:>11,} rows {r['seconds']:>7.2f}s wall {r['rows_per_s']:>10,} rows/s "
                  f"({r['cpu_seconds']:.1f}s CPU, {r['rows_per_cpu_s']:,} rows/CPU-s) {r['bytes'] / 1e6:>7.1f} MB "
                  f"peak RSS {r['peak_rss_mb']} MB{ratio}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
