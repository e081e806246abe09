"""``pdgov synth``: synthetic landing data (seeded) for demos, tests and benchmarks."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="write synthetic landing data (seeded) into PDGOV_HOME/landing")
    p.add_argument("--scale", choices=["demo", "city"], default="demo")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", type=date.fromisoformat, default=None, help="last day of data (default: yesterday)")
    p.add_argument("--history-years", type=float, default=None, help="demo: add sparse punch history")
    p.add_argument("--years", type=float, default=None, help="city: years of punches (default 5)")
    p.add_argument("--home", type=Path, default=None, help="PDGOV_HOME to write into")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pdgov.config import Paths, paths
    from pdgov.synth import generate

    p = Paths(args.home.resolve()) if args.home else paths()
    p.ensure()
    t0 = time.monotonic()
    m = generate(p.home, scale=args.scale, seed=args.seed, end=args.end, history_years=args.history_years,
                 years=args.years)
    print(f"pdgov synth: {args.scale}, seed {args.seed}, {len(m['files'])} files in {time.monotonic() - t0:.1f}s "
          f"under {p.landing}: " + ", ".join(f"{k} {v}" for k, v in m["expected_rows"].items()))
    return 0
