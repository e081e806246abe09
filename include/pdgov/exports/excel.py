"""Writing zh-TW sheets that committee staff can open, print and trust.

* Safe to open: text from data that starts with ``= + - @`` (or a tab/CR) is stored as a string
  cell, never as a formula (CSV/Excel injection); a national ID that slipped into free text
  (a clerk's 事由, an incident description) is masked on the way in, so no workbook ever
  carries one in clear.
* Made for printing: frozen header row, filters, widths that count a CJK character as two,
  wrapped long text in rows tall enough for it, a print scale never below 70 % with the heading
  row (and, on sheets wider than a page, the key columns) repeated on every page, and a header and
  footer whose parts cannot collide (``pdgov.exports.printing``); violations highlighted.
* Made for reading: a status code gets its zh-TW word in the cell (``Column.labels``: 禁止使用,
  not ``prohibited``); the code stays in the 說明 sheet beside the word.
* Fast: sheets are written in openpyxl's write-only mode, rows stream to disk as they come.
* Auditable: the same data gives the same bytes (document and zip timestamps fixed), and
  each sheet's content gets its own SHA-256, comparable between runs.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pdgov.exports.printing import PrintInfo, print_setup, row_height
from pdgov.ingest.national_id import mask, problem

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FILLS = {
    "violation": PatternFill("solid", fgColor="F8CBAD"),  # 違規：禁用設備、逾期未刪、異常查詢
    "warning": PatternFill("solid", fgColor="FFE699"),    # 待處理：待釐清設備、屆期待刪
}
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
TOP = Alignment(vertical="top")
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_TIME = datetime(2000, 1, 1)
WRAP_AT = 40        # display columns: longer text wraps instead of widening the column
WIDTH_SAMPLE = 200  # rows looked at to size the columns (the rest stream through unseen)
MAX_WIDTH = 60
# A national ID anywhere in a text: one letter, 1 or 2, eight digits, not inside a longer token.
ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Z][12]\d{8}(?![0-9])")

Highlight = Callable[[Sequence], str | None]


@dataclass(frozen=True)
class Column:
    key: str        # column in the query result
    heading: str    # zh-TW heading
    width: int = 10  # minimum width; the data may widen it up to MAX_WIDTH
    explain: str = ""  # zh-TW explanation for the 說明 sheet
    labels: Mapping[str, str] = field(default_factory=dict)  # code -> the zh-TW word shown in the cell
    list_sep: str | None = None  # the value is a list of codes joined by this (each gets its word)

    def show(self, value):
        """The value as the cell shows it: a code becomes its zh-TW word; anything else stays."""
        if not self.labels or not isinstance(value, str):
            return value
        if self.list_sep is not None:
            return "、".join(self.labels.get(v, v) for v in value.split(self.list_sep) if v)
        return self.labels.get(value, value)

    def explained(self) -> str:
        """The 說明 text: the explanation, then each word with the code the data carries."""
        words = "；".join(f"{zh}＝{code}" for code, zh in self.labels.items())
        return (self.explain or self.key) + (f"（{words}）" if words else "")


@dataclass
class SheetResult:
    title: str
    rows: int
    sha256: str  # of the sheet's data (headings and values), independent of run id and styling


def display_width(text: str) -> int:
    """Columns a text takes on screen: East Asian wide/full-width characters count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def mask_ids(text: str) -> str:
    """Mask every checksum-valid national ID in a text (``A12****789``)."""
    if not ID_IN_TEXT.search(text):
        return text
    return ID_IN_TEXT.sub(lambda m: mask(m.group()) if problem(m.group()) is None else m.group(), text)


def cell_value(value):
    """What goes into a cell: data text masked, numbers and dates kept typed."""
    if isinstance(value, str):
        return mask_ids(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return mask_ids("；".join(_text(v) for v in value))
    return value


def column_widths(columns: Sequence[Column], sample: Sequence[Sequence]) -> list[int]:
    """Widths that fit the heading's longest line and the sampled values, CJK counted as two."""
    widths = []
    for i, c in enumerate(columns):
        head = min(display_width(c.heading), WRAP_AT // 2 + 4)  # a longer heading wraps to two lines
        data = max((display_width(_text(r[i])) for r in sample), default=0)
        widths.append(min(MAX_WIDTH, max(c.width, head + 2, min(data, WRAP_AT) + 2)))
    return widths


def _fits(text: str, width: float) -> bool:
    if "\n" in text:
        return False
    n = len(text)
    # ASCII is one column a character: no per-character width lookup (query keys, seeds and codes
    # are most of a sheet's text, and the lookup was a tenth of a sheet's writing time).
    return n * 2 <= width or (n <= width and (text.isascii() or display_width(text) <= width))


def _cell(ws, value, styles: dict, fill: PatternFill | None = None, width: float = MAX_WIDTH, top: bool = False):
    """The cell of a value already passed through ``cell_value``: the value itself when openpyxl's
    own typing of it is right and it needs no style (most cells: a ``WriteOnlyCell`` costs a
    failed bind and a copy inside openpyxl), else a ``WriteOnlyCell``. ``top``: the row is taller
    than one line (a neighbour wraps), so the value sits at the top like the wrapped text.

    ``styles``: the sheet's styles by (wrap, number format, fill, top). Assigning a fill or an
    alignment makes openpyxl hash the style object to find it in the workbook's list — on the city's
    301 workbooks a sixth of their writing time — so each combination is looked up once and later
    cells take a copy of its style array, as openpyxl's own ``WorksheetCopy`` does.
    """
    wrap, fmt = False, None
    top = top and value is not None
    if isinstance(value, str):
        wrap = not _fits(value, width)
        # openpyxl types text starting with "=" as a formula and "#…" as an error code.
        if fill is None and not wrap and not top and value[:1] not in ("=", "#"):
            return value
    elif isinstance(value, datetime):
        fmt = "yyyy-mm-dd hh:mm:ss"
    elif fill is None and not top:
        return value  # numbers, booleans, empty; a date gets openpyxl's own yyyy-mm-dd
    elif isinstance(value, date):
        fmt = "yyyy-mm-dd"
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # data text is never a formula or an error code
    if wrap or fmt or fill is not None or top:
        key = (wrap, fmt, id(fill), top)
        if (style := styles.get(key)) is not None:
            cell._style = copy(style)
        else:
            if wrap:
                cell.alignment = WRAP  # long text wraps instead of running off the printed page
            elif top:
                cell.alignment = TOP
            if fmt:
                cell.number_format = fmt
            if fill is not None:
                cell.fill = fill
            styles[key] = copy(cell._style)
    return cell


def _heading(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
    return cell


def new_workbook() -> Workbook:
    """A write-only workbook: every sheet streams to disk, so a city-size sheet stays small in memory."""
    return Workbook(write_only=True)


def add_table_sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence],
                    highlight: Highlight | None = None, info: PrintInfo | None = None,
                    title_columns: int = 0) -> SheetResult:
    """One printable sheet: heading row, then the rows streamed; returns its row count and data hash.

    ``highlight`` sees the row as the data has it (codes); the cells show ``Column.show`` of each
    value. ``title_columns`` leading columns repeat on every page when the sheet is wider than one.
    """
    if not getattr(wb, "write_only", False):
        raise ValueError("pdgov sheets are written in write-only mode: use new_workbook()")
    it: Iterator[Sequence] = iter(rows)
    head = list(islice(it, WIDTH_SAMPLE))
    ws = wb.create_sheet(title=title[:31])
    # Write-only sheets write views and column widths with the first row: set them before it.
    widths = column_widths(columns, [[c.show(v) for c, v in zip(columns, r, strict=False)] for r in head])
    for ci, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(ci)].width = w
    ws.freeze_panes = "A2"
    print_setup(ws, widths, info, title_columns)
    digest = hashlib.sha256()
    headings = [c.heading for c in columns]
    digest.update(("\x1f".join(headings) + "\x1e").encode())
    _set_height(ws, 1, [(h, w) for h, w in zip(headings, widths, strict=False) if not _fits(h, w - 1)], bold=True)
    ws.append([_heading(ws, h) for h in headings])
    n = 0
    styles: dict = {}
    labeled = [(i, c) for i, c in enumerate(columns) if c.labels]
    for row in chain(head, it):
        level = highlight(row) if highlight else None
        fill = FILLS.get(level) if level else None
        values = [cell_value(v) for v in row]  # once per value: masking IDs is a regex search
        for i, c in labeled:  # status codes become their words (the highlight saw the codes)
            values[i] = c.show(values[i])
        wrapped = [(v, w) for v, w in zip(values, widths, strict=False) if v.__class__ is str and not _fits(v, w - 1)]
        tall = bool(wrapped) and _set_height(ws, n + 2, wrapped)
        ws.append([_cell(ws, v, styles, fill, w - 1, tall) for v, w in zip(values, widths, strict=False)])
        ws.row_dimensions.pop(n + 2, None)  # written with the row: no need to keep it
        digest.update(("\x1f".join(_text(v) for v in values) + "\x1e").encode())
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{n + 1}"
    return SheetResult(title=title, rows=n, sha256=digest.hexdigest())


def _set_height(ws, row_idx: int, wrapped: list[tuple[str, float]], font_pt: float = 11.0,
                bold: bool = False) -> bool:
    """Give the next row the height its wrapped text needs (before it is appended: write-only);
    True when it is taller than one line."""
    if wrapped and (height := row_height(wrapped, font_pt, bold)) is not None:
        ws.row_dimensions[row_idx].height = height
        return True
    return False


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save with fixed document and zip timestamps, so same data ⇒ same bytes (auditable hashes).

    The generation time a reader needs is printed in every footer and the provenance sheet
    (the run's start), not hidden in the file's metadata where it would change the hash.
    """
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "pdgov"
    wb.properties.lastModifiedBy = "pdgov"
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = path.with_name(path.name + ".raw")
    tmp = path.with_name(path.name + ".part")
    try:
        wb.save(raw)
        # Re-zip entry by entry, streaming: a city-size sheet's XML never sits whole in memory.
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                if info.filename == "docProps/core.xml":
                    # openpyxl stamps "modified" with the clock on save, whatever was set: pin it.
                    data = re.sub(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                                  rb"<dcterms:modified\1>2000-01-01T00:00:00Z</dcterms:modified>",
                                  src.read(info.filename))
                    dst.writestr(zi, data)
                    continue
                with src.open(info) as fin, dst.open(zi, "w") as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)
        tmp.replace(path)
    finally:
        raw.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
