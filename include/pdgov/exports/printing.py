"""How a committee sheet prints: paper and scale, repeated titles, rows tall enough, a readable footer.

A secretary prints the workbook as exported (LibreOffice or Excel, no page-setup dialog). What
went wrong before: a 25-column sheet fitted to one A4 width printed at a few pixels high, wrapped
text ran over the next row (write-only rows carry no height, and LibreOffice does not grow them),
and one long footer printed over the page number. So:

* **Scale never below 70 %.** A sheet is printed on A4 landscape at 100 % if it fits, else scaled
  down to fit one page width if that stays at or above 70 %, else on A3 landscape likewise; a sheet
  wider than A3 at 70 % prints at 75 % across several pages with its key columns (agency, file)
  repeated on every page, as the heading row is repeated down the pages.
* **Row heights from the text.** Each row gets the height its longest wrapped cell needs, counting
  a CJK character as one em and Latin text as ~0.6 em, wrapped the way a spreadsheet wraps.
* **Header and footer in three short parts** (sheet and run; scope, page x of y, date and time),
  each cut to the room it has, so the left, centre and right parts cannot meet.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

FONT_PT = 11.0          # the workbook's body font (openpyxl's default, Calibri 11)
LINE_PT = 15.5          # one line of 11 pt text, CJK included, with the spreadsheet's leading
ROW_PAD_PT = 3.0
CHAR_PT = 5.25          # one unit of column width (the default font's digit, 7 px at 96 dpi)
COLUMN_PAD_PT = 3.75    # a column's own padding (5 px)
CELL_PAD_PT = 4.0       # text starts and stops a little inside the cell
LATIN_EM = 0.62         # average Latin glyph width in em (Calibri is ~0.5, its fallbacks wider)
BOLD_WIDER = 1.06       # bold text (headings, form captions) runs a little wider
HEAD_FOOT_PT = 8        # header and footer font size
MARGIN_IN = 0.4         # left and right page margins
TOP_BOTTOM_IN = 0.7
HEAD_FOOT_IN = 0.3
MIN_SCALE = 70
SPREAD_SCALE = 75       # a sheet wider than A3 at 70 % prints at this scale across pages
# Spreadsheets round each column to whole pixels and LibreOffice's columns come out a few percent
# wider than the width formula: plan for 5 % more, or the last column spills onto a page of its own.
WIDTH_SLACK = 1.05
# paper: (openpyxl paperSize code, long side, short side) in points
PAPERS = {"A4": ("9", 842.0, 595.0), "A3": ("8", 1191.0, 842.0)}


@dataclass(frozen=True)
class Layout:
    paper: str            # "A4" / "A3"
    orientation: str      # "landscape" / "portrait"
    scale: int            # percent
    title_columns: int    # leading columns repeated on every page (0: the sheet fits one page width)

    @property
    def printable_width(self) -> float:
        _, long, short = PAPERS[self.paper]
        return (long if self.orientation == "landscape" else short) - 2 * MARGIN_IN * 72


@dataclass(frozen=True)
class PrintInfo:
    """What the header and footer say about the whole workbook."""

    scope: str       # 臺北市政府人事處（379130000C）or 臺北市政府全市
    as_of: str       # the run's logical date
    run_id: str
    generated: str   # the run's start, "YYYY-MM-DD HH:MM" (may be empty)


def column_points(width: float) -> float:
    return width * CHAR_PT + COLUMN_PAD_PT


def layout(widths: Sequence[float], title_columns: int = 0, orientation: str = "landscape") -> Layout:
    """The smallest paper that prints the sheet at ≥ 70 %, or A3 at 75 % with titles repeated."""
    total = sum(column_points(w) for w in widths) * WIDTH_SLACK
    for paper in ("A4", "A3"):
        probe = Layout(paper, orientation, 100, 0)
        scale = min(100, math.floor(probe.printable_width / total * 100))
        if scale >= MIN_SCALE:
            return Layout(paper, orientation, scale, 0)
    return Layout("A3", "landscape", SPREAD_SCALE, title_columns)


def _em(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else LATIN_EM


def text_lines(text: str, width: float, font_pt: float = FONT_PT, bold: bool = False) -> int:
    """Lines ``text`` takes in a wrapped cell of ``width`` units: CJK breaks anywhere, Latin
    words move to the next line whole (and are broken only when longer than a line)."""
    room = (column_points(width) - CELL_PAD_PT) / (font_pt * (BOLD_WIDER if bold else 1.0))  # in em
    lines = 0
    for para in text.split("\n"):
        lines += 1
        used = 0.0
        word = 0.0
        for ch in para + "\0":
            if ch != "\0" and ch.isascii() and not ch.isspace():
                word += LATIN_EM  # inside a Latin word
                continue
            if word:  # a Latin word ends: it goes on this line or the next
                if used + word > room and used > 0:
                    lines, used = lines + 1, 0.0
                while word > room:  # longer than a whole line
                    lines, word = lines + 1, word - room
                used += word
                word = 0.0
            if ch == "\0":
                break
            w = _em(ch)
            if used + w > room and not ch.isspace():
                lines, used = lines + 1, 0.0
            used += w
    return lines


def row_height(texts: Sequence[tuple[str, float]], font_pt: float = FONT_PT, bold: bool = False) -> float | None:
    """The height (points) a row of wrapped cells needs, or None when one line is enough."""
    lines = max((text_lines(t, w, font_pt, bold) for t, w in texts), default=1)
    return lines * LINE_PT * font_pt / FONT_PT + ROW_PAD_PT if lines > 1 else None


def _points(text: str) -> float:
    return sum(_em(ch) for ch in text) * HEAD_FOOT_PT


def fit(text: str, room: float) -> str:
    """``text`` cut (with …) to ``room`` points at the header/footer size."""
    if _points(text) <= room:
        return text
    out = ""
    for ch in text:
        if _points(out + ch + "…") > room:
            break
        out += ch
    return out + "…"


def _code(text: str) -> str:
    return text.replace("&", "&&")  # '&' starts a header/footer code


def print_setup(ws, widths: Sequence[float], info: PrintInfo | None, title_columns: int = 0,
                orientation: str = "landscape", title_rows: str | None = "1:1") -> Layout:
    """Page setup of a sheet whose columns have ``widths``; returns the layout chosen."""
    lay = layout(widths, title_columns, orientation)
    ws.page_setup.paperSize = PAPERS[lay.paper][0]
    ws.page_setup.orientation = lay.orientation
    ws.page_setup.scale = lay.scale
    ws.sheet_properties.pageSetUpPr.fitToPage = False  # an explicit scale: never below MIN_SCALE
    margins = ws.page_margins
    margins.left = margins.right = MARGIN_IN
    margins.top = margins.bottom = TOP_BOTTOM_IN
    margins.header = margins.footer = HEAD_FOOT_IN
    if title_rows:
        ws.print_title_rows = title_rows
    if lay.title_columns:
        from openpyxl.utils import get_column_letter

        ws.print_title_cols = f"A:{get_column_letter(lay.title_columns)}"
    ws.print_options.gridLines = True
    # Header and footer: three parts each; the centre takes ~90 pt, each side half of the rest.
    side = lay.printable_width / 2 - 50
    ws.oddHeader.left.text, ws.oddHeader.left.size = "&A", HEAD_FOOT_PT
    ws.oddFooter.center.text, ws.oddFooter.center.size = "第 &P 頁，共 &N 頁", HEAD_FOOT_PT
    if info is not None:
        ws.oddHeader.right.text = _code(fit(f"作業批次 {info.run_id}", side))
        ws.oddFooter.left.text = _code(fit(info.scope, side))
        when = f"資料基準日 {info.as_of}" + (f"｜產製 {info.generated}" if info.generated else "")
        ws.oddFooter.right.text = _code(fit(when, side))
        for part in (ws.oddHeader.right, ws.oddFooter.left, ws.oddFooter.right):
            part.size = HEAD_FOOT_PT
    return lay
