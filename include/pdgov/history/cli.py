"""``pdgov export --date D`` (a past night's workbooks from history) and ``pdgov history`` (what a night said)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pdgov.cli_types import iso_date


def cmd_export(args: argparse.Namespace) -> int:
    from pdgov.history.render import render

    written = render(args.date, Path(args.out) if args.out else None)
    print(f"pdgov: {len(written)} workbooks of {args.date} rendered from history"
          + (f" into {written[0].parent}" if written else ""))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from pdgov.history.store import TRACKED, nights, open_history, state

    with open_history(read_only=True) as con:
        if args.date is None:
            for d in nights(con):
                print(d.isoformat())
            return 0
        tables = [args.table] if args.table else [t.name for t in TRACKED]
        for table in tables:
            rows = state(con, table, args.date)
            print(f"# {table} on {args.date}: {len(rows)} rows")
            for r in rows[: args.limit]:
                print("\t".join("" if v is None else str(v) for v in r))
    return 0


def register(sub) -> None:
    p = sub.add_parser("export", help="render a past night's committee workbooks again from governance history")
    p.add_argument("--date", type=iso_date, required=True, help="the night (logical date), YYYY-MM-DD")
    p.add_argument("--out", default=None, help="folder to write into (default: exports/<date>/, replacing it)")
    p.set_defaults(func=cmd_export)
    h = sub.add_parser("history", help="the nights recorded, or what a table said on a night")
    h.add_argument("--date", type=iso_date, default=None, help="the night; without it, list the nights recorded")
    h.add_argument("--table", default=None, help="one tracked table (default: all)")
    h.add_argument("--limit", type=int, default=50, help="rows printed per table")
    h.set_defaults(func=cmd_history)
