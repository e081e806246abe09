"""The history file and the nightly record: row versions with validity ranges, only changes written.

Why a DuckDB file of its own (``warehouse/history.duckdb``) and not dbt snapshots in the warehouse:

* a snapshot's validity comes from the wall clock of ``dbt snapshot``; history here is dated by the
  night's *logical* date, so a backfill of an earlier night lands at its own date (the record is
  spliced in between the nights around it) and a re-run of a night replaces that night only;
* the retention purge scans every warehouse table for copies of the rows it deletes and deletes
  them; history must instead keep the record and redact the person (``pdgov.history.redact``);
* the purge copies the whole warehouse on deleting nights; five years of history kept apart do not
  add to that copy, and the history file is rewritten only when something in it is redacted.

A tracked table's history is ``<table>(row_hash, valid_from, valid_to, <the table's columns>)``:
a row version is valid on nights ``valid_from <= d < valid_to`` (``valid_to`` NULL: still valid).
``nights`` lists the nights recorded, with their run id and the columns each table had, so a past
night is rebuilt with exactly its columns. Columns that only restate the night (``as_of_date``) are
not stored: they would make every row change every night; they come back as the night's date.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from pdgov import clock
from pdgov.config import paths

log = logging.getLogger("pdgov.history")

HISTORY_FILE = "history.duckdb"
#: Columns whose value is the night itself: not stored, filled with the night's date on reading.
NIGHT_COLUMNS = ("as_of_date",)
META = ("row_hash", "valid_from", "valid_to")


@dataclass(frozen=True)
class Tracked:
    """A table whose nightly state is kept: the name it has in history and how to read it tonight."""

    name: str
    select: str  # over the warehouse attached as ``wh``; ``$run_id`` is the night's run


def _shown_tables() -> tuple[str, ...]:
    """Every table a night's workbooks (their sheets, the 勞工局 report, the agency-name lookup) and
    its dashboard snapshot read: derived from them, so a sheet added later is kept in history too
    and ``pdgov export --date`` can print it again."""
    from pdgov.exports.sheets import LOOKUPS, QUARTERLY_SHEET, SHEETS
    from pdgov.ui.snapshot import TABLES

    return tuple(sorted({s.table for s in (*SHEETS, QUARTERLY_SHEET)} | {t for t, _, _ in LOOKUPS.values()}
                        | set(TABLES)))


# The governance outputs (issue 22) and whatever else a past night's workbooks and dashboard read,
# then the source files listed in 來源與版本 and the night's run ledger row.
TRACKED = (
    *(Tracked(t, f'SELECT * FROM wh.main."{t}"') for t in _shown_tables()),
    Tracked("ingest_files", "SELECT source, file_name, file_sha256, rows_in, status FROM wh.main.ingest_files "
                            "WHERE status = 'loaded'"),
    Tracked("run_ledger", "SELECT run_id, triggered_by, data_interval_start, data_interval_end, started_at "
                          "FROM wh.main.run_ledger WHERE run_id = $run_id"),
)

NIGHTS_DDL = """CREATE TABLE IF NOT EXISTS nights (
    as_of_date DATE PRIMARY KEY, run_id VARCHAR, recorded_at TIMESTAMPTZ, columns JSON, versions JSON,
    redacted_at TIMESTAMPTZ)"""


def history_path() -> Path:
    return paths().warehouse_dir / HISTORY_FILE


@contextmanager
def open_history(read_only: bool = False, path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The history file, under pdgov's warehouse lock (shared to read, exclusive to write)."""
    from pdgov import writer_lock

    db = path or history_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock.hold(shared=read_only):
        if read_only and not db.exists():
            raise FileNotFoundError(f"no governance history yet ({db}): no night has been recorded")
        con = duckdb.connect(str(db), read_only=read_only)
        try:
            if not read_only:
                con.execute(NIGHTS_DDL)
            yield con
        finally:
            con.close()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = 'main' ORDER BY table_name, ordinal_position",
            [catalog]).fetchall():
        out.setdefault(table, []).append((column, dtype))
    return out


def _ensure_table(con: duckdb.DuckDBPyConnection, name: str, cols: list[tuple[str, str]],
                  have: dict[str, list[tuple[str, str]]]) -> None:
    """Create the history table, or add the columns the source gained since (old versions keep NULL)."""
    if name not in have:
        body = ", ".join(f"{_q(c)} {t}" for c, t in cols)
        con.execute(f"CREATE TABLE {_q(name)} (row_hash UBIGINT, valid_from DATE, valid_to DATE, {body})")
        return
    known = {c for c, _ in have[name]}
    for c, t in cols:
        if c not in known:
            con.execute(f"ALTER TABLE {_q(name)} ADD COLUMN {_q(c)} {t}")


def _tonight(con: duckdb.DuckDBPyConnection, sql: str, params: list, names: list[str]) -> tuple[str, list]:
    """``_tonight``: the night's row hashes (DuckDB ``hash`` over the columns in name order; the n-th
    copy of a repeated row hashes with n); returns the query (and its parameters) giving the rows with it.

    ``hash`` and not ``md5`` of the row as text: ten times cheaper on half a million sample rows. It is
    stable within a DuckDB version; after an upgrade that changes it, one night re-versions every row
    (what each night says is unchanged). Only hashes are kept here: the columns are read again for the
    few rows that are new.
    """
    sel = ", ".join(_q(c) for c in names)
    hashed = f"SELECT hash({', '.join(_q(c) for c in sorted(names))}) AS row_hash, {sel} FROM ({sql})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tonight AS SELECT row_hash FROM ({hashed})", params)
    if con.execute("SELECT count(*) > count(DISTINCT row_hash) FROM _tonight").fetchone()[0]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _rows AS SELECT CASE WHEN n = 1 THEN row_hash "
                    f"ELSE hash(row_hash, n) END AS row_hash, {sel} FROM (SELECT *, row_number() OVER "
                    f"(PARTITION BY row_hash) AS n FROM ({hashed}))", params)
        con.execute("CREATE OR REPLACE TEMP TABLE _tonight AS SELECT row_hash FROM _rows")
        return "SELECT * FROM _rows", []
    return hashed, params


def next_night(con: duckdb.DuckDBPyConnection, night: date) -> date | None:
    return con.execute("SELECT min(as_of_date) FROM nights WHERE as_of_date > ?", [night]).fetchone()[0]


def _x(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> duckdb.DuckDBPyConnection:
    """Execute with the named parameters the statement uses (DuckDB refuses unused ones)."""
    return con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})


def _splice(con: duckdb.DuckDBPyConnection, name: str, cols: list[str], night: date, until: date | None,
            rows: str, params: list) -> dict:
    """Make ``name``'s state on ``night`` equal the ``_tonight`` rows (read by ``rows``), other nights unchanged.

    Rows valid on the night and still there: untouched. Rows gone: cut at the night (and, when a
    later night was recorded before this one, resumed from that night on). New rows: valid from the
    night to the next recorded one, joined to an identical version that ended at this night.
    """
    t = _q(name)
    covers = "valid_from <= $n AND (valid_to IS NULL OR valid_to > $n)"
    p = {"n": night, "m": until}
    col_list = ", ".join(_q(c) for c in cols)
    _x(con, f"CREATE OR REPLACE TEMP TABLE _gone AS SELECT row_hash FROM {t} WHERE {covers} "
            "AND row_hash NOT IN (SELECT row_hash FROM _tonight)", p)
    _x(con, f"CREATE OR REPLACE TEMP TABLE _new AS SELECT row_hash FROM _tonight "
            f"WHERE row_hash NOT IN (SELECT row_hash FROM {t} WHERE {covers})", p)
    if until is not None:
        _x(con, f"INSERT INTO {t} (row_hash, valid_from, valid_to, {col_list}) "
            f"SELECT row_hash, $m, valid_to, {col_list} FROM {t} WHERE {covers} "
            "AND row_hash IN (SELECT row_hash FROM _gone) AND (valid_to IS NULL OR valid_to > $m)", p)
    _x(con, f"DELETE FROM {t} WHERE valid_from = $n AND row_hash IN (SELECT row_hash FROM _gone)", p)
    _x(con, f"UPDATE {t} SET valid_to = $n WHERE {covers} AND row_hash IN (SELECT row_hash FROM _gone)", p)
    # A version that ended at this night and is back: extend it rather than start a new one.
    _x(con, f"CREATE OR REPLACE TEMP TABLE _joined AS SELECT row_hash FROM {t} WHERE valid_to = $n "
            "AND row_hash IN (SELECT row_hash FROM _new)", p)
    _x(con, f"UPDATE {t} SET valid_to = $m WHERE valid_to = $n AND row_hash IN (SELECT row_hash FROM _joined)", p)
    con.execute("CREATE OR REPLACE TEMP TABLE _insert AS SELECT row_hash FROM _new "
                "WHERE row_hash NOT IN (SELECT row_hash FROM _joined)")
    if con.execute("SELECT count(*) FROM _insert").fetchone()[0]:
        lit = f"DATE '{night.isoformat()}', " + (f"DATE '{until.isoformat()}'" if until else "NULL")
        con.execute(f"INSERT INTO {t} (row_hash, valid_from, valid_to, {col_list}) SELECT row_hash, {lit}, "
                    f"{col_list} FROM ({rows}) WHERE row_hash IN (SELECT row_hash FROM _insert)", params)
    gone, new, joined = (con.execute(f"SELECT count(*) FROM {x}").fetchone()[0] for x in ("_gone", "_new", "_joined"))
    return {"gone": gone, "new": new - joined, "rejoined": joined}


def record(run_id: str, night: date, warehouse: Path | None = None) -> dict:
    """Append the night's governance outputs to history (only changed rows); returns counts per table.

    A re-run of the night replaces that night's record; a backfill of an earlier night is spliced
    in without changing what later nights say. Expired history and workbooks go too (``keep``).
    """
    from pdgov import __version__
    from pdgov.history import keep
    from pdgov.warehouse import release_inprocess_dbt

    wh = warehouse or paths().warehouse
    release_inprocess_dbt()
    counts: dict[str, dict] = {}
    columns: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    with open_history() as con:
        con.execute(f"ATTACH '{wh.as_posix()}' AS wh (READ_ONLY)")
        try:
            source = _tables(con, "wh")
            have = _tables(con, con.execute("SELECT current_database()").fetchone()[0])
            until = next_night(con, night)
            con.execute("BEGIN TRANSACTION")
            for tr in TRACKED:
                if tr.name not in source:
                    continue
                sql = tr.select.replace("$run_id", "?")
                params = [run_id] if "$run_id" in tr.select else []
                con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS {sql} LIMIT 0", params)  # its columns
                src_cols = [(c, t) for c, t in _tables(con, "temp").get("_src", [])]
                columns[tr.name] = [c for c, _ in src_cols]
                stored = [(c, t) for c, t in src_cols if c not in NIGHT_COLUMNS]
                names = [c for c, _ in stored]
                _ensure_table(con, tr.name, stored, have)
                t0 = time.monotonic()
                counts[tr.name] = _splice(con, tr.name, names, night, until, *_tonight(con, sql, params, names))
                seconds[tr.name] = time.monotonic() - t0  # where a night's recording goes (logged)
            import dbt.version
            import openpyxl

            versions = [["pdgov 版本", __version__, "", None], ["dbt 版本", str(dbt.version.__version__), "", None],
                        ["duckdb 版本", duckdb.__version__, "", None], ["openpyxl 版本", openpyxl.__version__, "", None]]
            con.execute("INSERT OR REPLACE INTO nights VALUES (?, ?, ?, ?, ?, NULL)",
                        [night, run_id, clock.now(), json.dumps(columns), json.dumps(versions, ensure_ascii=False)])
            counts["expired"] = keep.expire_history(con, night)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.execute("DETACH wh")
    counts["exports_expired"] = {"folders": keep.expire_exports(paths().home, night)}
    slowest = sorted(((v, k) for k, v in seconds.items()), reverse=True)
    log.info("pdgov: history: night %s recorded: %s; slowest tables: %s", night,
             json.dumps(counts, default=str)[:1500], ", ".join(f"{k} {s:.1f}s" for s, k in slowest[:8]))
    return counts


def nights(con: duckdb.DuckDBPyConnection) -> list[date]:
    return [d for (d,) in con.execute("SELECT as_of_date FROM nights ORDER BY 1").fetchall()]


def night_info(con: duckdb.DuckDBPyConnection, night: date) -> dict:
    row = con.execute("SELECT run_id, columns, versions, redacted_at FROM nights WHERE as_of_date = ?",
                      [night]).fetchone()
    if row is None:
        known = nights(con)
        before = [d.isoformat() for d in known if d < night][-1:]
        raise LookupError(f"no governance history for {night}: nights recorded are {len(known)}"
                          + (f", the nearest before it {before[0]}" if before else "")
                          + (f" ({known[0]} … {known[-1]})" if known else ""))
    return {"run_id": row[0], "columns": json.loads(row[1]), "versions": json.loads(row[2]), "redacted_at": row[3]}


def state_sql(table: str, columns: list[str], night: date) -> str:
    """The rows of ``table`` as they were on ``night`` (with the night's date in its night columns)."""
    sel = ", ".join(f"DATE '{night.isoformat()}' AS {_q(c)}" if c in NIGHT_COLUMNS else _q(c) for c in columns)
    return (f"SELECT {sel} FROM {_q(table)} WHERE valid_from <= DATE '{night.isoformat()}' "
            f"AND (valid_to IS NULL OR valid_to > DATE '{night.isoformat()}')")


def state(con: duckdb.DuckDBPyConnection, table: str, night: date) -> list[tuple]:
    """What ``table`` said on ``night``, in a stable order: the question history must answer."""
    cols = night_info(con, night)["columns"].get(table)
    if cols is None:
        return []
    return con.execute(state_sql(table, cols, night) + " ORDER BY ALL").fetchall()
