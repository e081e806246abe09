"""Loading checked rows into ``raw``: one streaming INSERT for a large file, one for a batch of
small files of one column layout, all or nothing.

The contract's row rules ride along in the INSERT (a failing row aborts it); what needs the whole
file (line numbers, duplicate keys, the pandera gate) is done on the rows just written, before
COMMIT. The ledger rows are written in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

import duckdb

from pdgov import clock
from pdgov.contracts import Contract
from pdgov.ingest import gate, ledger
from pdgov.ingest.delivery import Delivery, NotUtf8, Pending, per_file
from pdgov.ingest.raw_schema import output_select

log = logging.getLogger("pdgov.ingest")


INVALID_ROW = "pdgov: invalid row"


def fast_load(con, contract: Contract, d: Delivery, f: Path, sha: str, size: int, run_id: str,
              logical_date: date, window: bool = False) -> int | str | None:
    """Load a file in one streaming pass (returns its row count), or roll back if anything is
    wrong (returns None, or the pandera contract's own message when that gate refused it).

    Why this shape: the expected file is a good one, so the checks ride along with the load.
    Each row's reason expressions are evaluated in the INSERT itself and a failing row raises,
    which aborts the transaction; nothing is materialised outside the target table, so memory
    does not grow with the file. What needs the whole file (duplicates, the pandera contract)
    is then checked on the rows just written, before COMMIT. Any failure sends the file to
    ``quarantine.explain`` for a per-line report.

    Line numbers: ``row_number() OVER ()`` in the INSERT would make DuckDB run the whole load on
    one thread. Instead the INSERT runs on every thread with insertion order preserved (DuckDB's
    default, set here explicitly), so the file's rows take consecutive row ids in file order,
    and one cheap UPDATE numbers them from their row id. If the row ids are not one consecutive
    run, the load is redone with the window (``window=True``), so a line number is never a guess.
    """
    loaded_at = clock.now()
    insert = insert_statement(contract, d, sha, logical_date, loaded_at, window)
    mine = _rows_loaded_at(loaded_at, sha)
    table = f"raw.{contract.table}"
    con.execute("SET preserve_insertion_order = true")
    con.execute("BEGIN TRANSACTION")
    try:
        # A corrected re-delivery of the same file name replaces that file's earlier rows only.
        ledger.replace_earlier(con, contract, [f.name])
        try:
            n_rows = con.execute(insert).fetchone()[0]
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            if "Invalid unicode" in str(exc) and d.csv_path == f:
                raise NotUtf8 from exc
            if INVALID_ROW in str(exc) or "CSV Error" in str(exc) or "Conversion Error" in str(exc):
                return None
            raise
        if not window and not _number_lines(con, table, mine, n_rows):
            log.warning("pdgov: %s: row ids not consecutive; numbering lines with a window", f.name)
            con.execute("ROLLBACK")
            return fast_load(con, contract, d, f, sha, size, run_id, logical_date, window=True)
        failed = contract.key and _has_duplicates(con, contract, table, mine)
        failed = failed or gate.pandera_gate(con, contract, [sha], loaded_at, n_rows)
        if failed:
            con.execute("ROLLBACK")
            return failed if isinstance(failed, str) else None
        ledger.record_loaded(con, contract, [(f.name, sha, size, n_rows, d.dropped)], run_id, loaded_at)
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    return n_rows


class _BatchRefused(Exception):
    """Something in a batch failed a check: roll it back; ``culprits``, when known, are the
    files to take out of it."""

    def __init__(self, why: str, culprits: list[Pending] | None = None):
        super().__init__(why)
        self.culprits = culprits or []


def load_batch(con, contract: Contract, batch: list[Pending], run_id: str,
               logical_date: date) -> tuple[list[int] | None, list[Pending]]:
    """Several small files in one transaction, all or none; returns each file's row count, or
    None when any check failed (rolled back: nothing of the batch is written) with the files to
    blame when a row rule failed.

    Why: a city night delivers ~1,200 small files (a roster and WebIR logs per agency, a punch
    export per agency). One file at a time, each paid the statement overhead of its INSERT
    (parsing and planning the contract's row rules again for a few hundred rows), plus its own line
    numbering, duplicate probe and pandera gate. Here the files of one column layout are read by
    one ``read_csv`` with the row rules riding along, then the batch is numbered, probed and gated
    once; only the ledger rows are per file. The usual night has no bad file, so the fallback
    (halving the batch, each half again one statement) is rare and cheap.
    """
    table = f"raw.{contract.table}"
    loaded_at = clock.now()
    mine = _rows_loaded_at(loaded_at)
    con.execute("SET preserve_insertion_order = true")
    con.execute("BEGIN TRANSACTION")
    try:
        # Corrected re-deliveries replace their earlier rows: one scan of the table for the batch
        # (per file, each small file paid a scan of all of raw.punches: the whole city's history).
        ledger.replace_earlier(con, contract, [b.f.name for b in batch])
        layouts: dict[tuple, list[Pending]] = {}
        for b in batch:
            layouts.setdefault(b.delivery.layout(), []).append(b)
        for group in layouts.values():
            try:
                con.execute(insert_statement(contract, group[0].delivery, group[0].sha, logical_date, loaded_at,
                                             together=group))
            except duckdb.Error as exc:
                if INVALID_ROW not in str(exc):
                    raise
                _rollback(con)
                raise _BatchRefused("a row rule failed", _rows_refused(con, contract, group)) from exc
        counts = _number_batch_lines(con, table, mine, [b.sha for b in batch])
        if counts is None:
            raise _BatchRefused("row ids not consecutive within a file")
        if contract.key and _has_duplicates(con, contract, table, mine):
            raise _BatchRefused("duplicate rows")
        if gate.pandera_gate(con, contract, [b.sha for b in batch], loaded_at, sum(counts)):
            raise _BatchRefused("pandera contract")
        ledger.record_loaded(con, contract, [(b.f.name, b.sha, b.size, n, b.delivery.dropped)
                                             for b, n in zip(batch, counts, strict=True)], run_id, loaded_at)
        con.execute("COMMIT")
    except (_BatchRefused, duckdb.Error) as exc:
        culprits = getattr(exc, "culprits", [])
        log.info("pdgov: %s: a batch of %d files is split (%s%s)", contract.source, len(batch),
                 str(exc).split("\n")[0][:200], f"; taken out: {', '.join(b.f.name for b in culprits)}" if culprits
                 else "")
        _rollback(con)
        return None, culprits
    except BaseException:
        _rollback(con)
        raise
    return counts, []


def _rows_refused(con, contract: Contract, group: list[Pending]) -> list[Pending]:
    """The files of a several-file read with a row that fails a row rule (one read-only query);
    empty if that cannot be told (the batch is then halved instead)."""
    stage1, reasons = group[0].delivery.stage1(contract, [b.delivery for b in group])
    why = _any_reason(reasons)
    try:
        bad = {r[0] for r in con.execute(f"SELECT DISTINCT filename FROM ({stage1}) WHERE {why} IS NOT NULL").fetchall()}
    except duckdb.Error:
        return []
    return [b for b in group if b.delivery.csv_path.as_posix() in bad]


def insert_statement(contract: Contract, d: Delivery, sha: str, logical_date: date,
                     loaded_at: datetime, window: bool = False,
                     together: list[Pending] | None = None) -> str:
    """The INSERT that loads a file with its row rules riding along. ``together``: several small
    files of ``d``'s layout in one INSERT, each row's file found by its path (lines numbered
    afterwards)."""
    stage1, reasons = d.stage1(contract, [b.delivery for b in together] if together else None)
    why = _any_reason(reasons)
    # The guard rides on the first contract column (always written, so never pruned); line
    # numbers are as in the file (header = 1).
    first = contract.columns[0].name
    names = ", ".join(c.name for c in contract.columns)
    line_no = "(row_number() OVER ()) + 1" if window else "CAST(NULL AS INTEGER)"
    tag = ", filename" if together else ""
    guarded = (f"(SELECT {line_no} AS _line_no, {names}{tag} FROM (SELECT * REPLACE (CASE WHEN {why} "
               f"IS NOT NULL THEN error('{INVALID_ROW}') ELSE {first} END AS {first}) FROM ({stage1})))")
    ts = _timestamp_sql(loaded_at)
    sha_sql = per_file([(b.delivery.csv_path, b.sha) for b in together]) if together else f"'{sha}'"
    lineage = f"{sha_sql} AS _file_sha256, _line_no, {ts} AS _loaded_at"
    return f"INSERT INTO raw.{contract.table} BY NAME {output_select(contract, guarded, lineage, logical_date)}"


def _timestamp_sql(at: datetime) -> str:
    return f"TIMESTAMP '{at:%Y-%m-%d %H:%M:%S.%f}'"


def _rows_loaded_at(loaded_at: datetime, sha: str | None = None) -> str:
    """The filter that finds exactly the rows a load just wrote, before COMMIT (``mine``): its load
    time (one per transaction, so a whole batch) and, for one file, that file's hash."""
    at = f"_loaded_at = {_timestamp_sql(loaded_at)}"
    return f"_file_sha256 = '{sha}' AND {at}" if sha else at


def _any_reason(reasons: list[str]) -> str:
    """One row's first failed rule (NULL when it passes them all), from ``stage1``'s reasons."""
    return f"coalesce({', '.join(r.rsplit(' AS ', 1)[0] for r in reasons)})" if reasons else "NULL"


def _number_lines(con, table: str, mine: str, n_rows: int) -> bool:
    """Number a just-loaded file's lines from its rows' consecutive row ids (header = line 1);
    False, with nothing changed, when the row ids are not one consecutive run.

    The one-file form of ``_number_batch_lines``, kept apart because on one large file the batch
    form's grouping and join cost many times what this does; batches are of small files, where
    the grouping costs nothing."""
    if not n_rows:
        return True
    first_id, last_id = con.execute(f"SELECT min(rowid), max(rowid) FROM {table} WHERE {mine}").fetchone()
    if last_id - first_id + 1 != n_rows:
        return False
    con.execute(f"UPDATE {table} SET _line_no = CAST(rowid - {first_id} + 2 AS INTEGER) WHERE {mine}")
    return True


def _number_batch_lines(con, table: str, mine: str, shas: list[str]) -> list[int] | None:
    """Number the lines of a batch's files, each from its rows' consecutive row ids (header =
    line 1) as ``_number_lines`` does for one file, in one UPDATE; returns each file's row count
    in ``shas`` order, or None (nothing changed) when some file's row ids are not one run, or a
    file has no rows (a several-file read that lost one must not pass as loaded)."""
    spans = {sha: (first, last, n) for sha, first, last, n in con.execute(
        f"SELECT _file_sha256, min(rowid), max(rowid), count(*) FROM {table} WHERE {mine} GROUP BY 1").fetchall()}
    if set(spans) != set(shas) or any(last - first + 1 != n for first, last, n in spans.values()):
        return None
    con.execute(f"""UPDATE {table} SET _line_no = CAST(rowid - s.first_id + 2 AS INTEGER)
                    FROM (SELECT _file_sha256 AS sha, min(rowid) AS first_id FROM {table} WHERE {mine} GROUP BY 1) s
                    WHERE {table}._file_sha256 = s.sha AND {table}.{mine}""")
    return [spans[sha][2] for sha in shas]


def _has_duplicates(con, contract: Contract, table: str, mine: str) -> bool:
    """Probe for duplicate natural keys: group one 64-bit hash per row and keep the groups seen
    twice. That is about half the work of ``count(DISTINCT …)``. A
    repeated hash is confirmed on the keys themselves, so a hash collision never refuses a file."""
    keys = ", ".join(k if k != "subject_id" else "subject_hmac" for k in contract.key)
    if contract.source == "webir":
        keys = "query_key"
    # Per file (``mine`` may cover a batch): the same punch in two files is a re-delivery, not a defect.
    repeated = (f"SELECT h FROM (SELECT hash(_file_sha256, {keys}) AS h FROM {table} WHERE {mine}) GROUP BY h "
                "HAVING count(*) > 1")
    if con.execute(f"{repeated} LIMIT 1").fetchone() is None:
        return False
    return con.execute(f"SELECT 1 FROM {table} WHERE {mine} AND hash(_file_sha256, {keys}) IN ({repeated}) "
                       f"GROUP BY _file_sha256, {keys} HAVING count(*) > 1 LIMIT 1").fetchone() is not None


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # already rolled back
