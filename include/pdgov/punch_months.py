"""Closed months of punches in Parquet files of their own, so deleting a month costs that month.

Why: seed 002 §24 asks that deleted data cannot be restored, and DuckDB keeps deleted strings in
the freed blocks of its file, so every night that deleted punches copied the whole warehouse into a
fresh file — at the city's 180 M punches, 60.9 s, almost all of it ``raw.punches``, to delete one
month of a few agencies (``bench/bench_month_layout.py``, docs/retention.md). Here a month whose
punches can no longer change much (before the current and the previous month, ``OPEN_MONTHS``)
leaves ``raw.punches`` for ``warehouse/punches/YYYY-MM__<version>.parquet``; a deletion rewrites
the months it touches (a new file holds no freed block) and the fresh-file copy of the main file
no longer carries the city's history.

How the parts stay consistent:

* ``main.punch_month_files`` lists the current file of each month; the view ``raw.punches_closed``
  reads exactly those files. Both change in the caller's transaction, after the new file is
  written and fsynced, so a crash leaves either the old or the new version in use, never neither;
  a file no row lists is an orphan (an interrupted write, or a version replaced) and ``sweep``
  removes it once the transaction has committed.
* Rows arrive in ``raw.punches`` only (the ingest is unchanged); a late delivery for a closed month
  waits there until the next night's ``close_months`` merges it into that month's file.
* A corrected re-delivery replaces its earlier file's rows in the table (``ledger.replace_earlier``)
  and, through ``drop_files``, in the month files that hold them.
* Readers see both through ``PUNCHES_ALL`` (Python) and ``stg_raw__punches`` (dbt, on DuckDB; the
  PostgreSQL target keeps one table). The view names absolute paths, so every write connection
  points it at the warehouse folder it finds itself in (``refresh_view``): a copied home reads its
  own files.

Parquet rather than attached DuckDB files: a view over files works from every connection, dbt's
included, without ATTACH; a rewritten Parquet file has no freed blocks; and a month is one file to
remove.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import date
from pathlib import Path

import duckdb

from pdgov import clock
from pdgov.config import paths

log = logging.getLogger("pdgov.punch_months")

#: The current month and the one before stay in ``raw.punches``: corrections and late punch exports
#: for them are common, and each change to a closed month rewrites its file.
OPEN_MONTHS = 2
FOLDER = "punches"  # under the warehouse folder
VIEW = "raw.punches_closed"
#: Every punch row, open and closed months: what Python reads where it read ``raw.punches``.
PUNCHES_ALL = "(SELECT * FROM raw.punches UNION ALL BY NAME SELECT * FROM raw.punches_closed)"

DDL = [
    """CREATE TABLE IF NOT EXISTS main.punch_month_files (
        month DATE PRIMARY KEY, path VARCHAR, rows BIGINT, file_sha256s VARCHAR[], written_at TIMESTAMP)""",
]


def folder(warehouse_dir: Path | None = None) -> Path:
    return (warehouse_dir or paths().warehouse_dir) / FOLDER


def _has_raw_punches(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                            "AND schema_name = 'raw' AND table_name = 'punches'").fetchone()[0])


def _listed(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> list[str]:
    return [(warehouse_dir / r[0]).as_posix().replace("'", "''")
            for r in con.execute("SELECT path FROM main.punch_month_files ORDER BY month").fetchall()]


def refresh_view(con: duckdb.DuckDBPyConnection, warehouse_dir: Path | None = None) -> None:
    """Create or re-point ``raw.punches_closed`` (a no-op when it already reads the listed files)."""
    if not _has_raw_punches(con):
        return
    for ddl in DDL:
        con.execute(ddl)
    files = _listed(con, warehouse_dir or paths().warehouse_dir)
    have = con.execute("SELECT sql FROM duckdb_views() WHERE database_name = current_database() "
                       "AND schema_name = 'raw' AND view_name = 'punches_closed'").fetchone()
    if have is not None and have[0].count(".parquet'") == len(files) and all(f"'{f}'" in have[0] for f in files):
        return  # DuckDB keeps the view's SQL normalised: compare the files it names
    if not files:
        con.execute(f"CREATE OR REPLACE VIEW {VIEW} AS SELECT * FROM raw.punches WHERE false")
    else:
        listed = ", ".join(f"'{f}'" for f in files)
        con.execute(f"CREATE OR REPLACE VIEW {VIEW} AS SELECT * FROM read_parquet([{listed}], union_by_name = true)")


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _write(con: duckdb.DuckDBPyConnection, month: date, select: str) -> tuple[str, int, list[str]] | None:
    """Write ``select`` as a new version of ``month``'s file; None when it has no rows."""
    d = folder()
    d.mkdir(parents=True, exist_ok=True)
    rel = f"{FOLDER}/{month:%Y-%m}__{uuid.uuid4().hex[:8]}.parquet"
    path = paths().warehouse_dir / rel
    # Sorted by time, so a reader's time filter skips row groups by their min/max.
    con.execute(f"COPY ({select} ORDER BY punched_at, _file_sha256, _line_no) TO '{path.as_posix()}' "
                "(FORMAT parquet, COMPRESSION zstd)")
    rows, shas = con.execute(f"SELECT count(*), list(DISTINCT _file_sha256 ORDER BY _file_sha256) "
                             f"FROM read_parquet('{path.as_posix()}')").fetchone()
    if not rows:
        path.unlink()
        return None
    _fsync(path)
    return rel, rows, list(shas or [])


def _current(con: duckdb.DuckDBPyConnection) -> dict[date, tuple[str, int]]:
    return {m: (p, n) for m, p, n in con.execute("SELECT month, path, rows FROM main.punch_month_files").fetchall()}


def _record(con: duckdb.DuckDBPyConnection, month: date, written: tuple[str, int, list[str]] | None) -> None:
    con.execute("DELETE FROM main.punch_month_files WHERE month = ?", [month])
    if written is not None:
        rel, rows, shas = written
        con.execute("INSERT INTO main.punch_month_files VALUES (?, ?, ?, ?, ?)", [month, rel, rows, shas, clock.now()])


def _abs(rel: str) -> str:
    return (paths().warehouse_dir / rel).as_posix().replace("'", "''")


def close_months(con: duckdb.DuckDBPyConnection, as_of: date) -> dict:
    """Move the punches of closed months from ``raw.punches`` into their month files (merging them
    with what the file holds already); one transaction. Returns the months moved and rows."""
    if not _has_raw_punches(con):
        return {"months": 0, "rows": 0}
    refresh_view(con)
    boundary = clock.add_months(as_of.replace(day=1), -(OPEN_MONTHS - 1))
    months = con.execute("SELECT CAST(date_trunc('month', punched_at) AS DATE) AS m, count(*) FROM raw.punches "
                         "WHERE punched_at < ? GROUP BY 1 ORDER BY 1", [boundary]).fetchall()
    if not months:
        return {"months": 0, "rows": 0}
    current = _current(con)
    con.execute("BEGIN TRANSACTION")
    try:
        src = "raw.punches"
        if len(months) > 1:
            # Many months at once (the first night after the upgrade moves the whole history): the
            # rows sorted by time once, so each month's read skips the others' row groups instead of
            # scanning the table again per month.
            con.execute("CREATE OR REPLACE TEMP TABLE _pdgov_closing AS SELECT * FROM raw.punches "
                        f"WHERE punched_at < DATE '{boundary}' ORDER BY punched_at")
            src = "_pdgov_closing"
        for month, _n in months:
            nxt = clock.add_months(month, 1)
            select = f"SELECT * FROM {src} WHERE punched_at >= DATE '{month}' AND punched_at < DATE '{nxt}'"
            if month in current:
                select = f"{select} UNION ALL BY NAME SELECT * FROM read_parquet('{_abs(current[month][0])}')"
            _record(con, month, _write(con, month, f"SELECT * FROM ({select})"))
        moved = sum(n for _m, n in months)
        # The table is rebuilt with its open months, not DELETEd from: a table whose row groups
        # mostly hold deleted rows (the first night moves 180 M of the city's 183 M) made DuckDB
        # run out of memory aggregating it together with the month files (the full build's key
        # test on stg_punches, at 4 GB), while the same rows in a fresh table did not. The open
        # months are small; the views reading raw.punches bind it by name when queried.
        con.execute("DROP TABLE IF EXISTS _pdgov_closing")
        con.execute("CREATE TABLE raw._punches_open AS SELECT * FROM raw.punches "
                    f"WHERE punched_at >= DATE '{boundary}' OR punched_at IS NULL")
        con.execute("DROP TABLE raw.punches")
        con.execute("ALTER TABLE raw._punches_open RENAME TO punches")
        refresh_view(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    sweep(con)
    log.info("pdgov: punches of %s closed month(s) moved to their files: %s rows", len(months), moved)
    return {"months": len(months), "rows": moved}


def rewrite(con: duckdb.DuckDBPyConnection, gone: str, months: list[date] | None = None,
            months_before: date | None = None) -> list[dict]:
    """Inside the caller's transaction: the month files lose their rows matching ``gone`` (SQL on
    alias ``t``). Returns one entry per file changed: the month, its old path and sha256, the rows
    taken out and whether the file was rewritten or removed. Call ``sweep`` after the COMMIT."""
    import hashlib

    out = []
    for month, (rel, _rows) in sorted(_current(con).items()):
        if (months is not None and month not in months) or (months_before is not None and month >= months_before):
            continue
        src = f"read_parquet('{_abs(rel)}')"
        n = con.execute(f"SELECT count(*) FROM {src} t WHERE {gone}").fetchone()[0]
        if not n:
            continue
        written = _write(con, month, f"SELECT * FROM {src} t WHERE ({gone}) IS NOT TRUE")
        _record(con, month, written)
        old = paths().warehouse_dir / rel
        out.append({"month": month, "path": f"warehouse/{rel}", "rows": n,
                    "sha256": hashlib.sha256(old.read_bytes()).hexdigest(),
                    "action": "blank" if written else "delete"})
    if out:
        refresh_view(con)
    return out


def months_holding(con: duckdb.DuckDBPyConnection, shas: list[str]) -> list[date]:
    if not shas:
        return []
    return [r[0] for r in con.execute("SELECT month FROM main.punch_month_files WHERE list_has_any(file_sha256s, ?)",
                                      [shas]).fetchall()]


def drop_files(con: duckdb.DuckDBPyConnection, shas: list[str]) -> int:
    """Inside the caller's transaction: the rows of these delivered files leave the month files
    (a corrected re-delivery replaces them). Returns the rows taken out."""
    if not _table_exists(con):
        return 0
    months = months_holding(con, shas)
    if not months:
        return 0
    listed = ", ".join("'" + s.replace("'", "''") + "'" for s in shas)
    return sum(f["rows"] for f in rewrite(con, f"t._file_sha256 IN ({listed})", months))


def _table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                            "AND schema_name = 'main' AND table_name = 'punch_month_files'").fetchone()[0])


def sweep(con: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """Remove the month files no row of ``main.punch_month_files`` lists (replaced versions, and
    writes a crash interrupted). Only after a COMMIT: a file written in an open transaction is
    listed only by that transaction."""
    d = folder()
    if not d.is_dir():
        return []
    if con is None:
        from pdgov.warehouse import connect

        with connect() as c:
            return sweep(c)
    listed = {r[0] for r in con.execute("SELECT path FROM main.punch_month_files").fetchall()} if _table_exists(
        con) else set()
    gone = []
    for f in sorted(d.iterdir()):
        if f.is_file() and f"{FOLDER}/{f.name}" not in listed:
            f.unlink()
            gone.append(f.name)
    if gone:
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return gone
