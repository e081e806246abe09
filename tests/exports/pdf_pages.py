"""Reading printed workbooks back: LibreOffice headless makes the PDF, poppler reads its words.

Only Debian packages a secretary's machine would also have (``libreoffice-calc-nogui`` for the
conversion, ``poppler-utils`` for ``pdftotext -bbox`` and ``pdftoppm``); no PDF library in Python.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from pdgov.exports.printing import TOP_BOTTOM_IN

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")
BAND = TOP_BOTTOM_IN * 72  # header and footer print inside the top and bottom margins


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    def band(self, top: bool) -> list[Word]:
        return [w for w in self.words if (w.y1 <= BAND if top else w.y0 >= self.height - BAND)]

    @property
    def body(self) -> list[Word]:
        edge = BAND
        return [w for w in self.words if edge < w.y0 and w.y1 < self.height - edge]

    @property
    def sheet(self) -> str:
        """The sheet this page prints: the header's left part is the sheet name (``&A``)."""
        top = sorted(self.band(top=True), key=lambda w: w.x0)
        return top[0].text if top else ""

    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def cjk_height(self) -> float | None:
        """Median height of the body's CJK words: proportional to the print scale."""
        heights = [w.height for w in self.body if CJK.search(w.text)]
        return statistics.median(heights) if heights else None


def tools_missing() -> list[str]:
    return [t for t in ("soffice", "pdftotext", "pdftoppm") if shutil.which(t) is None]


def to_pdf(books: list[Path], out: Path, profile: Path) -> list[Path]:
    """Each workbook as a secretary prints it: LibreOffice headless, the file as exported."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", "--headless", "--norestore", "--nolockcheck",
                    f"-env:UserInstallation={profile.resolve().as_uri()}", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, books)], check=True, capture_output=True, timeout=300)
    pdfs = [out / (b.stem + ".pdf") for b in books]
    missing = [p.name for p in pdfs if not p.exists()]
    assert not missing, f"LibreOffice wrote no PDF for {missing}"
    return pdfs


def pages(pdf: Path) -> list[Page]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    return [Page(n, float(m.group(1)), float(m.group(2)),
                 [Word(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in WORD.findall(m.group(3))])
            for n, m in enumerate(PAGE.finditer(xml), start=1)]


def overlaps(words: list[Word], core: float = 0.6, tol: float = 0.5) -> list[tuple[Word, Word]]:
    """Pairs of words printed over each other.

    A word's box includes its font's ascent and descent, so the boxes of two lines of one wrapped
    cell touch; the middle ``core`` of each box (where the glyphs are) never does unless text
    really prints over text (a wrapped cell running into the next row, footer parts meeting).
    """
    def inner(w: Word) -> Word:
        pad = w.height * (1 - core) / 2
        return Word(w.x0, w.y0 + pad, w.x1, w.y1 - pad, w.text)

    found = []
    ws = sorted(map(inner, words), key=lambda w: w.x0)
    for i, a in enumerate(ws):
        for b in ws[i + 1:]:
            if b.x0 >= a.x1 - tol:
                break
            if min(a.y1, b.y1) - max(a.y0, b.y0) > tol and min(a.x1, b.x1) - max(a.x0, b.x0) > tol:
                found.append((a, b))
    return found


def to_png(pdf: Path, out: Path, dpi: int = 60) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / pdf.stem)], check=True, timeout=300)
    return sorted(out.glob(f"{pdf.stem}-*.png"))
