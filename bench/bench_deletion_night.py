"""A deleting night's purge, before and after deletion approval (seed 002 §21), side by side.

Run on demand: ``.venv/bin/python bench/bench_deletion_night.py [--rows 2000000]``.

One warehouse of N punches over 5.5 years (written by DuckDB, as ``bench_retention.py`` does) with
the retention models built, copied twice:

* **before** — the purge as it was: one step after the models deletes everything due, takes the
  due lines out of the files and copies the warehouse into a fresh file;
* **after** — the purge now: the night before proposes (``finish``), a person approves, and the
  deleting night deletes before its models (``delete_approved``) and copies after them (``finish``).

Both delete the same rows. It prints the seconds of each, their ratio, and what a night that only
proposes costs (most nights now: nothing is deleted, nothing is copied, until someone approves).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 2)


def _build(home: Path, rows: int) -> None:
    from bench_retention import load_punches

    from pdgov.config import paths
    from pdgov.ingest.raw_schema import ensure_raw_tables
    from pdgov.transform import dbt
    from pdgov.warehouse import connect, release_inprocess_dbt

    paths().ensure()
    with connect() as con:
        ensure_raw_tables(con)
        load_punches(con, rows)
    dbt.run(["build", "--vars", dbt.dbt_vars(AS_OF, "bench"), "--select", "+deletion_deadlines", "--quiet"])
    release_inprocess_dbt()


def _use(home: Path) -> None:
    from pdgov.warehouse import release_inprocess_dbt

    release_inprocess_dbt()
    os.environ["PDGOV_HOME"] = str(home)


def _approve_all() -> int:
    from pdgov.retention import approvals
    from pdgov.warehouse import connect

    with connect() as con:
        return len(approvals.approve(con, None, "bench", "BENCH-1"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pdgov-bench-deletion-"))
    os.environ.setdefault("PDGOV_HMAC_KEY", "bench-key-not-secret-0123456789abcdef")
    os.environ["PDGOV_RETENTION_MAX_SHARE"] = "1"
    base = root / "base"
    _use(base)
    t0 = time.monotonic()
    _build(base, args.rows)
    print(f"warehouse: {args.rows:,} punches, {(base / 'warehouse' / 'pdgov.duckdb').stat().st_size / 1e6:.0f} MB, "
          f"built in {time.monotonic() - t0:.0f}s under {root}")

    from pdgov.retention import purge

    # before: the old single step (everything due deleted now, then the fresh-file copy); the
    # approval is given up front so the same rows go
    before_home = root / "before"
    shutil.copytree(base, before_home)
    _use(before_home)
    purge.finish("bench_propose", AS_OF)
    _approve_all()
    t0 = time.monotonic()
    old = purge._delete("bench_old", AS_OF, False, True, models_built=True)
    purge.recover()
    before_s = time.monotonic() - t0

    # after: the proposing night, the approval, the deleting night (delete before the models,
    # copy after them; the models themselves run every night and are not counted)
    after_home = root / "after"
    shutil.copytree(base, after_home)
    _use(after_home)
    t0 = time.monotonic()
    proposed = purge.finish("bench_night1", AS_OF)
    propose_s = time.monotonic() - t0
    _approve_all()
    t0 = time.monotonic()
    new = purge.delete_approved("bench_night2", AS_OF, override=True)
    delete_s = time.monotonic() - t0
    t0 = time.monotonic()
    done = purge.finish("bench_night2", AS_OF)
    copy_s = time.monotonic() - t0
    after_s = delete_s + copy_s

    assert old["rows_to_delete"] == new["rows_to_delete"], (old["rows_to_delete"], new["rows_to_delete"])
    print(f"rows deleted: {new['rows_to_delete']:,} (both)")
    print(f"before: deleting night's purge {before_s:7.2f}s (delete + files + fresh-file copy, one step)")
    print(f"after : deleting night's purge {after_s:7.2f}s (delete_approved {delete_s:.2f}s before the models, "
          f"finish {copy_s:.2f}s after them: propose + copy {done.get('rebuild_seconds', 0):.2f}s)")
    print(f"ratio after/before: {after_s / before_s:.2f}")
    print(f"a night that only proposes ({proposed['proposals']['proposed']} batches): {propose_s:.2f}s, no copy")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
