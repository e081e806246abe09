"""Refused files: nothing of them loaded, every problem recorded, the file set aside.

Each problem (line, column header, reason) goes to ``main.ingest_rejections``; the file goes to
``quarantine/<source>/`` (national IDs masked) with a ``.rejections.txt`` report a steward can
act on. ``explain`` finds the problems of a file the load refused, line by line.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

import duckdb

from pdgov import clock
from pdgov.config import hmac_key, paths
from pdgov.contracts import Contract
from pdgov.crash import crash_point
from pdgov.ingest import safe_copy, text_ids
from pdgov.ingest.delivery import Delivery
from pdgov.ingest.readers import FileRefused

log = logging.getLogger("pdgov.ingest")


MAX_REJECTIONS_PER_FILE = 1000


def reject(con, contract: Contract, f: Path, sha: str, size: int, run_id: str, problems: list[tuple],
           n_rows: int, key: bytes | None = None, converted: Path | None = None) -> dict:
    """Refuse ``f`` whole: its problems (line, column, reason) and its ledger row in one transaction,
    then the file (IDs pseudonymised, ``safe_copy``) and its report into ``quarantine/<source>/``;
    returns the outcome. A reason or header that quotes an ID-shaped token is masked first."""
    src = contract.source
    problems = [(ln, text_ids.scrub_masked(col), text_ids.scrub_masked(reason)) for ln, col, reason in problems]
    now = clock.now()
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(
            """INSERT INTO main.ingest_rejections (source, file_name, file_sha256, line_no, column_name, reason, run_id,
               rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [[src, f.name, sha, ln, col, reason, run_id, now] for ln, col, reason in problems],
        )
        bad_lines = len({ln for ln, _, _ in problems if ln is not None and ln > 1})
        con.execute(
            """INSERT INTO main.ingest_files (file_sha256, source, file_name, size_bytes, status, rows_in, rows_rejected,
               archived_as, run_id, first_seen_at, loaded_at, notes) VALUES (?, ?, ?, ?, 'rejected', 0, ?, ?, ?, ?, NULL, ?)""",
            [sha, src, f.name, size, bad_lines or n_rows, f"{sha[:16]}__{f.name}", run_id, now,
             f"{len(problems)} problem(s); file refused whole"],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    crash_point("ingest_rejected_committed")
    _file_away(contract, f, sha, problems, run_id, now, key, converted)
    log.warning("pdgov: %s %s refused: %s", src, f.name, problems[0][2])
    return {"file_name": f.name, "sha256": sha, "status": "rejected", "rows": 0, "rows_rejected": len(problems),
            "problems": [list(p_) for p_ in problems[:20]]}


def _file_away(contract: Contract, f: Path, sha: str, problems: list[tuple], run_id: str, at: datetime,
               key: bytes | None = None, converted: Path | None = None) -> None:
    """The refused file (IDs pseudonymised) and its report into ``quarantine/<source>/``."""
    qdir = paths().quarantine / contract.source
    qdir.mkdir(parents=True, exist_ok=True)
    dest = qdir / f"{sha[:16]}__{f.name}"
    safe_copy.place(f, dest, key or hmac_key(), converted)
    report = dest.parent / (dest.name + ".rejections.txt")
    lines = [f"pdgov: {contract.source} file {f.name} refused whole on {at:%Y-%m-%d %H:%M:%S} (run {run_id})",
             f"SHA-256: {sha}", "Nothing from this file was loaded. Fix the lines below and deliver it again.", ""]
    for ln, col, reason in problems:
        lines.append(f"line {ln if ln is not None else '-'}, column {col or '-'}: {reason}")
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")


def file_away_again(con, contract: Contract, f: Path, sha: str) -> None:
    """The bytes of a file the ledger knows as refused are in landing again: a repeat delivery, or
    the file itself when a crash came between its COMMIT and its move. Either way its problems are
    recorded; quarantine gets the copy and report the first refusal would have left if they are
    not there yet (a file with IDs would otherwise be deleted with nothing left to fix)."""
    dest = paths().quarantine / contract.source / f"{sha[:16]}__{f.name}"
    report = dest.with_name(dest.name + ".rejections.txt")
    if not report.exists():
        run_id, at = con.execute("SELECT run_id, first_seen_at FROM main.ingest_files WHERE file_sha256 = ?",
                                 [sha]).fetchone()
        problems = con.execute("SELECT line_no, column_name, reason FROM main.ingest_rejections "
                               "WHERE file_sha256 = ? ORDER BY rowid", [sha]).fetchall()  # as recorded
        _file_away(contract, f, sha, problems, run_id, at)
    else:
        f.unlink()  # the same bytes are in quarantine already (as sent, or pseudonymised)


#: Words of the refusals the header vocabulary decides (``delivery._map_header``).
HEADER_REFUSALS = ("not a known header", "required column", "both mean")


def headers_now_known(con, contract: Contract, f: Path, sniffed, tmp: Path, read=None) -> bool:
    """Whether a file refused only for its headers (line 1) would now pass the header check — a
    steward added the spelling to the vocabulary seed. Then its refusal is forgotten (ledger row,
    rejections, quarantine copy and report) so the same bytes are loaded as a new file: the agency
    need not export it again. Any other refusal stands (the same bytes fail the same way).
    ``read`` turns the file into its UTF-8 CSV (a source's own door; default ``to_utf8_csv``)."""
    from pdgov.ingest.delivery import NotUtf8, prepare
    from pdgov.ingest.readers import to_utf8_csv

    sha = sniffed.sha256
    problems = con.execute("SELECT line_no, reason FROM main.ingest_rejections WHERE file_sha256 = ?", [sha]).fetchall()
    if not problems or any(ln != 1 or not any(w in (r or "") for w in HEADER_REFUSALS) for ln, r in problems):
        return False
    try:
        prepare(contract, f, (read or to_utf8_csv)(f, sniffed, tmp))
    except (FileRefused, NotUtf8):
        return False
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM main.ingest_rejections WHERE file_sha256 = ?", [sha])
    con.execute("DELETE FROM main.ingest_files WHERE file_sha256 = ?", [sha])
    con.execute("COMMIT")
    dest = paths().quarantine / contract.source / f"{sha[:16]}__{f.name}"
    for suffix in ("", ".csv", ".withheld.txt", ".rejections.txt"):
        dest.with_name(dest.name + suffix).unlink(missing_ok=True)
    log.info("pdgov: %s %s: refused before for its headers, which the vocabulary now accepts; loading it",
             contract.source, f.name)
    return True


def explain(con, contract: Contract, d: Delivery) -> tuple[list[tuple], int]:
    """Every problem of a file the fast path refused: (line, column header, reason), in file order.

    Runs only for files that failed, so it may materialise the file and spend regular
    expressions on the failed rows to say exactly what is wrong with each.
    """
    stage1, reasons = d.stage1(contract)
    try:
        con.execute("DROP TABLE IF EXISTS _typed")
        con.execute(f"CREATE TEMP TABLE _typed AS SELECT (row_number() OVER ()) + 1 AS _line_no, * FROM ({stage1})")
    except duckdb.Error as exc:
        raise _csv_refusal(exc) from exc
    n_rows = con.execute("SELECT count(*) FROM _typed").fetchone()[0]
    zh = {v: d.header[k] for k, v in d.mapping.items()}
    problems: list[tuple] = []
    if reasons:
        err_cols = [r.rsplit(" AS ", 1)[1].strip('"') for r in reasons]
        any_bad = " OR ".join(f'"{e}" IS NOT NULL' for e in err_cols)
        con.execute("DROP TABLE IF EXISTS _bad")
        con.execute(f"CREATE TEMP TABLE _bad AS SELECT * FROM (SELECT _line_no, {', '.join(reasons)} FROM _typed) "
                    f"WHERE {any_bad} ORDER BY _line_no LIMIT {MAX_REJECTIONS_PER_FILE}")
        union = " UNION ALL ".join(
            f"SELECT _line_no, '{e[3:]}' AS col, \"{e}\" AS reason FROM _bad WHERE \"{e}\" IS NOT NULL"
            for e in err_cols)
        for line_no, col, reason in con.execute(
                f"SELECT * FROM ({union}) ORDER BY _line_no, col LIMIT {MAX_REJECTIONS_PER_FILE}").fetchall():
            problems.append((line_no, zh.get(col, next((c.zh for c in contract.columns if c.name == col), col)),
                             reason))
    if contract.key and not problems:
        keys = ", ".join(contract.key)
        for line_no, first in con.execute(
            f"""SELECT _line_no, first_line FROM (SELECT _line_no, min(_line_no) OVER (PARTITION BY {keys})
                AS first_line FROM _typed) WHERE _line_no <> first_line ORDER BY _line_no
                LIMIT {MAX_REJECTIONS_PER_FILE}"""
        ).fetchall():
            problems.append((line_no, None, f"duplicate of line {first} (same {', '.join(contract.key)})"))
    con.execute("DROP TABLE IF EXISTS _typed")
    con.execute("DROP TABLE IF EXISTS _bad")
    return problems, n_rows


def _csv_refusal(exc: Exception) -> FileRefused:
    msg = str(exc).split("\n")[0]
    m = re.search(r"[Ll]ine:? ?(\d+)", str(exc))
    return FileRefused(f"not a well-formed CSV: {msg[:300]}", int(m.group(1)) if m else None)
