"""Loading one source's landing folder: whole files or quarantine, nothing lost, nothing raw.

For each file: hash it (the file ledger recognises a re-delivery), read it into one UTF-8 CSV,
map its zh-TW/English headers to the contract, check every row in DuckDB, and then either
write all its rows to ``raw.<table>`` in one transaction and archive it, or write every problem
to ``ingest_rejections`` and move it to ``quarantine/`` with a readable report. National IDs are
replaced by a keyed HMAC before anything is written, and archive/quarantine copies of files
that carry them are pseudonymised the same way.

This module decides the path of each file; the parts are beside it: ``raw_schema`` (the raw
tables), ``delivery`` (a file mapped to the contract), ``load`` (the INSERT and its checks),
``gate`` (pandera), ``ledger`` (file ledger, archive) and ``quarantine`` (refused files).
"""

from __future__ import annotations

import importlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pdgov.config import hmac_key, paths
from pdgov.contracts import CONTRACTS, Contract
from pdgov.ingest import gate, ledger, load, national_id, quarantine, text_ids
from pdgov.ingest.checks import MACROS
from pdgov.ingest.delivery import Delivery, NotUtf8, Pending, prepare
from pdgov.ingest.raw_schema import carries_ids, ensure_raw_tables
from pdgov.ingest.readers import FileRefused, Sniffed, file_digest, sniff, to_utf8_csv
from pdgov.warehouse import connect

log = logging.getLogger("pdgov.ingest")


#: Small files load several to a transaction (see ``load.load_batch``); these bound one batch.
BATCH_MAX_FILE_BYTES = 8 * 1024 * 1024
BATCH_MAX_FILES = 200
BATCH_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Door:
    """What a source adds to the one-file path: how its file becomes the UTF-8 CSV (a workbook of
    many sheets) and per-line rules of its own, checked before the load (line, column, reason)."""

    to_csv: Callable[[Path, Sniffed, Path], Path]
    screen: Callable[[object, Delivery], list[tuple[int, str, str]]]


#: Sources with a door of their own (its module's ``DOOR``); their files take the one-file path.
DOORS = {"webir_audit_results": "pdgov.audit.intake"}


def ingest_source(source: str, run_id: str, logical_date: date) -> dict:
    """Load every file waiting in ``landing/<source>/``; see the module docstring."""
    if source not in CONTRACTS:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(CONTRACTS)}")
    door: Door | None = importlib.import_module(DOORS[source]).DOOR if source in DOORS else None
    p = paths().ensure()
    contract = CONTRACTS[source]
    landing = p.landing_for(source)
    # Hidden files and Excel's owner files (``~$name.xlsx``, left while a workbook is open) are not deliveries.
    files = sorted(f for f in landing.iterdir() if f.is_file() and not f.name.startswith((".", "~$")))
    result = {"source": source, "files": 0, "files_rejected": 0, "files_skipped": 0, "rows_in": 0,
              "rows_rejected": 0, "file_list": []}
    # No run starts without the pseudonymisation key, even for a source without national IDs:
    # a night that loads punches and then fails on the roster would leave a half-loaded run.
    key = hmac_key()
    needs_key = carries_ids(contract)
    with connect() as con, tempfile.TemporaryDirectory(prefix="pdgov-ingest-") as tmp:
        ensure_raw_tables(con)
        for m in MACROS:
            con.execute(m)
        text_ids.register(con, key)  # free-text columns: ID-shaped tokens pseudonymised at the door
        if needs_key:
            con.create_function("_pd_hmac", lambda v: national_id.pseudonym(v, key) if v else None,
                                ["VARCHAR"], "VARCHAR", side_effects=False)
        warm = lambda: gate.warm_up(source)  # noqa: E731 — started once the first file is hashed

        def record(outcome: dict) -> None:
            result["file_list"].append(outcome)
            status = outcome["status"]
            if status == "loaded":
                result["files"] += 1
                result["rows_in"] += outcome["rows"]
            elif status == "rejected":
                result["files_rejected"] += 1
                result["rows_rejected"] += outcome["rows_rejected"]
            else:
                result["files_skipped"] += 1
            log.info("pdgov: %s %s: %s (%s rows)", source, outcome["file_name"], status, outcome.get("rows", 0))

        batch: list[Pending] = []

        def flush() -> None:
            for outcome in _ingest_batch(con, contract, batch, run_id, logical_date, Path(tmp), key):
                record(outcome)
            batch.clear()

        for f in files:
            sniffed, item = (None, None) if door else _batchable(con, contract, f, Path(tmp), {b.sha for b in batch})
            if warm and item:
                warm()
                warm = None
            if item is None:
                # Not a plain small file: flushed first, so a repeat of a batched file is seen as loaded.
                flush()
                record(_ingest_file(con, contract, f, run_id, logical_date, Path(tmp), key, warm, sniffed, door))
                warm = None
                continue
            batch.append(item)
            if len(batch) >= BATCH_MAX_FILES or sum(b.size for b in batch) >= BATCH_MAX_BYTES:
                flush()
        flush()
        if contract.table == "punches":
            # closed months a corrected re-delivery rewrote: their replaced versions go now
            from pdgov import punch_months

            punch_months.sweep(con)
    return result


def _batchable(con, contract: Contract, f: Path, tmp: Path,
               batch_shas: set[str]) -> tuple[Sniffed | None, Pending | None]:
    """The file's hash (when taken) and the file ready for a batch — or no batch item when it
    takes the one-file path: too large (not hashed here: the one-file path hashes it once),
    refused at the door, already in the ledger, a repeat of a file in this batch, or not plainly
    UTF-8 after conversion. The one-file path reuses the hash and reports whatever is wrong."""
    if f.stat().st_size > BATCH_MAX_FILE_BYTES:
        return None, None
    try:
        sniffed = sniff(f)
    except FileRefused:
        return None, None
    try:
        if sniffed.sha256 in batch_shas or con.execute(
                "SELECT 1 FROM main.ingest_files WHERE file_sha256 = ?", [sniffed.sha256]).fetchone():
            return sniffed, None
        delivery = prepare(contract, f, to_utf8_csv(f, sniffed, tmp))
    except (FileRefused, NotUtf8):
        return sniffed, None
    return sniffed, Pending(f, sniffed, delivery)


def _ingest_batch(con, contract: Contract, batch: list[Pending], run_id: str, logical_date: date, tmp: Path,
                  key: bytes) -> list[dict]:
    """Load ``batch`` in one transaction. If a row rule refused it, the files whose rows failed
    are found with one query and take the one-file path (explained and quarantined as usual)
    while the rest load as a batch again. If anything else is wrong (a malformed CSV, duplicate
    rows, the pandera gate), the batch is split in halves down to single files: the good files
    still load, a bad one is refused alone."""
    if not batch:
        return []
    if len(batch) == 1:
        return [_ingest_file(con, contract, batch[0].f, run_id, logical_date, tmp, key, sniffed=batch[0].sniffed)]
    counts, culprits = load.load_batch(con, contract, batch, run_id, logical_date)
    if counts is None:
        if culprits:
            done = {id(b): [_ingest_file(con, contract, b.f, run_id, logical_date, tmp, key, sniffed=b.sniffed)]
                    for b in culprits}
            rest = [b for b in batch if id(b) not in done]
            return [o for b in culprits for o in done[id(b)]] + _ingest_batch(
                con, contract, rest, run_id, logical_date, tmp, key)
        mid = len(batch) // 2
        return (_ingest_batch(con, contract, batch[:mid], run_id, logical_date, tmp, key)
                + _ingest_batch(con, contract, batch[mid:], run_id, logical_date, tmp, key))
    return [ledger.archive_loaded(con, contract, b.f, b.sha, n, b.delivery.dropped, key, b.delivery.csv_path)
            for b, n in zip(batch, counts, strict=True)]


def _ingest_file(con, contract: Contract, f: Path, run_id: str, logical_date: date, tmp: Path, key: bytes,
                 warm=None, sniffed: Sniffed | None = None, door: Door | None = None) -> dict:
    """One file on its own; ``sniffed`` is its hash when the batch path already took it."""
    read = door.to_csv if door else to_utf8_csv
    try:
        if sniffed is None:
            sniffed = sniff(f)
    except FileRefused as exc:
        digest, size = file_digest(f)
        if con.execute("SELECT 1 FROM main.ingest_files WHERE file_sha256 = ?", [digest]).fetchone():
            # The same unreadable bytes again (the same night under another name, or a later one).
            quarantine.file_away_again(con, contract, f, digest)
            return {"file_name": f.name, "sha256": digest, "status": "skipped (rejected before)", "rows": 0}
        return quarantine.reject(con, contract, f, digest, size, run_id, [(exc.line_no, exc.column, exc.reason)], 0,
                                 key)
    finally:
        if warm:
            warm()
    seen = con.execute("SELECT status, archived_as FROM main.ingest_files WHERE file_sha256 = ?",
                       [sniffed.sha256]).fetchone()
    if seen and seen[0] == "rejected" and quarantine.headers_now_known(con, contract, f, sniffed, tmp, read):
        seen = None  # refused for its headers, which the steward's vocabulary now accepts: tried again
    if seen:
        # The same bytes again, or the file itself after a crash between its COMMIT and its move:
        # never loaded or reported twice; put it where its first outcome put it.
        if seen[0] == "loaded":
            ledger.archive_again(con, contract, f, sniffed.sha256)
        else:
            quarantine.file_away_again(con, contract, f, sniffed.sha256)
        return {"file_name": f.name, "sha256": sniffed.sha256, "status": f"skipped ({seen[0]} before)", "rows": 0}
    csv_path = None
    try:
        csv_path = read(f, sniffed, tmp)
        try:
            delivery, loaded = _load(con, contract, f, csv_path, sniffed, run_id, logical_date, door)
        except NotUtf8:
            # The start looked like UTF-8 but the rest is not: Big5 throughout, or mixed (refused).
            sniffed.encoding = "cp950"
            csv_path = read(f, sniffed, tmp)
            delivery, loaded = _load(con, contract, f, csv_path, sniffed, run_id, logical_date, door)
        if isinstance(loaded, list):  # the door's own rules refused these lines; nothing was loaded
            return quarantine.reject(con, contract, f, sniffed.sha256, sniffed.size, run_id, loaded,
                                     len({p[0] for p in loaded}), key, csv_path)
        if isinstance(loaded, int):
            return ledger.archive_loaded(con, contract, f, sniffed.sha256, loaded, delivery.dropped, key,
                                         delivery.csv_path)
        problems, n_rows = quarantine.explain(con, contract, delivery)
        if not problems and isinstance(loaded, str):
            problems = [(None, None, loaded)]
    except FileRefused as exc:
        return quarantine.reject(con, contract, f, sniffed.sha256, sniffed.size, run_id,
                                 [(exc.line_no, exc.column, exc.reason)], 0, key, csv_path)
    if not problems:
        problems = [(None, None, "the file failed the contract check but no single line could be blamed")]
    return quarantine.reject(con, contract, f, sniffed.sha256, sniffed.size, run_id, problems, n_rows, key, csv_path)


def _load(con, contract: Contract, f: Path, csv_path: Path, sniffed: Sniffed, run_id: str, logical_date: date,
          door: Door | None) -> tuple[Delivery, int | str | list | None]:
    """The file mapped to the contract, then the door's own line rules (their problems, a list) or
    the load (``load.fast_load``'s answer: rows loaded, a gate's reason, or None for a row rule)."""
    delivery = prepare(contract, f, csv_path)
    problems = door.screen(con, delivery) if door else []
    if problems:
        return delivery, problems
    return delivery, load.fast_load(con, contract, delivery, f, sniffed.sha256, sniffed.size, run_id, logical_date)
