"""The committee workbooks as a secretary prints them: LibreOffice headless, the files as exported.

Every sheet of the demo night's city workbook and of one agency workbook goes to PDF; the pages
are read back with ``pdftotext -bbox`` and checked for what made them unreadable before (issue 20):
the print scale (≥ 70 %, measured on the glyphs, not only declared), the paper, the page count,
the heading row and key columns on every page, the register as a form with one file per page,
no text printed over other text (wrapped rows, header and footer parts), and a footer that names
the agency and the date. The PDFs and a PNG of every page are kept as artifacts.
"""

from __future__ import annotations

import math
import shutil

import pdf_pages as pp
import pytest
from openpyxl import load_workbook

from pdgov.exports.printing import LINE_PT, MIN_SCALE, PAPERS, WIDTH_SLACK, column_points
from pdgov.exports.sheets import DEVICE_STATUS, REGISTER

pytestmark = pytest.mark.slow
AGENCY = "379430000K"  # the demo agency with the longest name: the footer's hardest case
AGENCY_NAME = "臺北市政府工務局公園路燈工程管理處"
FORM = "清冊逐檔列印"


@pytest.fixture(scope="module")
def printed(demo_run, artifacts, tmp_path_factory):
    missing = pp.tools_missing()
    assert not missing, f"{missing} not installed: `make system-deps` installs libreoffice-calc-nogui and poppler-utils"
    day = demo_run.run_date.isoformat()
    exports = demo_run.home / "exports" / day
    books = [exports / f"pdgov_全市_{day}.xlsx", exports / "agency" / f"pdgov_{AGENCY}_{day}.xlsx"]
    work = tmp_path_factory.mktemp("print")
    copies = []
    for b in books:  # ASCII names: the PDFs and PNGs keep them
        copies.append(work / ("city.xlsx" if "全市" in b.name else f"agency_{AGENCY}.xlsx"))
        shutil.copy2(b, copies[-1])
    out = artifacts / "printouts"
    shutil.rmtree(out, ignore_errors=True)
    pdfs = pp.to_pdf(copies, out, work / "lo-profile")
    for pdf in pdfs:
        pp.to_png(pdf, out)
    return {c.stem: (load_workbook(c), pp.pages(pdf)) for c, pdf in zip(copies, pdfs, strict=True)}


def _by_sheet(pages: list[pp.Page]) -> dict[str, list[pp.Page]]:
    out: dict[str, list[pp.Page]] = {}
    for p in pages:
        out.setdefault(p.sheet, []).append(p)
    return out


def test_every_sheet_prints_and_no_text_prints_over_other_text(printed):
    for name, (wb, pages) in printed.items():
        assert list(_by_sheet(pages)) == wb.sheetnames, name
        clashes = [(p.number, p.sheet, a.text, b.text) for p in pages for a, b in pp.overlaps(p.words)]
        assert not clashes, f"{name}: text over text on {len(clashes)} spots, first: {clashes[:5]}"


def test_print_scale_is_at_least_70_percent_and_what_the_sheet_declares(printed):
    for name, (wb, pages) in printed.items():
        sheets = _by_sheet(pages)
        assert wb["說明"].page_setup.scale == 100
        full = [h for p in sheets["說明"] if (h := p.cjk_height())]
        reference = sorted(full)[len(full) // 2]  # 11 pt CJK at 100 %
        for title, sheet_pages in sheets.items():
            ws = wb[title]
            declared = int(ws.page_setup.scale) / 100
            assert declared >= MIN_SCALE / 100 and not ws.sheet_properties.pageSetUpPr.fitToPage, (name, title)
            code, long, short = PAPERS["A3" if str(ws.page_setup.paperSize) == "8" else "A4"]
            size = (long, short) if ws.page_setup.orientation == "landscape" else (short, long)
            for p in sheet_pages:
                assert (round(p.width), round(p.height)) == (round(size[0]), round(size[1])), (name, title, p.number)
                if (h := p.cjk_height()) is None:
                    continue  # a page of hashes and codes only
                measured = h / reference
                assert measured >= MIN_SCALE / 100 - 0.01, (name, title, p.number, measured)
                assert abs(measured - declared) <= 0.04, (name, title, p.number, measured, declared)


def _heading_seen(page: pp.Page, heading: str) -> bool:
    return heading.replace(" ", "")[:4] in page.text()


def test_headings_and_key_columns_on_every_page_and_no_column_alone_on_a_page(printed):
    for name, (wb, pages) in printed.items():
        for title, sheet_pages in _by_sheet(pages).items():
            if title == FORM:
                continue
            ws = wb[title]
            head = [c.value for c in next(ws.iter_rows(max_row=1))]
            if ws.print_title_cols:  # wider than a page: the key columns repeat on every page
                keys = head[:len(range(*_cols(ws.print_title_cols)))]
                assert len(keys) >= 2, (title, ws.print_title_cols)
                want = keys
            else:  # one page wide: first and last column on every page
                want = [head[0], head[-1]]
            for p in sheet_pages:
                missing = [h for h in want if not _heading_seen(p, h)]
                assert not missing, (name, title, p.number, missing)


def _cols(ref: str) -> tuple[int, int]:
    from openpyxl.utils import column_index_from_string

    a, b = ref.replace("$", "").split(":")
    return column_index_from_string(a), column_index_from_string(b) + 1


def test_page_count_follows_from_rows_and_columns(printed):
    """No sheet prints more pages than its rows and columns need at its scale (a column alone on a
    page, or rows spread thin, would show here)."""
    for name, (wb, pages) in printed.items():
        for title, sheet_pages in _by_sheet(pages).items():
            if title == FORM:
                continue
            ws = wb[title]
            scale = int(ws.page_setup.scale) / 100
            _, long, short = PAPERS["A3" if str(ws.page_setup.paperSize) == "8" else "A4"]
            width, height = (long, short) if ws.page_setup.orientation == "landscape" else (short, long)
            room_w = width - (ws.page_margins.left + ws.page_margins.right) * 72
            room_h = height - (ws.page_margins.top + ws.page_margins.bottom) * 72
            widths = [column_points(ws.column_dimensions[c].width) * WIDTH_SLACK for c in ws.column_dimensions]
            titles = sum(widths[:_cols(ws.print_title_cols)[1] - 1]) if ws.print_title_cols else 0.0
            across = max(1, math.ceil((sum(widths) - titles) * scale / (room_w - titles * scale)))
            rows = [ws.row_dimensions[r].height or LINE_PT for r in range(1, ws.max_row + 1)]
            head = rows[0] * scale
            down = math.ceil(sum(rows[1:]) * scale / (room_h - head)) if len(rows) > 1 else 1
            assert len(sheet_pages) <= across * (down + 1), (name, title, len(sheet_pages), across, down)


def test_register_prints_as_a_form_one_file_per_page_with_the_twenty_items(printed):
    numbers = [c.heading[:c.heading.index(")") + 1] for c in REGISTER if c.heading.startswith("(")]
    assert len(numbers) == 20
    assert FORM not in printed["city"][0].sheetnames  # the city prints the table, key columns repeated
    for name, (wb, pages) in printed.items():
        if name == "city":
            continue
        files = wb["個人資料檔案清冊"].max_row - 1
        form = _by_sheet(pages)[FORM]
        assert files > 1 and len(form) == files, (name, files, len(form))
        for p in form:
            text = p.text()
            assert text.count("個人資料檔案清冊｜") == 1, (name, p.number)
            at = [text.find(n) for n in numbers]
            assert -1 not in at and at == sorted(at), (name, p.number, "the twenty items, numbered, in order")
        assert wb[FORM].page_setup.orientation == "portrait"


def test_header_and_footer_name_the_sheet_the_scope_the_date_and_the_page(printed, demo_run):
    day = demo_run.run_date.isoformat()
    for name, (_wb, pages) in printed.items():
        scope = AGENCY_NAME if AGENCY in name else "臺北市政府全市"
        for p in pages:
            foot = "".join(w.text for w in sorted(p.band(top=False), key=lambda w: w.x0))
            head = "".join(w.text for w in p.band(top=True))
            assert scope in foot and f"資料基準日{day}" in foot, (name, p.number, foot)
            assert f"第{p.number}頁，共{len(pages)}頁" in foot, (name, p.number, foot)
            assert "作業批次" in head, (name, p.number, head)


def test_cells_say_status_words_and_agency_names(printed):
    wb, _ = printed["city"]
    ws = wb["生物特徵差勤設備清冊"]
    head = [c.value for c in ws[1]]
    status = {r[head.index("合規狀態")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert status and status <= set(DEVICE_STATUS.values()), status
    assert "禁止使用" in status
    help_text = " ".join(str(r[1]) for r in wb["說明"].iter_rows(min_row=2, values_only=True))
    assert "禁止使用＝prohibited" in help_text and "逾期未刪除＝overdue" in help_text
    for title in ("個人資料檔案清冊", "生物特徵差勤設備清冊", "刪除期限", "WebIR抽查樣本", "帳號清查"):
        rows = list(wb[title].iter_rows(min_row=2, values_only=True))
        assert rows and all(r[1] for r in rows), f"{title}: an agency code without its name"
    names = {r[0]: r[1] for r in wb["生物特徵差勤設備清冊"].iter_rows(min_row=2, values_only=True)}
    assert names[AGENCY] == AGENCY_NAME
