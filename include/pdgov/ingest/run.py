"""Loading one source's landing folder: whole files or quarantine, nothing lost, nothing raw.

For each file: hash it (the file ledger recognises a re-delivery), read it into one UTF-8 CSV,
map its zh-TW/English headers to the contract, check every row in DuckDB, and then either
write all its rows to ``raw.<table>`` in one transaction and archive it, or write every problem
to ``ingest_rejections`` and move it to ``quarantine/`` with a readable report. National IDs are
replaced by a keyed HMAC before anything is written, and archive/quarantine copies of files
that carry them are pseudonymised the same way.
"""

from __future__ import annotations

import csv
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from pdgov import clock
from pdgov.config import hmac_key, paths
from pdgov.contracts import CONTRACTS, FORBIDDEN_HEADER_WORDS, Contract
from pdgov.ingest import national_id
from pdgov.ingest.checks import MACROS, typed_select
from pdgov.ingest.readers import FileRefused, Sniffed, file_digest, sniff, to_utf8_csv
from pdgov.warehouse import connect

log = logging.getLogger("pdgov.ingest")
MAX_REJECTIONS_PER_FILE = 1000
FUTURE_TOLERANCE = timedelta(minutes=10)
#: The pandera gate checks low-cardinality columns on their distinct values from this many rows on:
#: on 10 M punches that took the gate from 1.1 s to 0.34 s, but each distinct-value validation is a
#: query of its own (~10 ms), which a small batch (a few thousand rows) pays for nothing.
GATE_DISTINCT_FROM_ROWS = 100_000
#: Small files load several to a transaction (see ``_load_batch``); these bound one batch.
BATCH_MAX_FILE_BYTES = 8 * 1024 * 1024
BATCH_MAX_FILES = 200
BATCH_MAX_BYTES = 64 * 1024 * 1024
#: Every raw row's lineage: its file (by content hash), its line there (header = 1) and its load.
#: The file's name and the run that loaded it are the ledger's (``main.ingest_files``, by
#: ``file_sha256``), once per file: stored on every row they were ~30 % of each night's purge copy
#: of the city's punches (48.9 s → 35.4 s without them; see docs/production.md).
LINEAGE = "_file_sha256 VARCHAR, _line_no INTEGER, _loaded_at TIMESTAMP"
#: Columns an earlier version stored per row, dropped from existing warehouses on first use.
RETIRED_LINEAGE = ("_source_file", "_run_id")

RAW_DDL = {
    "punches": "agency_code VARCHAR, employee_no VARCHAR, punched_at TIMESTAMP, device_id VARCHAR, method VARCHAR",
    "devices": ("device_id VARCHAR, agency_code VARCHAR, model VARCHAR, vendor VARCHAR, brand VARCHAR, "
                "brand_country VARCHAR, origin_country VARCHAR, mainboard_origin VARCHAR, chip_vendor VARCHAR, "
                "modalities VARCHAR, intranet BOOLEAN, connection VARCHAR, protocol VARCHAR, ncc_listed BOOLEAN, "
                "moda_reported BOOLEAN, committee_status VARCHAR, in_service_since DATE, record_capacity BIGINT, "
                "storage_location VARCHAR"),
    "webir_queries": ("query_key VARCHAR, agency_code VARCHAR, account VARCHAR, queried_at TIMESTAMP, op_code VARCHAR, "
                      "subject_hmac VARCHAR, subject_masked VARCHAR, case_no VARCHAR, reason VARCHAR, result VARCHAR"),
    "webir_accounts": ("account VARCHAR, employee_no VARCHAR, agency_code VARCHAR, role VARCHAR, status VARCHAR, "
                       "created_at DATE, last_used_at TIMESTAMP, employment VARCHAR, snapshot_date DATE"),
    "roster": ("agency_code VARCHAR, employee_no VARCHAR, national_id_hmac VARCHAR, national_id_masked VARCHAR, "
               "name VARCHAR, email VARCHAR"),
    "incidents": ("incident_id VARCHAR, reporter VARCHAR, reporter_contact VARCHAR, known_at TIMESTAMP, method VARCHAR, "
                  "location VARCHAR, description VARCHAR, scope_model VARCHAR, scope_device_ids VARCHAR, "
                  "scope_agency_code VARCHAR, scope_dataset VARCHAR, scope_from TIMESTAMP, scope_to TIMESTAMP, "
                  "containment VARCHAR"),
}


def ensure_raw_tables(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for table, cols in RAW_DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{table} ({cols}, {LINEAGE})")
    # One catalog query for every table (this runs for each source, each night): usually nothing.
    for table, col in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND column_name IN "
            f"({', '.join('?' * len(RETIRED_LINEAGE))}) ORDER BY 1, 2", list(RETIRED_LINEAGE)).fetchall():
        con.execute(f"ALTER TABLE raw.{table} DROP COLUMN {col}")


def ingest_source(source: str, run_id: str, logical_date: date) -> dict:
    """Load every file waiting in ``landing/<source>/``; see the module docstring."""
    if source not in CONTRACTS:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(CONTRACTS)}")
    p = paths().ensure()
    contract = CONTRACTS[source]
    landing = p.landing_for(source)
    files = sorted(f for f in landing.iterdir() if f.is_file() and not f.name.startswith("."))
    result = {"source": source, "files": 0, "files_rejected": 0, "files_skipped": 0, "rows_in": 0,
              "rows_rejected": 0, "file_list": []}
    # No run starts without the pseudonymisation key, even for a source without national IDs:
    # a night that loads punches and then fails on the roster would leave a half-loaded run.
    key = hmac_key()
    needs_key = _carries_ids(contract)
    with connect() as con, tempfile.TemporaryDirectory(prefix="pdgov-ingest-") as tmp:
        ensure_raw_tables(con)
        for m in MACROS:
            con.execute(m)
        if needs_key:
            con.create_function("_pd_hmac", lambda v: national_id.pseudonym(v, key) if v else None,
                                ["VARCHAR"], "VARCHAR", side_effects=False)
        warm = lambda: _warm_contract_gate(source)  # noqa: E731 — started once the first file is hashed

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

        batch: list[_Pending] = []

        def flush() -> None:
            for outcome in _ingest_batch(con, contract, batch, run_id, logical_date, Path(tmp), key):
                record(outcome)
            batch.clear()

        for f in files:
            sniffed, item = _batchable(con, contract, f, Path(tmp), {b.sha for b in batch})
            if warm and item:
                warm()
                warm = None
            if item is None:
                # Not a plain small file: flushed first, so a repeat of a batched file is seen as loaded.
                flush()
                record(_ingest_file(con, contract, f, run_id, logical_date, Path(tmp), key, warm, sniffed))
                warm = None
                continue
            batch.append(item)
            if len(batch) >= BATCH_MAX_FILES or sum(b.size for b in batch) >= BATCH_MAX_BYTES:
                flush()
        flush()
    return result


@dataclass
class _Pending:
    """A small file hashed, read and mapped, waiting to load with others in one transaction."""

    f: Path
    sniffed: Sniffed
    delivery: _Delivery

    @property
    def sha(self) -> str:
        return self.sniffed.sha256

    @property
    def size(self) -> int:
        return self.sniffed.size


def _batchable(con, contract: Contract, f: Path, tmp: Path,
               batch_shas: set[str]) -> tuple[Sniffed | None, _Pending | None]:
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
        delivery = _prepare(contract, f, to_utf8_csv(f, sniffed, tmp))
    except (FileRefused, _NotUtf8):
        return sniffed, None
    return sniffed, _Pending(f, sniffed, delivery)


def _ingest_batch(con, contract: Contract, batch: list[_Pending], run_id: str, logical_date: date, tmp: Path,
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
    counts, culprits = _load_batch(con, contract, batch, run_id, logical_date)
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
    return [_archive_loaded(con, contract, b.f, b.sha, n, b.delivery.dropped) for b, n in zip(batch, counts, strict=True)]


class _BatchRefused(Exception):
    """Something in a batch failed a check: roll it back; ``culprits``, when known, are the
    files to take out of it."""

    def __init__(self, why: str, culprits: list[_Pending] | None = None):
        super().__init__(why)
        self.culprits = culprits or []


def _load_batch(con, contract: Contract, batch: list[_Pending], run_id: str,
                logical_date: date) -> tuple[list[int] | None, list[_Pending]]:
    """Several small files in one transaction, all or none; returns each file's row count, or
    None when any check failed (rolled back: nothing of the batch is written) with the files to
    blame when a row rule failed.

    Why: a city night delivers ~1,200 small files (a roster and WebIR logs per agency, a punch
    export per agency). One file at a time, each paid ~20 ms of statement overhead in its INSERT
    (parsing and planning the contract's row rules again for 230 rows), plus its own line
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
        # (per file, each small file paid a scan of all of raw.punches — 175 M rows in the city).
        con.execute(_delete_earlier(contract, [b.f.name for b in batch]))
        layouts: dict[tuple, list[_Pending]] = {}
        for b in batch:
            layouts.setdefault(b.delivery.layout(), []).append(b)
        for group in layouts.values():
            try:
                con.execute(_insert_statement(contract, group[0].delivery, group[0].sha, logical_date, loaded_at,
                                              together=group))
            except duckdb.Error as exc:
                if _INVALID_ROW not in str(exc):
                    raise
                _rollback(con)
                raise _BatchRefused("a row rule failed", _rows_refused(con, contract, group)) from exc
        counts = _number_batch_lines(con, table, mine, [b.sha for b in batch])
        if counts is None:
            raise _BatchRefused("row ids not consecutive within a file")
        if contract.key and _has_duplicates(con, contract, table, mine):
            raise _BatchRefused("duplicate rows")
        if _pandera_gate(con, contract, [b.sha for b in batch], loaded_at, sum(counts)):
            raise _BatchRefused("pandera contract")
        _record_loaded(con, contract, [(b.f.name, b.sha, b.size, n, b.delivery.dropped)
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


def _rows_refused(con, contract: Contract, group: list[_Pending]) -> list[_Pending]:
    """The files of a several-file read with a row that fails a row rule (one read-only query);
    empty if that cannot be told (the batch is then halved instead)."""
    stage1, reasons = group[0].delivery.stage1(contract, [b.delivery for b in group])
    why = _any_reason(reasons)
    try:
        bad = {r[0] for r in con.execute(f"SELECT DISTINCT filename FROM ({stage1}) WHERE {why} IS NOT NULL").fetchall()}
    except duckdb.Error:
        return []
    return [b for b in group if b.delivery.csv_path.as_posix() in bad]


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


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # already rolled back


def _warm_contract_gate(source: str) -> None:
    """Import ibis and pandera's Ibis backend (about a second) on another thread while the
    first file loads: DuckDB releases the GIL while it reads, so the gate is ready when the load
    ends instead of starting its imports then. The gate itself imports the same modules; Python's
    import lock makes it wait for this thread if it is not done. It starts only once the first
    file is hashed: imports hold the GIL, and hashing beside them took 2.5x as long (1.1 s
    instead of 0.4 s for 10 M rows), while the load itself runs without the GIL."""
    import threading

    def warm() -> None:
        try:
            import ibis.backends.duckdb  # noqa: F401

            from pdgov.contracts import pandera_gate_schemas

            pandera_gate_schemas(source)
        except Exception:  # noqa: BLE001 — only a head start; the gate imports again and reports errors
            log.debug("pdgov: warming the pandera gate failed", exc_info=True)

    threading.Thread(target=warm, name="pdgov-warm-pandera", daemon=True).start()


def _ingest_file(con, contract: Contract, f: Path, run_id: str, logical_date: date, tmp: Path, key: bytes,
                 warm=None, sniffed: Sniffed | None = None) -> dict:
    """One file on its own; ``sniffed`` is its hash when the batch path already took it."""
    p = paths()
    try:
        if sniffed is None:
            sniffed = sniff(f)
    except FileRefused as exc:
        digest, size = file_digest(f)
        return _reject(con, contract, f, digest, size, run_id, [(exc.line_no, exc.column, exc.reason)], 0)
    finally:
        if warm:
            warm()
    seen = con.execute("SELECT status, archived_as FROM main.ingest_files WHERE file_sha256 = ?",
                       [sniffed.sha256]).fetchone()
    if seen:
        # The same bytes again: never loaded or reported twice; get it out of the way.
        dest_dir = (p.archive if seen[0] == "loaded" else p.quarantine) / contract.source
        dest_dir.mkdir(parents=True, exist_ok=True)
        if _carries_ids(contract):
            f.unlink()
        else:
            shutil.move(str(f), dest_dir / f"{sniffed.sha256[:16]}__{f.name}")
        return {"file_name": f.name, "sha256": sniffed.sha256, "status": f"skipped ({seen[0]} before)", "rows": 0}
    try:
        csv_path = to_utf8_csv(f, sniffed, tmp)
        try:
            delivery = _prepare(contract, f, csv_path)
            loaded = _fast_load(con, contract, delivery, f, sniffed.sha256, sniffed.size, run_id, logical_date)
        except _NotUtf8:
            # The start looked like UTF-8 but the rest is not: Big5 throughout, or mixed (refused).
            sniffed.encoding = "cp950"
            csv_path = to_utf8_csv(f, sniffed, tmp)
            delivery = _prepare(contract, f, csv_path)
            loaded = _fast_load(con, contract, delivery, f, sniffed.sha256, sniffed.size, run_id, logical_date)
        if isinstance(loaded, int):
            return _archive_loaded(con, contract, f, sniffed.sha256, loaded, delivery.dropped)
        problems, n_rows = _explain(con, contract, delivery)
        if not problems and isinstance(loaded, str):
            problems = [(None, None, loaded)]
    except FileRefused as exc:
        return _reject(con, contract, f, sniffed.sha256, sniffed.size, run_id,
                       [(exc.line_no, exc.column, exc.reason)], 0)
    if not problems:
        problems = [(None, None, "the file failed the contract check but no single line could be blamed")]
    return _reject(con, contract, f, sniffed.sha256, sniffed.size, run_id, problems, n_rows)


class _NotUtf8(Exception):
    """DuckDB met bytes that are not UTF-8 after a start that was."""


@dataclass
class _Delivery:
    """A delivered file in one shape: a UTF-8 CSV and how its columns map to the contract."""

    csv_path: Path
    header: list[str]
    mapping: dict[int, str]
    dropped: list[str]
    agency_from_name: str | None

    def layout(self) -> tuple:
        """What must be equal for files to be read by one ``read_csv``: their columns, in order."""
        return (tuple(self.mapping.get(i, f"_drop{i}") for i in range(len(self.header))), bool(self.agency_from_name))

    def stage1(self, contract: Contract, together: list[_Delivery] | None = None) -> tuple[str, list[str]]:
        """SELECT of typed values (``name``) and the delivered text (``_r_name``) straight over the
        CSV, plus the reason expressions over them.

        ``together``: deliveries of the same ``layout()`` read by this one ``read_csv`` (a batch of
        small files); each row then also carries its CSV's path as ``filename``."""
        names = list(self.layout()[0])
        cols = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
        present = [n for n in names if not n.startswith("_drop")]
        extra = ""
        if self.agency_from_name:
            agency = (_per_file([(d.csv_path, d.agency_from_name) for d in together]) if together
                      else f"'{self.agency_from_name}'")
            extra = f", {agency} AS agency_code"
            present.append("agency_code")
        now_sql = f"TIMESTAMP '{(clock.now() + FUTURE_TOLERANCE):%Y-%m-%d %H:%M:%S}'"
        typed, raw, reasons = typed_select(contract, present, now_sql)
        files = (f"[{', '.join(_sql_str(d.csv_path.as_posix()) for d in together)}]" if together
                 else _sql_str(self.csv_path.as_posix()))
        reader = (f"read_csv({files}, header = true, columns = {{{cols}}}, delim = ',', "
                  "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, max_line_size = 1048576, "
                  f"auto_detect = false{', filename = true' if together else ''})")
        tag = ", filename" if together else ""
        return f"SELECT {', '.join(typed + raw)}{tag} FROM (SELECT *{extra} FROM {reader})", reasons


def _per_file(values: list[tuple[Path, str]]) -> str:
    """A per-file constant of a several-file read, chosen by the row's CSV path (``filename``)."""
    whens = " ".join(f"WHEN {_sql_str(path.as_posix())} THEN {_sql_str(value)}" for path, value in values)
    return f"(CASE filename {whens} END)"


def _prepare(contract: Contract, f: Path, csv_path: Path) -> _Delivery:
    header = _read_header(csv_path)
    mapping, dropped = _map_header(contract, header)
    agency_from_name = None
    if contract.source == "webir" and "agency_code" not in mapping.values():
        m = re.match(r"^(\d{9}[A-Z])_", f.name)
        if not m:
            raise FileRefused("no 機關代碼 column and the file name does not start with an agency code "
                              "(e.g. 379000000A_…)", 1, "機關代碼")
        agency_from_name = m.group(1)
    return _Delivery(csv_path, header, mapping, dropped, agency_from_name)


def _read_header(csv_path: Path) -> list[str]:
    try:
        with open(csv_path, encoding="utf-8", newline="") as fh:
            try:
                header = next(csv.reader(fh))
            except StopIteration as exc:
                raise FileRefused("file is empty (no header line)", 1) from exc
            except csv.Error as exc:
                raise FileRefused(f"header line is not valid CSV: {exc}", 1) from exc
            if next(fh, None) is None:
                raise FileRefused("file has a header but no data rows", 1)
    except UnicodeDecodeError as exc:
        raise _NotUtf8 from exc
    return [h.strip().lstrip("\ufeff") for h in header]
def _map_header(contract: Contract, header: list[str]) -> tuple[dict[int, str], list[str]]:
    hm = contract.header_map()
    mapping: dict[int, str] = {}
    dropped: list[str] = []
    for i, h in enumerate(header):
        low = h.lower()
        if any(w.lower() in low for w in FORBIDDEN_HEADER_WORDS):
            raise FileRefused("column carries biometric templates, photos or images; such data is never "
                              "stored (minimisation, seed 004 §4)", 1, h)
        name = hm.get(low)
        if name is None:
            dropped.append(h)
            continue
        if name in mapping.values():
            raise FileRefused(f"column {h!r} appears twice", 1, h)
        mapping[i] = name
    for c in contract.columns:
        if c.required and c.name not in mapping.values():
            raise FileRefused(f"required column {c.zh} ({c.name}) is missing", 1, c.zh)
    return mapping, dropped


def _explain(con, contract: Contract, d: _Delivery) -> tuple[list[tuple], int]:
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


def _carries_ids(contract: Contract) -> bool:
    return any(c.kind == "national_id" for c in contract.columns)


def _output_select(contract: Contract, src: str, lineage: str, logical_date: date) -> str:
    """The raw table's columns, in order, computed from the typed rows ``src`` (docs/architecture.md)."""
    if contract.source == "webir":
        return f"""SELECT md5(concat_ws('|', agency_code, account, strftime(queried_at, '%Y-%m-%d %H:%M:%S'),
                        op_code, subject_hmac, coalesce(case_no, ''))) AS query_key, agency_code, account, queried_at,
                        op_code, subject_hmac, subject_masked, case_no, reason, result, {lineage}
                     FROM (SELECT *, query_date + query_time AS queried_at, _pd_hmac(subject_id) AS subject_hmac,
                           substr(subject_id, 1, 3) || '****' || substr(subject_id, 8, 3) AS subject_masked FROM {src})"""
    if contract.source == "roster":
        return f"""SELECT agency_code, employee_no, _pd_hmac(national_id) AS national_id_hmac,
                        substr(national_id, 1, 3) || '****' || substr(national_id, 8, 3) AS national_id_masked,
                        name, email, {lineage} FROM {src}"""
    if contract.source == "webir_accounts":
        return f"""SELECT account, employee_no, agency_code, role, status, created_at, last_used_at, employment,
                        coalesce(snapshot_date, DATE '{logical_date.isoformat()}') AS snapshot_date, {lineage}
                     FROM {src}"""
    return f"SELECT {', '.join(c.name for c in contract.columns)}, {lineage} FROM {src}"


_INVALID_ROW = "pdgov: invalid row"


def _fast_load(con, contract: Contract, d: _Delivery, f: Path, sha: str, size: int, run_id: str,
               logical_date: date, window: bool = False) -> int | str | None:
    """Load a file in one streaming pass (returns its row count), or roll back if anything is
    wrong (returns None, or the pandera contract's own message when that gate refused it).

    Why this shape: the expected file is a good one, so the checks ride along with the load.
    Each row's reason expressions are evaluated in the INSERT itself and a failing row raises,
    which aborts the transaction; nothing is materialised outside the target table, so memory
    does not grow with the file. What needs the whole file (duplicates, the pandera contract)
    is then checked on the rows just written, before COMMIT. Any failure sends the file to
    ``_explain`` for a per-line report.

    Line numbers: ``row_number() OVER ()`` in the INSERT would make DuckDB run the whole load on
    one thread. Instead the INSERT runs on every thread with insertion order preserved (DuckDB's
    default, set here explicitly), so the file's rows take consecutive row ids in file order,
    and one UPDATE numbers them from their row id (0.13 s for 10 M rows; the load itself went
    from 9.5 s to 5.1 s). If the row ids are not one consecutive run, the load is redone with
    the window (``window=True``), so a line number is never a guess.
    """
    loaded_at = clock.now()
    insert = _insert_statement(contract, d, sha, logical_date, loaded_at, window)
    mine = _rows_loaded_at(loaded_at, sha)
    table = f"raw.{contract.table}"
    con.execute("SET preserve_insertion_order = true")
    con.execute("BEGIN TRANSACTION")
    try:
        # A corrected re-delivery of the same file name replaces that file's earlier rows only.
        con.execute(_delete_earlier(contract, [f.name]))
        try:
            n_rows = con.execute(insert).fetchone()[0]
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            if "Invalid unicode" in str(exc) and d.csv_path == f:
                raise _NotUtf8 from exc
            if _INVALID_ROW in str(exc) or "CSV Error" in str(exc) or "Conversion Error" in str(exc):
                return None
            raise
        if not window and not _number_lines(con, table, mine, n_rows):
            log.warning("pdgov: %s: row ids not consecutive; numbering lines with a window", f.name)
            con.execute("ROLLBACK")
            return _fast_load(con, contract, d, f, sha, size, run_id, logical_date, window=True)
        failed = contract.key and _has_duplicates(con, contract, table, mine)
        failed = failed or _pandera_gate(con, contract, [sha], loaded_at, n_rows)
        if failed:
            con.execute("ROLLBACK")
            return failed if isinstance(failed, str) else None
        _record_loaded(con, contract, [(f.name, sha, size, n_rows, d.dropped)], run_id, loaded_at)
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    return n_rows


def _insert_statement(contract: Contract, d: _Delivery, sha: str, logical_date: date,
                      loaded_at: datetime, window: bool = False,
                      together: list[_Pending] | None = None) -> str:
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
               f"IS NOT NULL THEN error('{_INVALID_ROW}') ELSE {first} END AS {first}) FROM ({stage1})))")
    ts = _timestamp_sql(loaded_at)
    sha_sql = _per_file([(b.delivery.csv_path, b.sha) for b in together]) if together else f"'{sha}'"
    lineage = f"{sha_sql} AS _file_sha256, _line_no, {ts} AS _loaded_at"
    return f"INSERT INTO raw.{contract.table} {_output_select(contract, guarded, lineage, logical_date)}"


def _timestamp_sql(at: datetime) -> str:
    return f"TIMESTAMP '{at:%Y-%m-%d %H:%M:%S.%f}'"


def _rows_loaded_at(loaded_at: datetime, sha: str | None = None) -> str:
    """The filter that finds exactly the rows a load just wrote, before COMMIT (``mine``): its load
    time (one per transaction, so a whole batch) and, for one file, that file's hash."""
    at = f"_loaded_at = {_timestamp_sql(loaded_at)}"
    return f"_file_sha256 = '{sha}' AND {at}" if sha else at


def _delete_earlier(contract: Contract, names: list[str]) -> str:
    """The DELETE by which a corrected re-delivery replaces the rows of the earlier loaded file of
    the same name, and nothing else (the ledger knows which content hash that name last loaded)."""
    in_names = ", ".join(_sql_str(n) for n in names)
    return (f"DELETE FROM raw.{contract.table} WHERE _file_sha256 IN (SELECT file_sha256 FROM main.ingest_files "
            f"WHERE source = {_sql_str(contract.source)} AND status = 'loaded' AND file_name IN ({in_names}))")


def _any_reason(reasons: list[str]) -> str:
    """One row's first failed rule (NULL when it passes them all), from ``stage1``'s reasons."""
    return f"coalesce({', '.join(r.rsplit(' AS ', 1)[0] for r in reasons)})" if reasons else "NULL"


def _number_lines(con, table: str, mine: str, n_rows: int) -> bool:
    """Number a just-loaded file's lines from its rows' consecutive row ids (header = line 1);
    False, with nothing changed, when the row ids are not one consecutive run.

    The one-file form of ``_number_batch_lines``, kept apart because the batch form's grouping
    and join cost 1.0–1.7 s on a 10 M-row file where this takes 0.06–0.1 s (committed rows,
    measured 2026-12-01); batches are of small files, where the grouping costs nothing."""
    if not n_rows:
        return True
    first_id, last_id = con.execute(f"SELECT min(rowid), max(rowid) FROM {table} WHERE {mine}").fetchone()
    if last_id - first_id + 1 != n_rows:
        return False
    con.execute(f"UPDATE {table} SET _line_no = CAST(rowid - {first_id} + 2 AS INTEGER) WHERE {mine}")
    return True


def _record_loaded(con, contract: Contract, files: list[tuple[str, str, int, int, list[str]]], run_id: str,
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


def _has_duplicates(con, contract: Contract, table: str, mine: str) -> bool:
    """Probe for duplicate natural keys: group one 64-bit hash per row and keep the groups seen
    twice. That is half the work of ``count(DISTINCT …)`` (2.1 s → 1.1 s for 10 M rows). A
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


def _archive_loaded(con, contract: Contract, f: Path, sha: str, n_rows: int, dropped: list[str]) -> dict:
    p = paths()
    src = contract.source
    archived_as = f"{sha[:16]}__{f.name}"
    dest = p.archive / src / archived_as
    dest.parent.mkdir(parents=True, exist_ok=True)
    if _carries_ids(contract):
        # The archive keeps what the warehouse keeps: pseudonyms, never the IDs themselves.
        # Columns as ever (data, _file_sha256, _source_file, _line_no): the name is the file's.
        con.execute(f"COPY (SELECT * EXCLUDE (_line_no, _loaded_at), {_sql_str(f.name)} AS _source_file, _line_no "
                    f"FROM raw.{contract.table} WHERE _file_sha256 = '{sha}' ORDER BY _line_no) "
                    f"TO '{dest.as_posix()}.csv' (HEADER, DELIMITER ',')")
        f.unlink()
    else:
        shutil.move(str(f), dest)
    if dropped:
        log.warning("pdgov: %s %s: columns dropped (not in the contract): %s", src, f.name, ", ".join(dropped))
    return {"file_name": f.name, "sha256": sha, "status": "loaded", "rows": n_rows, "dropped_columns": dropped}


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pandera_gate(con, contract: Contract, shas: list[str], loaded_at: datetime, n_rows: int) -> str | None:
    """The contract's pandera schema (Ibis backend, so it runs as SQL inside DuckDB on the rows
    just written, uncommitted) as the last gate: None when the files' rows pass, else why not.
    From ``GATE_DISTINCT_FROM_ROWS`` rows on, low-cardinality columns are checked on their distinct
    values (``pandera_gate_schemas``); below, the whole schema runs on the rows in fewer queries."""
    import ibis
    from pandera.errors import SchemaError, SchemaErrors

    from pdgov.contracts import pandera_gate_schemas, pandera_schema

    ib = ibis.duckdb.from_connection(con)
    t = ib.table(contract.table, database="raw")
    rows = t.filter(t._file_sha256.isin(shas) & (t._loaded_at == loaded_at))
    if n_rows >= GATE_DISTINCT_FROM_ROWS:
        row_schema, value_schemas = pandera_gate_schemas(contract.source)
    else:
        row_schema, value_schemas = pandera_schema(contract.source), {}
    failures: list[str] = []  # every part runs, so the reason names every failed check
    for schema, table in [(row_schema, rows), *((s, rows.select(c).distinct()) for c, s in value_schemas.items())]:
        try:
            schema.validate(table, lazy=True)
        except (SchemaErrors, SchemaError) as exc:
            log.warning("pdgov: %s: pandera contract failed: %s", contract.source, " ".join(str(exc).split())[:500])
            failures += [_failed_check(e) for e in getattr(exc, "schema_errors", [exc])]
    return f"contract (pandera) check failed: {'; '.join(failures)}"[:400] if failures else None


def _failed_check(err) -> str:
    """``column: check`` of one pandera error, e.g. ``punched_at: not_nullable`` (no failing values:
    they may be pseudonyms; the log has pandera's whole message)."""
    check = err.check if isinstance(err.check, str) else (getattr(err.check, "error", None) or err.check.name)
    return f"{getattr(err.schema, 'name', None) or '-'}: {check}"


def _reject(con, contract: Contract, f: Path, sha: str, size: int, run_id: str, problems: list[tuple],
            n_rows: int) -> dict:
    p = paths()
    src = contract.source
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
    qdir = p.quarantine / src
    qdir.mkdir(parents=True, exist_ok=True)
    dest = qdir / f"{sha[:16]}__{f.name}"
    if _carries_ids(contract):
        _write_masked_copy(f, dest)
        f.unlink()
    else:
        shutil.move(str(f), dest)
    report = dest.parent / (dest.name + ".rejections.txt")
    lines = [f"pdgov: {src} file {f.name} refused whole on {now:%Y-%m-%d %H:%M:%S} (run {run_id})",
             f"SHA-256: {sha}", "Nothing from this file was loaded. Fix the lines below and deliver it again.", ""]
    for ln, col, reason in problems:
        lines.append(f"line {ln if ln is not None else '-'}, column {col or '-'}: {reason}")
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log.warning("pdgov: %s %s refused: %s", src, f.name, problems[0][2])
    return {"file_name": f.name, "sha256": sha, "status": "rejected", "rows": 0, "rows_rejected": len(problems),
            "problems": [list(p_) for p_ in problems[:20]]}


_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][12]\d{8})(?!\d)")


def _write_masked_copy(src: Path, dest: Path) -> None:
    """Quarantine copy of a file that may carry national IDs: the IDs masked, the rest as sent."""
    data = src.read_bytes()
    for enc in ("utf-8-sig", "cp950"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        dest.write_bytes(b"(binary content withheld: it may carry national IDs)\n")
        return
    dest.write_text(_ID_IN_TEXT.sub(lambda m: national_id.mask(m.group(1)), text), encoding="utf-8")
