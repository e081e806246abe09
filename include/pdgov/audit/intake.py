"""The door of the WebIR audit results the auditor returns in the sample workbook (seed 004 §12(1)).

The committee workbook's sheet ``WebIR抽查樣本`` carries four empty columns — 查核結果 (正常/異常),
查核說明, 查核人, 查核日期. The auditor fills them and drops the workbook (or that sheet saved as CSV)
into ``landing/webir_audit_results/``. The ingest's one-file path loads it by the contract
``webir_audit_results`` into ``raw.webir_audit_findings`` (ledger, checks, free-text IDs,
quarantine: ``pdgov.ingest.run``); this module is its ``DOOR``, what the generic path cannot know:

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
from pathlib import Path

from pdgov.contracts import AUDIT_SAMPLE_SHEET
from pdgov.ingest.delivery import Delivery
from pdgov.ingest.readers import FileRefused, Sniffed, _cell_text, to_utf8_csv
from pdgov.ingest.run import Door
from pdgov.warehouse import table_exists

KEY_HEADER = "查詢紀錄鍵"


def to_csv(f: Path, sniffed: Sniffed, workdir: Path) -> Path:
    """A workbook's sample sheet, or a CSV as the ingest reads any CSV."""
    if f.suffix.lower() in (".xlsx", ".xlsm"):
        return sample_sheet_csv(f, workdir)
    return to_utf8_csv(f, sniffed, workdir)


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
    if table_exists(con, "main", "webir_audit_samples"):
        keys |= {r[0] for r in con.execute("SELECT query_key FROM main.webir_audit_samples").fetchall()}
    keys |= {r[0] for r in con.execute(
        "SELECT DISTINCT query_key FROM raw.webir_audit_findings WHERE result IS NOT NULL").fetchall()}
    return keys


DOOR = Door(to_csv=to_csv, screen=screen)
