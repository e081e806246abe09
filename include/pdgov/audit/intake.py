"""Loading the WebIR audit results the auditor returns in the sample workbook (seed 004 §12(1)).

The committee workbook's sheet ``WebIR抽查樣本`` carries four empty columns — 查核結果 (正常/異常),
查核說明, 查核人, 查核日期. The auditor fills them and drops the workbook (or that sheet saved as CSV)
into ``landing/webir_audit_results/``. This module reads it by the contract ``webir_audit_results``
into ``raw.webir_audit_findings`` with the ingest's own parts (ledger, checks, quarantine), and adds
what the generic path cannot know:

* a workbook has many sheets (說明, 個人資料檔案清冊, …): the sample sheet is the one read, by its
  title, else the one sheet whose header row has 查詢紀錄鍵;
* a row with 查核結果 filled is a finding: its 查詢紀錄鍵 must be a sampled query
  (``main.webir_audit_samples`` as last built, or a finding already loaded) and it must say who
  audited it and when (查核人, 查核日期) — else the file is refused with the line and column;
* a row with 查核結果 empty is not a finding and is not checked: the sheet as exported, dropped
  back unfilled, refuses nothing (its rows load with no result and the findings mart skips them).
"""

from __future__ import annotations

import csv
import logging
import tempfile
from datetime import date
from pathlib import Path

from pdgov.config import paths
from pdgov.contracts import AUDIT_SAMPLE_SHEET, CONTRACTS, Contract
from pdgov.ingest import ledger, load, quarantine
from pdgov.ingest.checks import MACROS
from pdgov.ingest.delivery import Delivery, NotUtf8, prepare
from pdgov.ingest.raw_schema import ensure_raw_tables
from pdgov.ingest.readers import FileRefused, _cell_text, file_digest, sniff, to_utf8_csv
from pdgov.warehouse import connect

log = logging.getLogger("pdgov.audit")

SOURCE = "webir_audit_results"
KEY_HEADER = "查詢紀錄鍵"


def ingest_audit_results(run_id: str, logical_date: date) -> dict:
    """Load every file waiting in ``landing/webir_audit_results/`` (the result shape of ``ingest_source``)."""
    contract = CONTRACTS[SOURCE]
    landing = paths().ensure().landing_for(SOURCE)
    landing.mkdir(parents=True, exist_ok=True)
    files = sorted(f for f in landing.iterdir() if f.is_file() and not f.name.startswith((".", "~$")))
    result = {"source": SOURCE, "files": 0, "files_rejected": 0, "files_skipped": 0, "rows_in": 0,
              "rows_rejected": 0, "file_list": []}
    with connect() as con, tempfile.TemporaryDirectory(prefix="pdgov-audit-") as tmp:
        ensure_raw_tables(con)
        for m in MACROS:
            con.execute(m)
        for f in files:
            outcome = _one(con, contract, f, run_id, logical_date, Path(tmp))
            result["file_list"].append(outcome)
            if outcome["status"] == "loaded":
                result["files"] += 1
                result["rows_in"] += outcome["rows"]
            elif outcome["status"] == "rejected":
                result["files_rejected"] += 1
                result["rows_rejected"] += outcome["rows_rejected"]
            else:
                result["files_skipped"] += 1
            log.info("pdgov: %s %s: %s", SOURCE, f.name, outcome["status"])
    return result


def _one(con, contract: Contract, f: Path, run_id: str, logical_date: date, tmp: Path) -> dict:
    try:
        sniffed = sniff(f)
    except FileRefused as exc:
        digest, size = file_digest(f)
        return quarantine.reject(con, contract, f, digest, size, run_id, [(exc.line_no, exc.column, exc.reason)], 0)
    seen = con.execute("SELECT status FROM main.ingest_files WHERE file_sha256 = ?", [sniffed.sha256]).fetchone()
    if seen:
        if seen[0] == "loaded":
            ledger.archive_again(con, contract, f, sniffed.sha256)
        else:
            quarantine.file_away_again(con, contract, f, sniffed.sha256)
        return {"file_name": f.name, "sha256": sniffed.sha256, "status": f"skipped ({seen[0]} before)", "rows": 0}
    try:
        if f.suffix.lower() in (".xlsx", ".xlsm"):
            csv_path = sample_sheet_csv(f, tmp)
        else:
            csv_path = to_utf8_csv(f, sniffed, tmp)
        try:
            delivery = prepare(contract, f, csv_path)
        except NotUtf8:
            sniffed.encoding = "cp950"
            delivery = prepare(contract, f, to_utf8_csv(f, sniffed, tmp))
        problems = screen(con, delivery)
        if problems:
            return quarantine.reject(con, contract, f, sniffed.sha256, sniffed.size, run_id, problems,
                                     len({p[0] for p in problems}))
        loaded = load.fast_load(con, contract, delivery, f, sniffed.sha256, sniffed.size, run_id, logical_date)
        if isinstance(loaded, int):
            return ledger.archive_loaded(con, contract, f, sniffed.sha256, loaded, delivery.dropped)
        problems, n_rows = quarantine.explain(con, contract, delivery)
        if not problems and isinstance(loaded, str):
            problems = [(None, None, loaded)]
    except FileRefused as exc:
        return quarantine.reject(con, contract, f, sniffed.sha256, sniffed.size, run_id,
                                 [(exc.line_no, exc.column, exc.reason)], 0)
    if not problems:
        problems = [(None, None, "the file failed the contract check but no single line could be blamed")]
    return quarantine.reject(con, contract, f, sniffed.sha256, sniffed.size, run_id, problems, n_rows)


def sample_sheet_csv(path: Path, workdir: Path) -> Path:
    """The workbook's sample sheet as a UTF-8 CSV: the sheet titled ``WebIR抽查樣本``, else the one
    sheet whose first row has 查詢紀錄鍵. A formula cell is refused (values, not formulas)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FileRefused(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
    try:
        ws = wb[AUDIT_SAMPLE_SHEET] if AUDIT_SAMPLE_SHEET in wb.sheetnames else None
        if ws is None:
            keyed = [s for s in wb.worksheets
                     if KEY_HEADER in [_cell_text(v).strip() for v in next(s.iter_rows(max_row=1, values_only=True), ())]]
            if len(keyed) != 1:
                raise FileRefused(f"workbook has no sheet {AUDIT_SAMPLE_SHEET} and {len(keyed)} sheets with a "
                                  f"{KEY_HEADER} column; return the sample sheet of the committee workbook", 1)
            ws = keyed[0]
        out = workdir / (path.name + ".csv")
        with open(out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            header: list[str] = []
            blank = 0  # empty rows held back: written only when a filled row follows (Excel's trailing rows)
            for row_no, row in enumerate(ws.iter_rows(), start=1):
                values = []
                for ci, cell in enumerate(row):
                    if cell.data_type == "f":
                        col = header[ci] if ci < len(header) else f"column {ci + 1}"
                        raise FileRefused("formula cell: deliver values, not formulas", row_no, col)
                    values.append(_cell_text(cell.value))
                if row_no == 1:
                    header = values
                # A sheet written in write-only mode leaves a row's trailing empty cells out: pad to the header.
                values += [""] * (len(header) - len(values))
                if not any(values):
                    blank += 1
                    continue
                for _ in range(blank):
                    w.writerow([""] * len(header))
                blank = 0
                w.writerow(values)
        return out
    finally:
        wb.close()


def screen(con, d: Delivery) -> list[tuple[int, str, str]]:
    """The findings' own rules, per line (header = line 1): a filled 查核結果 needs a sampled
    查詢紀錄鍵, a 查核人 and a 查核日期. Rows with 查核結果 empty are not findings and pass."""
    col = {name: i for i, name in d.mapping.items()}
    if "result" not in col:
        return []  # no result column at all: nothing is a finding (the contract reports what is missing)
    known = _sampled_keys(con)
    problems: list[tuple[int, str, str]] = []
    with open(d.csv_path, encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        next(rows, None)
        for line_no, row in enumerate(rows, start=2):
            def cell(name: str, row: list[str] = row) -> str:
                i = col.get(name)
                return row[i].strip() if i is not None and i < len(row) else ""

            if not cell("result"):
                continue
            key = cell("query_key")
            if key and key not in known:
                problems.append((line_no, d.header[col["query_key"]],
                                 f"查詢紀錄鍵 {key} is not in the WebIR audit sample (webir_audit_samples): "
                                 "only sampled queries can have a finding"))
            for name, zh in (("auditor", "查核人"), ("audited_on", "查核日期")):
                if not cell(name):
                    problems.append((line_no, d.header[col[name]] if name in col else zh,
                                     f"{zh} is empty: a finding (查核結果 filled) says who audited it and when"))
    return problems


def _sampled_keys(con) -> set[str]:
    """Keys a finding may name: the sample as the last build drew it, and keys already found."""
    keys: set[str] = set()
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                                      "AND table_name IN ('webir_audit_samples')").fetchall()}
    if "webir_audit_samples" in have:
        keys |= {r[0] for r in con.execute("SELECT query_key FROM main.webir_audit_samples").fetchall()}
    keys |= {r[0] for r in con.execute(
        "SELECT DISTINCT query_key FROM raw.webir_audit_findings WHERE result IS NOT NULL").fetchall()}
    return keys
