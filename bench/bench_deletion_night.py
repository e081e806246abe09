"""A deleting night's purge with every punch in ``raw.punches`` and with closed months in files
of their own (``pdgov.punch_months``, issue 22), side by side.

Run on demand: ``.venv/bin/python bench/bench_deletion_night.py [--rows 2000000]``.

One warehouse of N punches over 5.5 years (written by DuckDB, as ``bench_retention.py`` does) with
the retention models built, copied twice. In each copy the night before proposes (``finish``), a
person approves, and the deleting night deletes before its models (``delete_approved``) and copies
the warehouse into a fresh file after them (``finish``); the models run every night and are not
counted. Both copies delete the same rows:

* **table** — the layout before: every punch in ``raw.punches`` (the nightly move of closed months
  switched off), so the fresh-file copy carries the whole history;
* **months** — closed months moved once into their Parquet files (timed apart: a one-time cost the
  first night after the upgrade pays), so the deletion rewrites the months it touches and the
  copy carries the open months and the derived tables.

It prints the seconds of each deleting night, their ratio, the one-time move and the sizes.
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
    dbt.run(["build", "--vars", dbt.dbt_vars(AS_OF, "bench"), "--indirect-selection", "cautious", "--select",
             "+deletion_deadlines", "--quiet"])
    release_inprocess_dbt()


def _use(home: Path) -> None:
    from pdgov.warehouse import release_inprocess_dbt

    release_inprocess_dbt()
    os.environ["PDGOV_HOME"] = str(home)


def _approve(one_month: bool) -> int:
    """Every batch awaiting approval, or (``one_month``) the oldest punch month only: a steady night,
    when the approvals keep up, deletes one whole month."""
    from pdgov.retention import approvals
    from pdgov.warehouse import connect

    with connect() as con:
        batches = None
        if one_month:
            batches = [min(b["batch_id"] for b in approvals.pending(con) if b["rule_id"] == "PUNCH_5Y")]
        return len(approvals.approve(con, batches, "bench", "BENCH-1"))


def _size_mb(home: Path) -> float:
    return sum(f.stat().st_size for f in (home / "warehouse").rglob("*") if f.is_file()) / 1e6


def _night(home: Path, base: Path, months: bool, one_month: bool) -> dict:
    """Copy ``base`` to ``home``, propose, approve, then time the deleting night's purge."""
    from pdgov import punch_months
    from pdgov.retention import purge
    from pdgov.warehouse import connect

    shutil.copytree(base, home)
    _use(home)
    out: dict = {}
    real_close = punch_months.close_months
    if months:
        t0 = time.monotonic()
        with connect() as con:
            out["moved"] = real_close(con, AS_OF)
        out["move_s"] = time.monotonic() - t0
    else:  # the layout before: nothing leaves raw.punches
        punch_months.close_months = lambda con, as_of: {"months": 0, "rows": 0}
    try:
        purge.finish("bench_night1", AS_OF)
        _approve(one_month)
        t0 = time.monotonic()
        out["deleted"] = purge.delete_approved("bench_night2", AS_OF, override=True)
        out["delete_s"] = time.monotonic() - t0
        t0 = time.monotonic()
        out["finish"] = purge.finish("bench_night2", AS_OF)
        out["finish_s"] = time.monotonic() - t0
    finally:
        punch_months.close_months = real_close
    out["night_s"] = out["delete_s"] + out["finish_s"]
    out["size_mb"] = _size_mb(home)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--one-month", action="store_true",
                    help="approve only the newest due punch month (a steady night), not every batch")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pdgov-bench-deletion-"))
    os.environ.setdefault("PDGOV_HMAC_KEY", "bench-key-not-secret-0123456789abcdef")
    os.environ["PDGOV_RETENTION_MAX_SHARE"] = "1"
    base = root / "base"
    _use(base)
    t0 = time.monotonic()
    _build(base, args.rows)
    print(f"warehouse: {args.rows:,} punches, {_size_mb(base):.0f} MB, built in {time.monotonic() - t0:.0f}s "
          f"under {root}")

    table = _night(root / "table", base, months=False, one_month=args.one_month)
    months = _night(root / "months", base, months=True, one_month=args.one_month)

    rows = table["deleted"]["rows_to_delete"]
    assert rows == months["deleted"]["rows_to_delete"], (rows, months["deleted"]["rows_to_delete"])
    assert table["finish"]["rebuilt"] and months["finish"]["rebuilt"]
    print(f"rows deleted: {rows:,} (both)")
    for name, r in (("table ", table), ("months", months)):
        d = r["deleted"]
        print(f"{name}: deleting night's purge {r['night_s']:7.2f}s (delete_approved {r['delete_s']:.2f}s before "
              f"the models: plan {d.get('plan_seconds', 0):.2f}s, delete {d.get('delete_seconds', 0):.2f}s, files "
              f"{d.get('files_seconds', 0):.2f}s; finish {r['finish_s']:.2f}s after them, of which the fresh-file "
              f"copy {r['finish'].get('rebuild_seconds', 0):.2f}s); warehouse folder after {r['size_mb']:.0f} MB")
    print(f"ratio months/table: {months['night_s'] / table['night_s']:.2f}")
    print(f"one-time move of the closed months: {months['moved']['months']} months, {months['moved']['rows']:,} rows "
          f"in {months['move_s']:.2f}s")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
