"""A past night's workbooks, rendered again from history (``pdgov export --date D``).

The night's tables are rebuilt from history into an in-memory DuckDB database — each with exactly
the columns it had that night, the run ledger row and source-file list included — and the same
workbook writer as the nightly task writes them. Same data, same writer, same versions recorded:
the same bytes (the writer fixes zip timestamps, document properties and row order), unless
something in that night's history was redacted since (``pdgov.history.redact``).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import duckdb

from pdgov.config import paths
from pdgov.history.store import history_path, night_info, state_sql

log = logging.getLogger("pdgov.history")


def materialize(night: date, history: Path | None = None) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """An in-memory database whose ``main`` holds the tracked tables as they were on ``night``."""
    from pdgov import writer_lock

    db = history or history_path()
    if not db.exists():
        raise FileNotFoundError(f"no governance history yet ({db}): no night has been recorded")
    mem = duckdb.connect()
    with writer_lock.hold(shared=True):
        mem.execute(f"ATTACH '{db.as_posix()}' AS hist (READ_ONLY)")
        try:
            mem.execute("USE hist")
            info = night_info(mem, night)
            mem.execute("USE memory")
            for table, columns in sorted(info["columns"].items()):
                mem.execute(f'CREATE TABLE memory.main."{table}" AS '
                            + state_sql(table, columns, night).replace(' FROM "', ' FROM hist.main."', 1))
        finally:
            mem.execute("USE memory")
            mem.execute("DETACH hist")
    return mem, info


def render(night: date, out_dir: Path | None = None, history: Path | None = None) -> list[Path]:
    """Write ``night``'s city and agency workbooks from history into ``out_dir`` (default: its folder).

    Written into the night's own folder, the set replaces what is there (an agency workbook with
    no rows in history goes) and the dashboard snapshot of the night is rebuilt from the same rows.
    """
    from pdgov.exports import workbooks as wb
    from pdgov.ui import snapshot

    mem, info = materialize(night, history)
    own = out_dir is None
    target = out_dir or paths().exports / night.isoformat()
    try:
        written = wb.write_books(mem, info["run_id"], night, [None, *wb._agencies(mem)], target, info["versions"])
        if own:
            wb.remove_stale(target, written)
            snapshot.write_from(mem, info["run_id"], night, rendered_from="history")
    finally:
        mem.close()
    log.info("pdgov: history: %d workbooks of %s rendered from history into %s", len(written), night, target)
    return written

