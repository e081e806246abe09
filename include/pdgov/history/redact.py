"""The record stays, the person goes: redacting history when the data it names is deleted.

A sample drawn in June names the query, the account and the masked subject; the WebIR log it was
drawn from is deleted after five years (seed 004 §9(2)), the sample record is kept five years from
its own night (§12(11)) — so for a while the record outlives the data. Seed 002 §24 asks that
deleted data cannot be restored or recombined: the identifiers in history rows go, the rows stay.

The retention purge calls :func:`redact` with the keys of what it deleted (the hook, for the purge's
owner: ``redact({"query_key": <keys of the WebIR queries deleted>})`` after its delete transaction
and before it rebuilds the warehouse; ``{"account": [...]}`` when account records are deleted).
``redact`` then rewrites the history file into a fresh one (DuckDB keeps overwritten strings in
freed blocks) and renders again the workbooks and dashboard snapshots of every night whose rows
changed, so no file under ``PDGOV_HOME`` keeps the old values. Those nights' workbooks are no
longer byte-identical to what was printed then, and ``nights.redacted_at`` says when and why.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

from pdgov import clock
from pdgov.config import paths
from pdgov.history.store import history_path, open_history

log = logging.getLogger("pdgov.history")

REDACTED = "（已刪除）"
#: history table -> identifying key -> the columns that go when a row's key is among the deleted.
#: The query key itself stays: it identifies the record (a sample line), not a person, once the
#: query log it pointed to is gone.
PERSONAL: dict[str, dict[str, tuple[str, ...]]] = {
    "webir_audit_samples": {"query_key": ("account", "subject_masked", "case_no", "reason"),
                            "account": ("account", "subject_masked", "case_no", "reason")},
    "webir_audit_findings": {"query_key": ("note",)},
    "webir_audit_unaudited": {"query_key": ("account",), "account": ("account",)},
    "webir_account_review": {"account": ("account", "detail")},
}


def redact(keys: dict[str, Iterable[str]], rerender: bool = True, history: Path | None = None) -> list[date]:
    """Blank the identifiers of history rows whose key is among ``keys``; returns the nights changed.

    ``keys`` maps a key column (``query_key``, ``account``) to the values deleted. Idempotent: a row
    already redacted is not counted again. Workbooks of the changed nights that still exist are
    rendered again from the redacted history (``rerender``).
    """
    from pdgov import writer_lock

    db = history or history_path()
    if not db.exists():
        return []
    nights: set[date] = set()
    with writer_lock.hold():
        with open_history(path=db) as con:
            tables = {t: {c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_catalog = current_database()", [t]).fetchall()} for t in PERSONAL}
            con.execute("BEGIN TRANSACTION")
            for key, values in keys.items():
                vals = sorted({str(v) for v in values if v is not None})
                if not vals:
                    continue
                con.execute("CREATE OR REPLACE TEMP TABLE _deleted (k VARCHAR)")
                con.executemany("INSERT INTO _deleted VALUES (?)", [[v] for v in vals])
                for table, by_key in PERSONAL.items():
                    cols = [c for c in by_key.get(key, ()) if c in tables[table]]
                    if key not in tables[table] or not cols:
                        continue
                    match = (f'CAST("{key}" AS VARCHAR) IN (SELECT k FROM _deleted) AND ('
                             + " OR ".join(f'"{c}" IS DISTINCT FROM \'{REDACTED}\'' for c in cols) + ")")
                    nights |= {d for (d,) in con.execute(
                        f'SELECT DISTINCT n.as_of_date FROM "{table}" t JOIN nights n ON n.as_of_date >= t.valid_from '
                        f"AND (t.valid_to IS NULL OR n.as_of_date < t.valid_to) WHERE {match}"
                    ).fetchall()}
                    sets = ", ".join(f'"{c}" = \'{REDACTED}\'' for c in cols)
                    con.execute(f'UPDATE "{table}" SET {sets}, row_hash = hash(row_hash, \'redacted\') WHERE {match}')
            if nights:
                con.execute("UPDATE nights SET redacted_at = ? WHERE as_of_date IN (SELECT unnest(?))",
                            [clock.now(), sorted(nights)])
            con.execute("COMMIT")
        if nights:
            rewrite(db)
    if nights and rerender:
        _rerender(sorted(nights))
    log.info("pdgov: history: redacted %s in the records of %d nights", sorted(keys), len(nights))
    return sorted(nights)


def rewrite(db: Path) -> None:
    """Copy the history file into a fresh one and put it in place: the old values' bytes go with the old file."""
    new = db.with_name(db.name + ".new")
    for stale in (new, new.with_name(new.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{db.as_posix()}' AS old (READ_ONLY)")
        con.execute(f"ATTACH '{new.as_posix()}' AS fresh")
        con.execute("COPY FROM DATABASE old TO fresh")
        con.execute("DETACH old")
        con.execute("DETACH fresh")
    finally:
        con.close()
    fd = os.open(new, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(new, db)
    db.with_name(db.name + ".wal").unlink(missing_ok=True)


def _rerender(nights: list[date]) -> None:
    from pdgov.history.render import render

    for night in nights:
        if (paths().exports / night.isoformat()).is_dir():
            render(night)
