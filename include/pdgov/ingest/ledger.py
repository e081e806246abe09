"""The file ledger (``main.ingest_files``) and the archive of loaded files.

The ledger knows every file by its content hash: which run loaded it, when, how many rows, under
which name. A repeat of the same bytes is recognised and never loaded twice; a corrected
re-delivery under the same name replaces the rows of that name's earlier file, and nothing else.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from pdgov.config import hmac_key, paths
from pdgov.contracts import Contract
from pdgov.crash import crash_point
from pdgov.ingest import safe_copy
from pdgov.ingest.delivery import sql_str
from pdgov.ingest.raw_schema import carries_ids

log = logging.getLogger("pdgov.ingest")


def delete_earlier(contract: Contract, names: list[str]) -> str:
    """The DELETE by which a corrected re-delivery replaces the rows of the earlier loaded file of
    the same name, and nothing else (the ledger knows which content hash that name last loaded)."""
    in_names = ", ".join(sql_str(n) for n in names)
    return (f"DELETE FROM raw.{contract.table} WHERE _file_sha256 IN (SELECT file_sha256 FROM main.ingest_files "
            f"WHERE source = {sql_str(contract.source)} AND status = 'loaded' AND file_name IN ({in_names}))")


def replace_earlier(con, contract: Contract, names: list[str]) -> None:
    """Inside the load's transaction: the rows of the earlier loaded files of these names leave
    the raw table and, for punches, the closed months' files that hold them (``pdgov.punch_months``)."""
    if contract.table == "punches":
        from pdgov import punch_months

        earlier = [r[0] for r in con.execute(
            f"SELECT file_sha256 FROM main.ingest_files WHERE source = ? AND status = 'loaded' AND file_name IN "
            f"({', '.join('?' * len(names))})", [contract.source, *names]).fetchall()]
        punch_months.drop_files(con, earlier)
    con.execute(delete_earlier(contract, names))


def record_loaded(con, contract: Contract, files: list[tuple[str, str, int, int, list[str]]], run_id: str,
                  loaded_at: datetime) -> None:
    """The file ledger's rows for loaded files — ``(name, sha, size, rows, dropped columns)`` each —
    replacing the rows of earlier files of those names: one DELETE and one INSERT for a whole batch."""
    names = [name for name, *_ in files]
    con.execute(f"DELETE FROM main.ingest_files WHERE source = ? AND status = 'loaded' AND file_name IN "
                f"({', '.join('?' * len(names))})", [contract.source, *names])
    params: list = []
    for name, sha, size, n_rows, dropped in files:
        params += [sha, contract.source, name, size, n_rows, f"{sha[:16]}__{name}", run_id, loaded_at, loaded_at,
                   f"columns dropped (not in the contract): {', '.join(dropped)}" if dropped else None]
    con.execute("""INSERT INTO main.ingest_files (file_sha256, source, file_name, size_bytes, status, rows_in,
                   rows_rejected, archived_as, run_id, first_seen_at, loaded_at, notes) VALUES """
                + ", ".join(["(?, ?, ?, ?, 'loaded', ?, 0, ?, ?, ?, ?, ?)"] * len(files)), params)


def _archived(contract: Contract, f: Path, sha: str) -> Path:
    """Where a loaded file's archive copy is: the pseudonymised CSV when the source carries IDs."""
    dest = paths().archive / contract.source / f"{sha[:16]}__{f.name}"
    return dest.with_name(dest.name + ".csv") if carries_ids(contract) else dest


def _archive(con, contract: Contract, f: Path, sha: str, key: bytes | None = None,
             converted: Path | None = None, dropped: list[str] | None = None) -> None:
    dest = _archived(contract, f, sha)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if carries_ids(contract):
        # The archive keeps what the warehouse keeps: pseudonyms, never the IDs themselves.
        # Columns as ever (data, _file_sha256, _source_file, _line_no): the name is the file's.
        con.execute(f"COPY (SELECT * EXCLUDE (_line_no, _loaded_at), {sql_str(f.name)} AS _source_file, _line_no "
                    f"FROM raw.{contract.table} WHERE _file_sha256 = '{sha}' ORDER BY _line_no) "
                    f"TO '{dest.as_posix()}' (HEADER, DELIMITER ',')")
        f.unlink()
    else:
        # As delivered, unless a national ID was typed somewhere in it (free text, a dropped column).
        as_loaded = dropped == [] and not contract.free_text_columns()
        safe_copy.place(f, dest, key or hmac_key(), converted, as_loaded)


def archive_loaded(con, contract: Contract, f: Path, sha: str, n_rows: int, dropped: list[str],
                   key: bytes | None = None, converted: Path | None = None) -> dict:
    """After the COMMIT of ``f``'s rows and ledger row: the file leaves landing for the archive
    (``converted``: its UTF-8 CSV, when the ingest made one, for a pseudonymised copy)."""
    crash_point("ingest_loaded_committed")
    src = contract.source
    _archive(con, contract, f, sha, key, converted, dropped)
    if dropped:
        log.warning("pdgov: %s %s: columns dropped (not in the contract): %s", src, f.name, ", ".join(dropped))
    return {"file_name": f.name, "sha256": sha, "status": "loaded", "rows": n_rows, "dropped_columns": dropped}


def archive_again(con, contract: Contract, f: Path, sha: str) -> None:
    """The bytes of a file the ledger knows as loaded are in landing again: a repeat delivery, or
    the file itself when a crash came between its COMMIT and its archiving. Either way its rows are
    in; the archive gets the copy the first load would have left if it is not there yet."""
    dest = _archived(contract, f, sha)
    copies = (dest, dest.with_name(dest.name + ".csv"), dest.with_name(dest.name + ".withheld.txt"))
    if carries_ids(contract) and (dest.exists() or not con.execute(
            f"SELECT count(*) FROM raw.{contract.table} WHERE _file_sha256 = ?", [sha]).fetchone()[0]):
        f.unlink()  # its pseudonymised copy is there, or none of its rows is left to copy
    elif not carries_ids(contract) and any(c.exists() for c in copies):
        f.unlink()  # the same bytes are archived already (as sent, or pseudonymised)
    else:
        _archive(con, contract, f, sha)
