"""WebIR queries without an agency column, the audit findings' round trip, and who has not delivered.

Real parts throughout: the demo generator, the real ingest, real ``dbt build`` runs, the real
workbook writer, and the workbook filled back in with openpyxl as an auditor would (issue 18, 23).

* Seed 004 §6: the querying agency is the account's agency in the roster at the time; the log's own
  agency is kept and a disagreement flagged; an account on no roster is kept and always sampled.
  The log rows without an agency are written straight into ``raw.webir_queries`` (the ingest's
  side of a log without 機關代碼 is another change).
* Seed 004 §12(1): the sample sheet is exported with empty 查核結果/查核說明/查核人/查核日期, filled,
  dropped into ``landing/webir_audit_results/`` (as the workbook, and as a Big5 CSV with ROC dates),
  loaded into ``webir_audit_findings``; the quarterly report to 勞工局 counts them; samples unaudited
  30 days after drawing are listed and reminded once.
* Issue 18: ``agency_deliveries`` names the agencies that sent nothing, the late ones, and refused files
  until they are re-delivered.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

KEY = "pdgov-test-key-not-for-production-0123456789abcdef"
AUDIT_HEADER = ["查詢紀錄鍵", "查核結果", "查核說明", "查核人", "查核日期"]
LATE_AGENCY = "379000002C"     # 民政局: one punch export, months old → late
SILENT_AGENCY = "379000003D"   # 財政局: sends nothing at all → missing
REFUSED_AGENCY = "379000000A"  # a refused punch export, re-delivered before the second build


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - a test key, as the ingest makes them


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _query(sql: str, params: list | None = None) -> list[tuple]:
    from pdgov.warehouse import connect

    with connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _plant_queries_without_agency() -> dict[str, dict]:
    """Four log rows as a WebIR log without 機關代碼 leaves them (agency_code NULL or another agency's)."""
    from pdgov import clock
    from pdgov.warehouse import connect

    with connect() as con:
        account, agency = con.execute(
            "SELECT account, agency_code FROM raw.webir_accounts WHERE status = 'active' AND employment = 'employed' "
            "ORDER BY account LIMIT 1").fetchone()
        other = con.execute("SELECT min(agency_code) FROM raw.webir_accounts WHERE agency_code <> ?",
                            [agency]).fetchone()[0]
        at = datetime(2026, 10, 14, 10, 0)  # a Wednesday, office hours
        plants = {
            "known_no_agency": {"account": account, "given": None, "expect": agency},
            "known_other_agency": {"account": account, "given": other, "expect": agency},
            "unknown_no_agency": {"account": "ghost-no-roster-1", "given": None, "expect": None},
            "unknown_given_agency": {"account": "ghost-no-roster-2", "given": other, "expect": other},
        }
        for i, (name, p) in enumerate(plants.items()):
            p["query_key"] = _md5(f"webir-test|{name}")
            con.execute("INSERT INTO raw.webir_queries VALUES (?, ?, ?, ?, 'L0101', ?, 'Z12****789', ?, '勞保投保查核', "
                        "'成功', ?, ?, ?)",
                        [p["query_key"], p["given"], p["account"], at + timedelta(minutes=i), _md5(name) * 2,
                         f"T-{i}", "f" * 64, i + 2, clock.now()])
    return plants


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(home, as_of, plants, outcomes of the returned files, snapshots before/after)."""
    home = tmp_path_factory.mktemp("webir") / "pdgov_home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PDGOV_HOME", str(home))
        mp.setenv("PDGOV_HMAC_KEY", KEY)
        mp.setenv("PDGOV_EXPORT_WORKERS", "1")
        from pdgov import clock
        from pdgov.exports.workbooks import write_all
        from pdgov.ingest.run import ingest_source
        from pdgov.synth import generate
        from pdgov.transform import dbt

        as_of = clock.today()
        generate(home, scale="demo", seed=7, end=as_of.replace(day=1))
        punch_header = ["機關代碼", "員工編號", "打卡時間", "設備編號", "辨識方式"]
        old = as_of - timedelta(days=100)
        _write_csv(home / "landing" / "punches" / f"{LATE_AGENCY}_差勤刷卡_舊.csv", punch_header,
                   [[LATE_AGENCY, "E0001", f"{old:%Y-%m-%d} 08:01:00", "", "行動打卡"]])
        _write_csv(home / "landing" / "punches" / f"{REFUSED_AGENCY}_差勤刷卡_補.csv", punch_header,
                   [[REFUSED_AGENCY, "E0001", "2026-02-30 08:01:00", "", "行動打卡"]])
        for source in ("punches", "devices", "webir", "webir_accounts", "roster", "incidents"):
            ingest_source(source, "t-webir", as_of)
        plants = _plant_queries_without_agency()
        dbt.build(as_of, "t-webir-1")
        before = {
            "deliveries": {(a, s): (st, n) for a, s, st, n in _query(
                "SELECT agency_code, source, status, refused_pending FROM main.agency_deliveries")},
        }
        books = write_all("t-webir-1", as_of)
        returned = _return_filled(home, as_of, books)
        # the corrected punch export under a new name: the refused one is re-delivered
        _write_csv(home / "landing" / "punches" / f"{REFUSED_AGENCY}_差勤刷卡_補正.csv", punch_header,
                   [[REFUSED_AGENCY, "E0001", f"{as_of.replace(day=1):%Y-%m-%d} 08:01:00", "", "行動打卡"]])
        ingest_source("punches", "t-webir-2", as_of)
        result = ingest_source("webir_audit_results", "t-webir-2", as_of)
        dbt.build(as_of, "t-webir-2", select=["webir_audit_findings+", "agency_deliveries"])
        write_all("t-webir-2", as_of)
        yield {"home": home, "as_of": as_of, "plants": plants, "before": before, "returned": returned,
               "outcomes": {o["file_name"]: o for o in result["file_list"]}, "books": books}


def _return_filled(home: Path, as_of: date, books: list[Path]) -> dict:
    """Fill the sample sheet as the auditors would and drop the results in landing; returns what was filled."""
    from openpyxl import load_workbook

    landing = home / "landing" / "webir_audit_results"
    landing.mkdir(parents=True, exist_ok=True)
    samples = _query("SELECT agency_code, query_key FROM main.webir_audit_samples WHERE agency_code IS NOT NULL "
                     "ORDER BY agency_code, audit_month, sample_kind, draw_order, query_key")
    agencies = sorted({a for a, _ in samples})
    first, second = agencies[0], agencies[1]
    filled: dict[str, tuple] = {}
    # 1. the first agency's own workbook, four rows filled in the sample sheet (one 異常), saved as xlsx
    book = next(p for p in books if p.name == f"pdgov_{first}_{as_of}.xlsx")
    wb = load_workbook(book)
    ws = wb["WebIR抽查樣本"]
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) for h in AUDIT_HEADER}
    audited_on = datetime.combine(as_of - timedelta(days=1), datetime.min.time())
    for i, row in enumerate(ws.iter_rows(min_row=2, max_row=5)):
        result = "異常" if i == 2 else "正常"
        note = "案號與查調資料不符" if i == 2 else None
        row[col["查核結果"]].value = result
        row[col["查核說明"]].value = note
        row[col["查核人"]].value = "王小明"
        row[col["查核日期"]].value = audited_on
        filled[row[col["查詢紀錄鍵"]].value] = ("anomaly" if i == 2 else "normal", note, "王小明", audited_on.date())
    wb.save(landing / f"{first}_WebIR抽查樣本_查核結果.xlsx")
    # 2. the second agency's sheet saved as CSV from Excel on a zh-TW desktop: Big5, ROC dates, one row left empty
    keys = [k for a, k in samples if a == second][:3]
    roc = f"{as_of.year - 1911}/{as_of.month}/{as_of.day}"
    _write_csv(landing / f"{second}_查核結果.csv", AUDIT_HEADER,
               [[keys[0], "正常", "", "陳美玲", roc], [keys[1], "異常", "事由空白，已請承辦補正", "陳美玲", roc],
                [keys[2], "", "", "", ""]], encoding="cp950")
    filled[keys[0]] = ("normal", None, "陳美玲", as_of)
    filled[keys[1]] = ("anomaly", "事由空白，已請承辦補正", "陳美玲", as_of)
    # 3. the city workbook as exported, dropped back unfilled: loads no finding, refuses nothing
    city = next(p for p in books if p.name.startswith("pdgov_全市_"))
    (landing / "全市_未填.xlsx").write_bytes(city.read_bytes())
    # 4. a key that is not in the sample, on line 3 (UTF-8 with BOM): refused whole with its line
    _write_csv(landing / "錯誤鍵值.csv", AUDIT_HEADER,
               [[keys[2], "正常", "", "林大同", as_of.isoformat()], ["0" * 32, "異常", "", "林大同", as_of.isoformat()]],
               encoding="utf-8-sig")
    # 5. a finding without who audited it, on line 2
    _write_csv(landing / "缺查核人.csv", AUDIT_HEADER, [[keys[2], "正常", "", "", as_of.isoformat()]])
    return {"filled": filled, "first": first, "second": second, "unfilled_key": keys[2]}


# --- seed 004 §6: the querying agency is the roster's -------------------------------------------------


def test_query_without_agency_takes_the_roster_agency(world):
    p = world["plants"]["known_no_agency"]
    rows = _query("SELECT agency_code, given_agency_code, agency_mismatch, flags FROM main.int_webir_query_flags "
                  "WHERE query_key = ?", [p["query_key"]])
    assert rows == [(p["expect"], None, False, "")]


def test_log_agency_is_kept_but_the_roster_decides(world):
    p = world["plants"]["known_other_agency"]
    assert p["given"] != p["expect"]
    rows = _query("SELECT agency_code, given_agency_code, agency_mismatch, flag_unknown_account "
                  "FROM main.int_webir_query_flags WHERE query_key = ?", [p["query_key"]])
    assert rows == [(p["expect"], p["given"], True, False)]


@pytest.mark.parametrize("plant", ["unknown_no_agency", "unknown_given_agency"])
def test_account_on_no_roster_is_kept_flagged_and_always_sampled(world, plant):
    p = world["plants"][plant]
    rows = _query("SELECT agency_code, sample_kind, flags, unknown_account FROM main.webir_audit_samples "
                  "WHERE query_key = ?", [p["query_key"]])
    assert rows == [(p["expect"], "flagged", "inactive_account,unknown_account", True)]


def test_known_accounts_are_never_unknown(world):
    assert _query("SELECT count(*) FROM main.int_webir_query_flags WHERE flag_unknown_account") == [(2,)]


# --- seed 004 §12(1): findings come back in the workbook -------------------------------------------


def test_exported_sample_sheet_has_empty_audit_columns_and_a_list(world):
    from openpyxl import load_workbook

    first = world["returned"]["first"]
    book = next(p for p in world["books"] if p.name == f"pdgov_{first}_{world['as_of']}.xlsx")
    ws = load_workbook(book)["WebIR抽查樣本"]
    head = [c.value for c in ws[1]]
    assert head[-4:] == AUDIT_HEADER[1:] and "查詢紀錄鍵" in head and head[1] == "機關名稱"
    assert all(r[-4:] == (None, None, None, None) for r in ws.iter_rows(min_row=2, values_only=True))
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert [dv.formula1 for dv in lists] == ['"正常,異常"']
    letter = chr(ord("A") + head.index("查核結果"))
    assert str(lists[0].sqref) == f"{letter}2:{letter}{ws.max_row}"


def test_returned_files_load_or_are_refused_with_their_line(world):
    out = world["outcomes"]
    first, second = world["returned"]["first"], world["returned"]["second"]
    assert out[f"{first}_WebIR抽查樣本_查核結果.xlsx"]["status"] == "loaded"
    assert out[f"{second}_查核結果.csv"]["status"] == "loaded"
    assert out["全市_未填.xlsx"]["status"] == "loaded"
    assert out["錯誤鍵值.csv"]["status"] == "rejected"
    assert out["缺查核人.csv"]["status"] == "rejected"
    refused = _query("SELECT file_name, line_no, column_name FROM main.ingest_rejections "
                     "WHERE source = 'webir_audit_results' ORDER BY file_name, line_no")
    assert refused == [("缺查核人.csv", 2, "查核人"), ("錯誤鍵值.csv", 3, "查詢紀錄鍵")]
    reason = _query("SELECT reason FROM main.ingest_rejections WHERE file_name = '錯誤鍵值.csv'")[0][0]
    assert "0" * 32 in reason and "webir_audit_samples" in reason


def test_findings_are_exactly_the_filled_rows(world):
    rows = _query("SELECT query_key, result, note, auditor, audited_on FROM main.webir_audit_findings")
    assert {k: tuple(v) for k, *v in rows} == world["returned"]["filled"]
    assert world["returned"]["unfilled_key"] not in {r[0] for r in rows}
    agencies = _query("SELECT DISTINCT f.agency_code = s.agency_code AND f.audit_month = s.audit_month "
                      "FROM main.webir_audit_findings f JOIN main.webir_audit_samples s USING (query_key)")
    assert agencies == [(True,)]


def test_quarterly_report_counts_queries_sampled_audited_anomalies(world):
    filled = world["returned"]["filled"]
    expected = {}
    for agency, quarter, key in _query(
            "SELECT agency_code, CAST(date_trunc('quarter', audit_month) AS DATE), query_key "
            "FROM main.webir_audit_samples WHERE agency_code IS NOT NULL"):
        e = expected.setdefault((agency, quarter), [0, 0, 0])
        e[0] += 1
        if key in filled:
            e[1] += 1
            e[2] += filled[key][0] == "anomaly"
    found = {(a, q): [s, au, an] for a, q, s, au, an in _query(
        "SELECT agency_code, quarter_start, sampled, audited, anomalies FROM main.webir_audit_quarterly_summary "
        "WHERE agency_code IS NOT NULL")}
    assert found == expected
    assert sum(v[1] for v in found.values()) == 6 and sum(v[2] for v in found.values()) == 2


def test_quarterly_report_is_a_workbook_of_its_own_for_the_labor_bureau(world):
    from openpyxl import load_workbook

    from pdgov.exports.webir_report import report_path

    path = report_path(world["as_of"])
    assert path.name == f"pdgov_WebIR查核季報_勞工局_{world['as_of']}.xlsx" and path.exists()
    wb = load_workbook(path)
    assert wb.sheetnames == ["說明", "WebIR查核季報"]
    assert "臺北市政府勞工局" in str(wb["說明"]["B2"].value)
    ws = wb["WebIR查核季報"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["機關代碼", "機關名稱", "季別"]
    cells = {(r[0], r[head.index("季起日")].date() if r[head.index("季起日")] else None):
             (r[1], r[head.index("抽查筆數")], r[head.index("已查核筆數")], r[head.index("查核異常筆數")])
             for r in ws.iter_rows(min_row=2, values_only=True)}
    mart = {(a, q): (n, s, au, an) for a, q, n, s, au, an in _query(
        "SELECT q.agency_code, quarter_start, c.agency_name, sampled, audited, anomalies "
        "FROM main.webir_audit_quarterly_summary q LEFT JOIN main.city_agencies c USING (agency_code)")}
    assert cells == mart


def test_unaudited_samples_listed_after_thirty_days_and_reminded_once(world, monkeypatch):
    from pdgov import clock
    from pdgov.notifications import audit_reminders
    from pdgov.transform import dbt
    from pdgov.warehouse import connect

    monkeypatch.setenv("PDGOV_HOME", str(world["home"]))
    monkeypatch.setenv("PDGOV_HMAC_KEY", KEY)
    monkeypatch.setenv("AIRFLOW_VAR_PDGOV_WEBIR_AUDIT_CONTACT", "webir-audit@mail.taipei.example")
    (drawn,) = _query("SELECT max(CAST(loaded_at AS DATE)) FROM main.int_webir_query_flags")[0]
    # drawn when the month is over or its log was loaded, whichever is later (loaded: Asia/Taipei days)
    due = {k: max((m.replace(day=28) + timedelta(days=4)).replace(day=1), loaded) + timedelta(days=30)
           for k, m, loaded in _query("SELECT s.query_key, s.audit_month, CAST(q.loaded_at AS DATE) "
                                      "FROM main.webir_audit_samples s JOIN main.int_webir_query_flags q "
                                      "USING (query_key)")
           if k not in world["returned"]["filled"]}
    listed = {}
    for as_of in (drawn + timedelta(days=30), drawn + timedelta(days=31)):
        dbt.build(as_of, f"t-webir-{as_of}", select=["webir_audit_unaudited"])
        listed[as_of] = dict(_query("SELECT query_key, days_overdue FROM main.webir_audit_unaudited"))
        assert listed[as_of] == {k: (as_of - d).days for k, d in due.items() if d < as_of}
    on_edge = {k for k, d in due.items() if d == drawn + timedelta(days=30)}
    assert on_edge and not on_edge & set(listed[drawn + timedelta(days=30)])
    assert {listed[drawn + timedelta(days=31)][k] for k in on_edge} == {1}
    groups = _query("SELECT count(DISTINCT coalesce(agency_code, '?') || audit_month) FROM main.webir_audit_unaudited")
    with connect() as con:
        first = audit_reminders.enqueue(con, "t-remind-1", clock.now())
        again = audit_reminders.enqueue(con, "t-remind-2", clock.now())
        sent = con.execute("SELECT recipient, subject FROM main.notification_outbox WHERE kind = 'audit_reminder' "
                           "ORDER BY subject").fetchall()
    assert first == {"audit_reminders": groups[0][0], "problems": []}
    assert again == {"audit_reminders": 0, "problems": []}
    assert len(sent) == groups[0][0] and {r for r, _ in sent} == {"webir-audit@mail.taipei.example"}
    assert any("臺北市政府" in s for _, s in sent)


# --- issue 18: who has not delivered ---------------------------------------------------------------


def test_agencies_that_sent_nothing_are_missing(world):
    d = world["before"]["deliveries"]
    assert d[(SILENT_AGENCY, "punches")] == ("missing", 0)
    assert d[(SILENT_AGENCY, "devices")] == ("missing", 0)
    assert (SILENT_AGENCY, "webir") not in d, "an agency without WebIR accounts owes no WebIR log"
    n_agencies = _query("SELECT count(*) FROM main.city_agencies")[0][0]
    assert sum(1 for (_, s) in d if s == "punches") == n_agencies


def test_late_and_on_time_deliveries(world):
    d = world["before"]["deliveries"]
    assert d[(LATE_AGENCY, "punches")][0] == "late"
    assert d[(REFUSED_AGENCY, "punches")][0] == "ok"
    assert d[(REFUSED_AGENCY, "devices")][0] == "ok"


def test_refused_file_counts_until_re_delivered(world):
    # the demo plants one refused punch export of this agency, the fixture a second
    assert world["before"]["deliveries"][(REFUSED_AGENCY, "punches")] == ("ok", 2)
    after = _query("SELECT refused_pending, refused_files FROM main.agency_deliveries "
                   "WHERE agency_code = ? AND source = 'punches'", [REFUSED_AGENCY])
    assert after == [(0, None)]


def test_silent_agency_gets_no_workbook_but_is_named_in_the_city_sheet(world):
    from openpyxl import load_workbook

    assert not any(SILENT_AGENCY in p.name for p in world["books"])
    city = next(p for p in world["books"] if p.name.startswith("pdgov_全市_"))
    ws = load_workbook(city, read_only=True)["繳交情形"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == SILENT_AGENCY]
    assert {(r[1], r[2], r[8]) for r in rows} == {("臺北市政府財政局", "差勤刷卡紀錄", "未繳交"),
                                                  ("臺北市政府財政局", "差勤設備清冊", "未繳交")}
