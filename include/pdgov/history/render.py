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

    mem, info = materialize(night, history)
    own = out_dir is None
    target = out_dir or paths().exports / night.isoformat()
    run_id = info["run_id"]
    written: list[Path] = []
    try:
        cols = wb._main_columns(mem)
        run, sources, names = wb._run_info(mem, cols, run_id), wb._source_files(mem, cols), wb._agency_names(mem, cols)
        day = night.isoformat()
        for code in [None, *wb._agencies(mem)]:
            path = target / f"pdgov_全市_{day}.xlsx" if code is None else target / "agency" / f"pdgov_{code}_{day}.xlsx"
            wb._book(mem, cols, run_id, night, code, run, sources, names, path, versions=info["versions"])
            written.append(path)
        if own:
            for old in (target / "agency").glob("*.xlsx"):
                if old not in written:
                    old.unlink()
            _snapshot(mem, run_id, night, target)
    finally:
        mem.close()
    log.info("pdgov: history: %d workbooks of %s rendered from history into %s", len(written), night, target)
    return written


def _snapshot(mem: duckdb.DuckDBPyConnection, run_id: str, night: date, folder: Path) -> None:
    """The night's dashboard snapshot (``pdgov.ui.snapshot``), from the rows the workbooks were drawn from."""
    import json
    import shutil

    from pdgov.ui import snapshot

    final = folder / snapshot.SNAPSHOT_DIR
    tmp = folder / f".{snapshot.SNAPSHOT_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    have = {t for (t,) in mem.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'main'").fetchall()}
    copied = [t for t in snapshot.TABLES if t in have]
    for table in copied:
        target = (tmp / f"{table}.parquet").as_posix().replace("'", "''")
        mem.execute(f"COPY (SELECT * FROM main.\"{table}\") TO '{target}' (FORMAT parquet)")
    about = {"run_id": run_id, "logical_date": night.isoformat(), "tables": copied, "rendered_from": "history"}
    (tmp / snapshot.ABOUT).write_text(json.dumps(about, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
