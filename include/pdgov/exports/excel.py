"""Writing zh-TW sheets that committee staff can open, print and trust.

Safety first: any text from data that starts with ``= + - @`` (or a tab/CR) is stored as a
string cell, never as a formula (CSV/Excel injection). Print setup: A4 landscape, header row
repeated on every page, page numbers and generation time in the footer. Files are
byte-identical for the same data: document timestamps and zip entry times are fixed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
VIOLATION_FILL = PatternFill("solid", fgColor="F8CBAD")
HEADER_FONT = Font(bold=True)
FIXED_TIME = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Column:
    key: str        # column in the query result
    heading: str    # zh-TW heading
    width: int = 14
    explain: str = ""


def safe_value(value):
    """What goes into a cell: data text never becomes a formula."""
    if isinstance(value, str):
        return value
    return value


def write_cell(ws: Worksheet, row: int, col: int, value) -> Cell:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def add_table_sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence],
                    violation: callable | None = None, generated: str = "") -> Worksheet:
    ws = wb.create_sheet(title=title[:31])
    for ci, c in enumerate(columns, start=1):
        cell = write_cell(ws, 1, ci, c.heading)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(ci)].width = c.width
    n = 0
    for ri, row in enumerate(rows, start=2):
        bad = bool(violation(row)) if violation else False
        for ci, value in enumerate(row, start=1):
            cell = write_cell(ws, ri, ci, value)
            if isinstance(value, str) and len(value) > 20:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if bad:
                cell.fill = VIOLATION_FILL
        n = ri - 1
    ws.freeze_panes = "A2"
    last = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last}{max(n + 1, 1)}"
    print_setup(ws, generated)
    return ws


def print_setup(ws: Worksheet, generated: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "第 &P 頁，共 &N 頁"
    ws.oddFooter.right.text = f"產製時間 {generated}" if generated else ""
    ws.oddHeader.left.text = "&A"


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save with fixed document and zip timestamps, so same data ⇒ same bytes (auditable hashes)."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "pdgov"
    wb.properties.lastModifiedBy = "pdgov"
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps "modified" with the current time on save; pin it.
                import re

                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                              b'<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>',
                              data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)
