"""The ``pdgov`` command: the steward's and the operator's front door.

``synth``, ``run`` and ``demo`` are the contract of SPEC §6. Each domain adds its own
sub-commands (``hold``, ``retention``, ``incident`` …) from ``pdgov/<area>/cli.py`` through a
``register(subparsers)`` function, so a newcomer finds a command next to the rule it serves: a
domain package with a ``cli.py`` is picked up, none is listed here. Shared argument types are in
``pdgov.cli_types``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

from pdgov import __version__, clock
from pdgov.cli_types import iso_date

DEMO_MARKER = ".pdgov-demo"


def domain_commands() -> list[str]:
    """``pdgov.<area>.cli`` of every domain package that has one, in name order."""
    package = Path(__file__).resolve().parent
    return [f"pdgov.{d.name}.cli" for d in sorted(package.iterdir())
            if (d / "__init__.py").is_file() and (d / "cli.py").is_file()]


def cmd_run(args: argparse.Namespace) -> int:
    from pdgov import writer_lock
    from pdgov.runner import run

    t0 = time.monotonic()
    # The whole night is one writer: the lock is held here, around `airflow dags test`, whose
    # tasks inherit it (pdgov.writer_lock), so a second run or a declaration waits for this one.
    with writer_lock.hold():
        row = run(args.date, verbose=getattr(args, "verbose", False))
    print(
        f"pdgov: run {row['run_id']} {row['status']} in {time.monotonic() - t0:.0f}s — "
        f"{row['files']} files, {row['rows_in']} rows in, {row['rows_rejected']} rows rejected"
    )
    _print_outputs()
    return 0


def _print_outputs() -> None:
    from pdgov.config import paths

    p = paths()
    print(f"  warehouse : {p.warehouse}")
    books = sorted(p.exports.rglob("*.xlsx"))
    print(f"  workbooks : {len(books)} under {p.exports}" + (f" (e.g. {books[0]})" if books else ""))
    print(f"  dbt docs  : {p.docs / 'index.html'}")
    print(f"  quarantine: {p.quarantine}")


def _only_a_lock(home: Path) -> bool:
    """Nothing in ``home`` but an empty ``warehouse/writer.lock``: a pdgov command that found no
    warehouse leaves that lock file behind, which is no data a demo could overwrite."""
    files = [f for f in home.rglob("*") if f.is_file()]
    return all(f.relative_to(home).as_posix() == "warehouse/writer.lock" and f.stat().st_size == 0 for f in files)


def cmd_demo(args: argparse.Namespace) -> int:
    """Synthetic data into a fresh PDGOV_HOME, then one nightly run for today."""
    from pdgov.config import ensure_local_key, paths

    p = paths()
    if p.home.exists() and not _only_a_lock(p.home):
        if (p.home / DEMO_MARKER).exists() or args.force:
            print(f"pdgov: clearing the previous demo in {p.home}")
            shutil.rmtree(p.home)
        else:
            print(f"pdgov: {p.home} is not empty and was not made by `pdgov demo`; "
                  "point PDGOV_HOME elsewhere or pass --force", file=sys.stderr)
            return 2
    p.ensure()
    (p.home / DEMO_MARKER).write_text("created by pdgov demo; `pdgov demo` may delete this folder\n")
    key = ensure_local_key()
    print(f"pdgov: pseudonymisation key at {key} (outside the repository)")
    run_date = args.date or clock.today()
    from pdgov.synth import generate

    t0 = time.monotonic()
    manifest = generate(p.home, scale=args.scale, seed=args.seed, end=run_date - timedelta(days=1))
    print(f"pdgov: synthetic data ({args.scale}, seed {args.seed}) in {time.monotonic() - t0:.1f}s: "
          + ", ".join(f"{k} {v}" for k, v in manifest.get("expected_rows", {}).items()))
    from pdgov.retention import demo as retention_demo

    retention_demo.plant_old_punches(p.home)  # something due, so the demo shows a deletion
    args.date = run_date
    rc = cmd_run(args)
    done = retention_demo.approve_and_delete(run_date)
    if done.get("approved"):
        print(f"pdgov: {done['approved']} deletion batch(es) approved as `{retention_demo.DEMO_APPROVER}` and "
              f"deleted ({done.get('rows_deleted', 0)} rows); evidence in main.deletion_evidence "
              "(a real night waits for `pdgov retention approve`)")
    _demo_ui_access(manifest)
    return rc


def _demo_ui_access(manifest: dict) -> None:
    """Who sees what in the demo's UI: a committee user and stewards of two agencies; then how to open it."""
    from pdgov.ui.access import access_file, write_file

    file = access_file()
    codes = [a["agency_code"] for a in manifest.get("agencies", [])][1:3]
    stewards = {f"steward_{c}": [c] for c in codes}
    if not file.exists():
        write_file(file, ["committee"], stewards)
    users = ", ".join(f"`{u}`" for u in stewards)
    print("pdgov: open the dashboard: `.venv/bin/pdgov ui`, then http://127.0.0.1:8080/pdgov/dashboard")
    print(f"  log in as `committee` (every agency) or {users} (one agency each);")
    print(f"  `pdgov ui` prints where the passwords are. Who sees what: {file}")


def cmd_parse(_: argparse.Namespace) -> int:
    from pdgov.runner import ensure_manifest

    print(f"pdgov: manifest at {ensure_manifest()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pdgov", description="Personal-data governance pipeline (個資治理)")
    parser.add_argument("--version", action="version", version=f"pdgov {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p_run = sub.add_parser("run", help="one nightly run (airflow dags test pdgov_nightly) on the embedded default")
    p_run.add_argument("--date", type=iso_date, default=clock.today(), help="logical date, YYYY-MM-DD")
    p_run.add_argument("--verbose", action="store_true", help="stream Airflow's whole log (it always goes to a file)")
    p_run.set_defaults(func=cmd_run)

    p_demo = sub.add_parser("demo", help="synthetic data into a fresh PDGOV_HOME, then one nightly run")
    p_demo.add_argument("--scale", default="demo", choices=["demo", "city"])
    p_demo.add_argument("--seed", type=int, default=7)
    p_demo.add_argument("--date", type=iso_date, default=None, help="logical date of the run (default: today)")
    p_demo.add_argument("--force", action="store_true", help="clear a non-demo PDGOV_HOME")
    p_demo.add_argument("--verbose", action="store_true", help="stream Airflow's whole log of the run")
    p_demo.set_defaults(func=cmd_demo)

    p_parse = sub.add_parser("parse", help="(re)build the dbt manifest Cosmos renders the DAG from")
    p_parse.set_defaults(func=cmd_parse)

    for name in domain_commands():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from pdgov import writer_lock

    args = build_parser().parse_args(argv)
    words = sys.argv[1:] if argv is None else argv
    try:
        with writer_lock.command(" ".join(["pdgov", *words])):
            return int(args.func(args) or 0)
    except writer_lock.WarehouseBusy as exc:
        print(f"pdgov: {exc}", file=sys.stderr)
        return writer_lock.BUSY_EXIT_CODE
    except Exception as exc:  # noqa: BLE001 - the CLI reports, the traceback is for --debug
        if os.environ.get("PDGOV_DEBUG"):
            raise
        print(f"pdgov: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
