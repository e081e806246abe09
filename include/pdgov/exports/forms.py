"""A sheet printed as a form: one record per page, its fields down the page.

The register's twenty items of 要點第37點第2項 (seed 002) do not fit across any paper at a readable size;
agencies know it as a form, one personal-data file per page, the items numbered (一)…(二十).
This writes that form from the same rows and column definitions as the table sheet, so the
two never disagree: each record is a heading row naming agency and file, then one row per
column (number, item, content), then a page break.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from copy import copy

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break

from pdgov.exports.excel import Column, SheetResult, _fits, _heading, _set_height, _text, cell_value
from pdgov.exports.printing import PrintInfo, print_setup

NUMBERED = re.compile(r"^\(([一二三四五六七八九十]+)\)(.*)$")
FORM_WIDTHS = (8, 30, 56)  # 項次, 項目, 內容: A4 portrait at 100 %
TITLE_FONT = Font(bold=True, size=12)
FORM_HELP = [("項次", "要點第37點第2項之款次（一）至（二十）；其後為風險等級（第38點）與公開（第32點）"),
             ("項目", "該款之項目名稱"), ("內容", "該個人資料檔案之內容；每一檔案自成一頁")]
TOP = Alignment(wrap_text=True, vertical="top", horizontal="left")


def split_heading(heading: str) -> tuple[str, str]:
    """"(十四)個人資料數量" -> ("(十四)", "個人資料數量"); an unnumbered heading keeps no number."""
    m = NUMBERED.match(heading)
    return (f"({m.group(1)})", m.group(2)) if m else ("", heading)


def _title(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.font, cell.alignment = TITLE_FONT, Alignment(wrap_text=True, vertical="center")
    return cell


def _form_cell(ws, value, styles: dict) -> WriteOnlyCell:
    """A form cell: top-left, wrapped; data text stays text (never a formula, see ``excel._cell``).

    The style is looked up once a sheet and copied after (as ``excel._cell`` does): the city's
    register form has ~40,000 rows."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    key = cell.number_format  # dates keep the format openpyxl gave them
    if (style := styles.get(key)) is not None:
        cell._style = copy(style)
    else:
        cell.alignment = TOP
        styles[key] = copy(cell._style)
    return cell


def add_form_sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence],
                   record_title: Callable[[Sequence], str], info: PrintInfo | None = None) -> SheetResult:
    """One page per row of ``rows``: ``record_title(row)``, then each column as (number, item, content)."""
    ws = wb.create_sheet(title=title[:31])
    for letter, w in zip("ABC", FORM_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = w
    print_setup(ws, FORM_WIDTHS, info, orientation="portrait", title_rows=None)
    digest = hashlib.sha256()
    styles: dict = {}
    width = FORM_WIDTHS[2]
    ws.append([_heading(ws, "項次"), _heading(ws, "項目"), _heading(ws, "內容")])
    row_idx, n = 1, 0
    breaks: list[Break] = []
    for row in rows:
        if n:
            breaks.append(Break(id=row_idx))  # each record starts a new page
        head = cell_value(record_title(row))
        row_idx += 1
        _set_height(ws, row_idx, [(head, sum(FORM_WIDTHS))], TITLE_FONT.size, bold=True)
        ws.append([_title(ws, head), None, None])
        # Straight into the set: MultiCellRange.add checks each new range against all the others
        # (half of the city register form's writing time); these, one per caption row, never overlap.
        ws.merged_cells.ranges.add(CellRange(min_col=1, min_row=row_idx, max_col=3, max_row=row_idx))
        digest.update((head + "\x1e").encode())
        for col, value in zip(columns, row, strict=False):
            number, item = split_heading(col.heading)
            shown = cell_value(col.show(value))
            row_idx += 1
            texts = [(t, w) for t, w in ((item, FORM_WIDTHS[1]), (shown, width)) if isinstance(t, str)]
            _set_height(ws, row_idx, [(t, w) for t, w in texts if not _fits(t, w - 1)])
            ws.append([_form_cell(ws, number or None, styles), _form_cell(ws, item, styles),
                       _form_cell(ws, shown, styles)])
            digest.update(("\x1f".join((number, item, _text(shown))) + "\x1e").encode())
        n += 1
    # Once: PageBreak.append re-validates every break so far (the write-only sheet writes them at its end).
    ws.row_breaks.brk = tuple(breaks)
    return SheetResult(title=title, rows=n, sha256=digest.hexdigest())
