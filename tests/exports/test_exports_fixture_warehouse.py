"""write_all on a small fixture warehouse: what a committee secretary opens and prints."""

from __future__ import annotations

import hashlib
import os
import zipfile
from datetime import date
from pathlib import Path

import exports_fixture as fx
import pytest
from openpyxl import load_workbook

from pdgov.exports.excel import FILLS, display_width
from pdgov.exports.sheets import REGISTER_TABLE
from pdgov.exports.workbooks import write_all

DAY = date(2026, 11, 2)
RED = FILLS["violation"].fgColor.rgb
AMBER = FILLS["warning"].fgColor.rgb


@pytest.fixture
def books(pdgov_home) -> dict[str, Path]:
    fx.build(pdgov_home.warehouse)
    return {p.name: p for p in write_all(fx.RUN_ID, DAY)}


def _city(books: dict[str, Path]) -> Path:
    return next(p for n, p in books.items() if "全市" in n)


def _table(ws) -> tuple[list, list[list]]:
    rows = list(ws.iter_rows())
    return [c.value for c in rows[0]], rows[1:]


def test_city_and_one_workbook_per_agency(books, pdgov_home):
    assert sorted(books) == sorted([f"pdgov_全市_{DAY}.xlsx"] + [f"pdgov_{a}_{DAY}.xlsx" for a in fx.AGENCIES])
    assert all(p.is_relative_to(pdgov_home.exports / DAY.isoformat()) for p in books.values())
    agency_book = load_workbook(books[f"pdgov_{fx.AGENCIES[1]}_{DAY}.xlsx"])
    assert "個資事件" not in agency_book.sheetnames  # citywide records stay in the city workbook
    for title in ("個人資料檔案清冊", "生物特徵差勤設備清冊", "刪除期限", "WebIR抽查樣本"):
        head, rows = _table(agency_book[title])
        col = head.index("機關代碼")
        assert rows and {r[col].value for r in rows} == {fx.AGENCIES[1]}, title


def test_sheets_are_printable_with_headings_on_every_page(books):
    wb = load_workbook(_city(books))
    assert wb.sheetnames[0] == "說明" and wb.sheetnames[-1] == "來源與版本"
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets), "no hidden sheets"
    for ws in wb.worksheets:
        assert int(ws.page_setup.scale) >= 70 and not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(ws.page_setup.paperSize) in (8, 9), ws.title  # A3 or A4
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert f"產製 {fx.STARTED:%Y-%m-%d %H:%M}" in ws.oddFooter.right.text
        assert ws.oddFooter.left.text in ("臺北市政府全市",), ws.oddFooter.left.text
        assert fx.RUN_ID in ws.oddHeader.right.text and ws.oddHeader.left.text == "&A"
        if ws.title == "清冊逐檔列印":
            assert ws.page_setup.orientation == "portrait"
            continue
        assert ws.page_setup.orientation == "landscape"
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
        assert ws.print_title_rows in ("1:1", "$1:$1"), ws.title
    reg = wb["個人資料檔案清冊"]
    head, rows = _table(reg)
    assert head == [c.heading for c in REGISTER_TABLE]
    # Widths fit CJK text: the file name column is at least as wide as its widest name (2 per character).
    col = head.index("(二)個人資料檔案名稱")
    letter = reg.cell(1, col + 1).column_letter
    assert reg.column_dimensions[letter].width >= max(display_width(r[col].value) for r in rows)
    basis = rows[0][head.index("風險評估依據")]
    assert basis.alignment.wrap_text, "long text wraps instead of running off the page"


def test_violations_are_highlighted(pdgov_home):
    fx.build(pdgov_home.warehouse, skip=())
    wb = load_workbook(next(p for p in write_all(fx.RUN_ID, DAY) if "全市" in p.name))

    def fills(title: str, key: str) -> dict:
        head, rows = _table(wb[title])
        return {r[head.index(key)].value: {c.fill.fgColor.rgb for c in r} for r in rows}

    dev = fills("生物特徵差勤設備清冊", "設備編號")
    assert dev["D001"] == {RED} and dev["D003"] == {AMBER} and RED not in dev["D002"] | dev["D004"]
    assert fills("刪除期限", "機關代碼")[fx.AGENCIES[0]] == {RED}
    samples = _table(wb["WebIR抽查樣本"])
    kind = samples[0].index("抽樣類別")
    for r in samples[1]:
        assert ({c.fill.fgColor.rgb for c in r} == {RED}) == (r[kind].value == "異常必抽")
    assert fills("帳號清查", "帳號")["u1"] == {RED}
    assert fills("個資事件", "事件編號")["INC-1"] == {RED}
    assert fills("個人資料檔案清冊", "公告狀態")["逾期未公告"] == {RED}
    assert fills("個人資料檔案清冊", "公告狀態")["公告期限內"] != {RED}


def test_safe_to_open_no_formulas_no_clear_ids(books):
    for path in books.values():
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                data = z.read(name)
                assert fx.CLEAR_ID.encode() not in data, f"{path.name}:{name}"
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in data and b"<f " not in data, f"{path.name}:{name}"
    head, rows = _table(load_workbook(_city(books))["WebIR抽查樣本"])
    reasons = {r[head.index("事由")].value for r in rows}
    assert fx.FORMULA in reasons and "@SUM(1)" in reasons and "查詢 A12****789 勞保" in reasons


def test_missing_mart_gets_a_sheet_that_says_so(books):
    ws = load_workbook(_city(books))["帳號清查"]
    assert "webir_account_review" in ws["A2"].value and "未產出" in ws["A2"].value


def test_help_sheet_explains_every_column_and_the_sample_rule(books):
    wb = load_workbook(_city(books))
    help_rows = {r[0].value: r[1].value for r in list(wb["說明"].iter_rows())[1:]}
    for title in wb.sheetnames[1:-1]:
        for heading in _table(wb[title])[0] if "未產出" not in str(wb[title]["A2"].value) else []:
            assert help_rows.get(f"{title}：{heading}"), (title, heading)
    assert "md5" in help_rows["抽樣規則"] and "3%" in help_rows["抽樣規則"]
    assert help_rows["作業批次"] == fx.RUN_ID
    head, rows = _table(wb["WebIR抽查樣本"])
    seeds = {r[head.index("抽樣種子")].value for r in rows}
    assert seeds == {f"pdgov-webir|{a}|2026-10" for a in fx.AGENCIES}


def test_provenance_sheet(books):
    wb = load_workbook(_city(books))
    prov = {r[0].value: r for r in list(wb["來源與版本"].iter_rows())[1:]}
    assert prov["作業批次 run id"][1].value == fx.RUN_ID
    assert prov["資料基準日 logical date"][1].value == DAY.isoformat()
    assert prov["觸發者 triggered by"][1].value == "scheduler"
    assert prov["資料區間 data interval"][1].value == "2026-11-01 02:00 – 2026-11-02 02:00"
    assert prov["dbt 版本"][1].value and prov["pdgov 版本"][1].value
    src = prov["來源檔案 punches"]
    assert src[1].value == "punches_2026-11-01.csv" and src[2].value == fx.SOURCE_SHA and src[3].value == 42
    assert "來源檔案 devices" not in prov, "only files that were loaded"
    for title in ("個人資料檔案清冊", "刪除期限", "WebIR抽查樣本"):
        assert prov[f"工作表 {title}"][3].value == wb[title].max_row - 1
        assert len(prov[f"工作表 {title}"][2].value) == 64


def test_agency_workbook_lists_its_own_and_the_city_wide_source_files(books):
    def files(name: str) -> set[str]:
        rows = list(load_workbook(books[name])["來源與版本"].iter_rows(values_only=True))[1:]
        return {r[1] for r in rows if str(r[0]).startswith("來源檔案")}

    own = {a: f"{a}_差勤刷卡_202610.csv" if a == fx.AGENCIES[0] else f"{a}_WebIR查詢日誌_202610.csv"
           for a in fx.AGENCIES}
    assert files(f"pdgov_全市_{DAY}.xlsx") == {"punches_2026-11-01.csv", *own.values()}
    for agency in fx.AGENCIES:
        assert files(f"pdgov_{agency}_{DAY}.xlsx") == {"punches_2026-11-01.csv", own[agency]}


def test_same_data_same_bytes_and_sheet_hashes_compare_across_runs(books, pdgov_home):
    first = {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in books.items()}
    again = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in write_all(fx.RUN_ID, DAY)}
    assert again == first

    def sheet_hashes(path: Path) -> dict:
        rows = list(load_workbook(path)["來源與版本"].iter_rows(values_only=True))
        return {r[0]: r[2] for r in rows if str(r[0]).startswith("工作表")}

    city = _city(books)
    before = sheet_hashes(city)
    write_all("manual__another-run", DAY)  # same data, another run: the sheet hashes still match
    assert hashlib.sha256(city.read_bytes()).hexdigest() != first[city.name]
    assert sheet_hashes(city) == before


def test_workbooks_written_by_several_processes_are_the_same_bytes(books, pdgov_home):
    """The city night shares its 300 workbooks among processes; the files must not depend on that."""
    from pdgov.exports.workbooks import PARALLEL_FROM, workers_for

    one = {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in books.items()}
    for p in books.values():
        p.unlink()
    shared = write_all(fx.RUN_ID, DAY, workers=2)
    assert [p.name for p in shared] == list(books)  # same order: the city's first, then by agency code
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in shared} == one
    assert workers_for(len(books)) == 1 and workers_for(PARALLEL_FROM) == min(os.cpu_count() or 1, 4)


def test_workbooks_are_written_in_the_task_process_when_no_process_can_start(books, pdgov_home, monkeypatch,
                                                                              caplog):
    import subprocess

    def refused(*a, **kw):
        raise OSError(11, "Resource temporarily unavailable")

    one = {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in books.items()}
    monkeypatch.setattr(subprocess, "Popen", refused)
    with caplog.at_level("WARNING", logger="pdgov.exports"):
        again = write_all(fx.RUN_ID, DAY, workers=2)
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in again} == one
    assert "cannot start processes for the workbooks" in caplog.text


def test_a_failed_workbook_process_fails_the_export_with_its_message(books, pdgov_home, monkeypatch, tmp_path):
    import sys

    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'disk full while writing pdgov_379000000A' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    with pytest.raises(RuntimeError, match="exit 3: disk full while writing pdgov_379000000A"):
        write_all(fx.RUN_ID, DAY, workers=2)


def test_stale_agency_workbook_is_removed(books, pdgov_home):
    stale = pdgov_home.exports / DAY.isoformat() / "agency" / f"pdgov_999999999Z_{DAY}.xlsx"
    stale.write_bytes(b"old")
    write_all(fx.RUN_ID, DAY)
    assert not stale.exists()


def test_agency_names_beside_codes_and_status_words_in_cells(books):
    agency_book = load_workbook(books[f"pdgov_{fx.AGENCIES[1]}_{DAY}.xlsx"])
    for ws in agency_book.worksheets:
        assert ws.oddFooter.left.text == f"{fx.NAMES[fx.AGENCIES[1]]}（{fx.AGENCIES[1]}）", ws.title
    city = load_workbook(_city(books))
    head, rows = _table(city["生物特徵差勤設備清冊"])
    got = {(r[head.index("機關代碼")].value, r[head.index("機關名稱")].value, r[head.index("合規狀態")].value)
           for r in rows}
    assert got == {(fx.AGENCIES[0], "臺北市政府", "禁止使用"), (fx.AGENCIES[0], "臺北市政府", "已核准"),
                   (fx.AGENCIES[1], "臺北市政府秘書處", "需說明產地"), (fx.AGENCIES[1], "臺北市政府秘書處", "需委員會審查")}
    head, rows = _table(city["WebIR抽查樣本"])
    assert {r[head.index("異常註記")].value for r in rows} == {"非上班時間", None}
    explained = {r[0].value: r[1].value for r in list(city["說明"].iter_rows())[1:]}
    assert "禁止使用＝prohibited" in explained["生物特徵差勤設備清冊：合規狀態"]
    assert "逾期未刪除＝overdue" in explained["刪除期限：狀態"]


def test_without_the_agency_list_the_name_column_stays_empty(pdgov_home):
    fx.build(pdgov_home.warehouse, skip=("webir_account_review", "city_agencies"))
    city = next(p for p in write_all(fx.RUN_ID, DAY) if "全市" in p.name)
    head, rows = _table(load_workbook(city)["刪除期限"])
    assert rows and {r[head.index("機關名稱")].value for r in rows} == {None}
    agency = load_workbook(pdgov_home.exports / DAY.isoformat() / "agency" / f"pdgov_{fx.AGENCIES[0]}_{DAY}.xlsx")
    assert agency["說明"].oddFooter.left.text == f"機關 {fx.AGENCIES[0]}"


def test_register_form_has_a_page_per_file_with_the_twenty_items(books):
    assert "清冊逐檔列印" not in load_workbook(_city(books), read_only=True).sheetnames, "agency workbooks only"
    ws = load_workbook(books[f"pdgov_{fx.AGENCIES[0]}_{DAY}.xlsx"])["清冊逐檔列印"]
    rows = list(ws.iter_rows(values_only=True))
    captions = [i for i, r in enumerate(rows, start=1) if str(r[0]).startswith("個人資料檔案清冊｜")]
    assert len(captions) == 2  # the fixture's two register rows of this agency
    assert {str(m) for m in ws.merged_cells.ranges} == {f"A{c}:C{c}" for c in captions}
    assert [b.id for b in ws.row_breaks.brk] == [c - 1 for c in captions[1:]]
    first = rows[captions[0]:captions[1] - 1]
    assert [r[0] for r in first if r[0]][:20] == [f"({n})" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 "
                                                                     "十五 十六 十七 十八 十九 二十".split()]
    assert rows[captions[0] - 1][0] == f"個人資料檔案清冊｜臺北市政府（{fx.AGENCIES[0]}）｜差勤打卡資料0"
