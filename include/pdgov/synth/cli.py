"""``pdgov synth``: synthetic landing data (seeded) for demos, tests and benchmarks."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pdgov.cli_types import iso_date


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="write synthetic landing data (seeded) into PDGOV_HOME/landing")
    p.add_argument("--scale", choices=["demo", "city"], default="demo")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", type=iso_date, default=None, help="last day of data (default: yesterday in Asia/Taipei)")
    p.add_argument("--history-years", type=float, default=None,
                   help="demo: sparse punch history back this many years (retention needs ~5.5)")
    p.add_argument("--years", type=float, default=None,
                   help="city: years of full punch history (default 5; a fraction for benchmarks)")
    p.add_argument("--home", type=Path, default=None, help="PDGOV_HOME to write into (default: $PDGOV_HOME)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pdgov.config import Paths, paths
    from pdgov.synth import generate

    p = Paths(args.home.resolve()) if args.home else paths()
    p.ensure()
    t0 = time.monotonic()
    m = generate(p.home, scale=args.scale, seed=args.seed, end=args.end, history_years=args.history_years,
                 years=args.years)
    print(f"pdgov synth: {args.scale}, seed {args.seed}, end {m['end']}: {len(m['files'])} files in "
          f"{time.monotonic() - t0:.1f}s under {p.landing}: "
          + ", ".join(f"{k} {v:,}" for k, v in m["expected_rows"].items()))
    print(f"  manifest: {p.home / 'synth_manifest.json'}")
    return 0
