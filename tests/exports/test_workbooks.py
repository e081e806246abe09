"""Committee workbooks: safe to open, made for printing, byte-identical for the same data."""

from __future__ import annotations

import hashlib
import re
import zipfile

import pytest
from openpyxl import load_workbook

from pdgov.exports.excel import Column, add_table_sheet, new_workbook, save_deterministic
from pdgov.exports.sheets import REGISTER


@pytest.mark.parametrize("payload", ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=evil", "\r=evil",
                                     '=HYPERLINK("http://x","y")', "#DIV/0!", "#N/A"])  # not error cells either
def test_data_text_never_becomes_a_formula(tmp_path, payload):
    wb = new_workbook()
    add_table_sheet(wb, "t", [Column("a", "欄")], [[payload]])
    path = tmp_path / "t.xlsx"
    save_deterministic(wb, path)
    cell = load_workbook(path)["t"]["A2"]
    # Text, exactly as delivered (lxml writes a carriage return as &#13;, so it survives the XML).
    assert cell.data_type == "s" and cell.value == payload
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml


def test_register_sheet_has_the_twenty_fields_in_order():
    heads = [c.heading for c in REGISTER]
    numbered = [h for h in heads if h.startswith("(")]
    order = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六",
             "十七", "十八", "十九", "二十"]
    assert [h[1:h.index(")")] for h in numbered] == order


@pytest.mark.slow
def test_city_workbook_prints_with_headings_and_key_columns_on_every_page(demo_run):
    city = next((demo_run.home / "exports").rglob("pdgov_全市_*.xlsx"))
    wb = load_workbook(city)
    ws = wb["個人資料檔案清冊"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    # 25 columns do not fit any paper at a readable size: A3 landscape at 75 %, agency and file repeated.
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 8
    assert int(ws.page_setup.scale) >= 70 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows in ("1:1", "$1:$1") and ws.print_title_cols in ("A:C", "$A:$C")
    assert "&P" in (ws.oddFooter.center.text or "")
    assert {"說明", "來源與版本"} <= set(wb.sheetnames)
    assert not any(s.sheet_state != "visible" for s in wb.worksheets), "no hidden sheets"
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert all(w and w >= 10 for w in widths)


@pytest.mark.slow
def test_prohibited_devices_are_highlighted(demo_run):
    city = next((demo_run.home / "exports").rglob("pdgov_全市_*.xlsx"))
    ws = load_workbook(city)["生物特徵差勤設備清冊"]
    head = [c.value for c in ws[1]]
    col = head.index("合規狀態")
    prohibited = [row for row in ws.iter_rows(min_row=2) if row[col].value == "禁止使用"]
    assert prohibited and all(row[0].fill.fgColor.rgb.endswith("F8CBAD") for row in prohibited)


@pytest.mark.slow
def test_no_national_id_in_clear_in_any_workbook(demo_run):
    id_re = re.compile(rb"(?<![A-Za-z0-9])[A-Z][12]\d{8}(?!\d)")
    books = [b for b in (demo_run.home / "exports").rglob("*.xlsx") if not b.is_symlink()]
    assert books
    for book in books:
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                assert not id_re.search(z.read(name)), f"{book.name}:{name}"


@pytest.mark.slow
def test_same_data_gives_byte_identical_workbooks(demo_run, monkeypatch):
    from pdgov.exports.workbooks import write_all

    monkeypatch.setenv("PDGOV_HOME", str(demo_run.home))
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in write_all("fixed-run", demo_run.run_date)}
    second = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in write_all("fixed-run", demo_run.run_date)}
    assert first == second and len(first) > 1


def test_every_row_keeps_its_own_style_when_cells_share_them(tmp_path):
    """Cells take copies of the sheet's first lookup of each style (fill, wrap, number format):
    every row, not only the first of its kind, must read back with its own fill, wrap and format,
    and plain cells with none of them."""
    from datetime import date, datetime

    from pdgov.exports.excel import FILLS

    long_text = "長" * 80
    rows = [[f"r{i}", datetime(2026, 10, 5, 8, i), date(2026, 10, i + 1), long_text if i % 2 else "短", i, None]
            for i in range(12)]
    level = {0: "violation", 3: "warning", 4: "violation", 7: "warning", 8: "violation"}
    wb = new_workbook()
    add_table_sheet(wb, "t", [Column(n, n) for n in "abcdef"], rows, lambda r: level.get(r[4]))
    path = tmp_path / "t.xlsx"
    save_deterministic(wb, path)
    got = list(load_workbook(path)["t"].iter_rows(min_row=2, max_col=6))
    assert len(got) == 12
    for i, cells in enumerate(got):
        want = FILLS[level[i]].fgColor.rgb if i in level else "00000000"
        assert [c.fill.fgColor.rgb for c in cells] == [want] * 6, i
        assert cells[1].value == datetime(2026, 10, 5, 8, i) and cells[1].number_format == "yyyy-mm-dd hh:mm:ss", i
        assert cells[2].value == datetime(2026, 10, i + 1) and cells[2].number_format == "yyyy-mm-dd", i
        assert bool(cells[3].alignment.wrap_text) == bool(i % 2), i
        assert not cells[0].alignment.wrap_text and cells[4].value == i and cells[4].data_type == "n", i
