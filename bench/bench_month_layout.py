"""What a deleting night's copy would cost if closed punch months lived in files of their own.

Run on demand, on a built warehouse (e.g. the city bench's kept home):
``.venv/bin/python bench/bench_month_layout.py --warehouse /tmp/cityhome/warehouse/pdgov.duckdb``.

Issue 22 asks that deletion cost follow what is deleted, not the warehouse, and to measure before
choosing a layout. Today a deleting night copies the whole warehouse into a fresh file (DuckDB keeps
deleted strings in freed blocks: only a fresh file leaves none). This bench times, on a copy of the
given warehouse's file, side by side:

* **whole** — the copy a deleting night makes now (``COPY FROM DATABASE``);
* **without punches** — the same copy of every table but ``raw.punches``: what the main file's
  fresh copy would still cost if punches lived in month files (the derived tables, rebuilt after
  the deletion, still need it);
* **one month** — the oldest month's punches written to a file of their own, then that month
  rewritten without one agency's rows (a partly approved or partly held month), and removed whole
  (a month fully approved): what deleting a month would cost in such a layout.

It prints seconds, rows and the ratio of each to the whole copy. Nothing is changed in the warehouse
given (it is opened read-only; the copies go to a temp dir beside it and are removed).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb


def _timed(fn) -> float:
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--memory-limit", default="4GB")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pdgov-bench-months-", dir=args.warehouse.parent))
    try:
        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
        con.execute(f"SET temp_directory = '{(tmp / 'spill').as_posix()}'")
        con.execute("SET disabled_compression_methods = 'zstd'")  # as pdgov's rebuild does
        con.execute(f"ATTACH '{args.warehouse.as_posix()}' AS wh (READ_ONLY)")
        punches = con.execute("SELECT count(*) FROM wh.raw.punches").fetchone()[0]
        size = args.warehouse.stat().st_size
        print(f"warehouse {size / 1e9:.2f} GB, {punches:,} punches")

        con.execute(f"ATTACH '{(tmp / 'whole.duckdb').as_posix()}' AS whole")
        whole = _timed(lambda: con.execute("COPY FROM DATABASE wh TO whole"))
        con.execute("DETACH whole")
        print(f"whole copy (today's deleting night): {whole:.1f} s, {(tmp / 'whole.duckdb').stat().st_size / 1e9:.2f} GB")
        (tmp / "whole.duckdb").unlink()

        con.execute(f"ATTACH '{(tmp / 'rest.duckdb').as_posix()}' AS rest")
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'wh' "
                             "AND NOT (schema_name = 'raw' AND table_name = 'punches') ORDER BY 1, 2").fetchall()

        def copy_rest() -> None:
            for schema in {s for s, _ in tables}:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS rest."{schema}"')
            for schema, table in tables:
                con.execute(f'CREATE TABLE rest."{schema}"."{table}" AS SELECT * FROM wh."{schema}"."{table}"')

        rest = _timed(copy_rest)
        con.execute("DETACH rest")
        print(f"copy without raw.punches ({len(tables)} tables): {rest:.1f} s = {rest / whole:.2f} x the whole copy, "
              f"{(tmp / 'rest.duckdb').stat().st_size / 1e9:.2f} GB")

        month = con.execute("SELECT date_trunc('month', min(punched_at)) FROM wh.raw.punches").fetchone()[0]
        where = f"punched_at >= TIMESTAMP '{month}' AND punched_at < TIMESTAMP '{month}' + INTERVAL 1 MONTH"
        f = tmp / "month.duckdb"
        con.execute(f"ATTACH '{f.as_posix()}' AS m")
        write = _timed(lambda: con.execute(f"CREATE TABLE m.punches AS SELECT * FROM wh.raw.punches WHERE {where}"))
        rows, agency = con.execute("SELECT count(*), min(agency_code) FROM m.punches").fetchone()
        con.execute("DETACH m")
        g = tmp / "month_rewritten.duckdb"

        def rewrite() -> None:
            con.execute(f"ATTACH '{f.as_posix()}' AS m (READ_ONLY)")
            con.execute(f"ATTACH '{g.as_posix()}' AS n")
            con.execute("CREATE TABLE n.punches AS SELECT * FROM m.punches WHERE agency_code <> ?", [agency])
            con.execute("DETACH n")
            con.execute("DETACH m")
            g.replace(f)

        rw = _timed(rewrite)
        rm = _timed(f.unlink)
        print(f"one month ({month:%Y-%m}, {rows:,} punches): written apart {write:.1f} s; rewritten without agency "
              f"{agency} {rw:.2f} s = {rw / whole:.3f} x the whole copy; removed whole {rm * 1000:.1f} ms")
        print(f"a deleting night in a month layout ≈ copy without punches + month rewrites: {rest + rw:.1f} s "
              f"= {(rest + rw) / whole:.2f} x today's {whole:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
