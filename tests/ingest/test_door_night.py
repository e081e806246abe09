"""A night's landing area as Taipei agencies really deliver it (issue #18), through the ingest step
the nightly DAG runs for each source (``pipeline.ingest``): synonym headers in every source, a
WebIR log without an agency column covering several agencies' accounts (one on no roster), a
national ID typed in 事由, and a truncated workbook. Everything loads except the broken workbook,
which is explained and quarantined, and no national ID is left in clear under PDGOV_HOME."""

from __future__ import annotations

from datetime import date, datetime

from ingest_ids import REFERENCE
from ingest_run import query, xlsx
from ingest_scan import ids_in_files, ids_in_tables

from pdgov.ingest import readers

SOURCES = ("punches", "devices", "webir", "webir_accounts", "roster", "incidents")
STAFF = [REFERENCE[13][0], REFERENCE[14][1], REFERENCE[15][0]]
SUBJECTS = [REFERENCE[16][0], REFERENCE[17][1]]
TYPED = REFERENCE[18][1]                 # typed by a clerk in 事由
IN_BROKEN = REFERENCE[19][0]             # inside the truncated workbook
ORIGINS = ["中國製", "Made in China", "CHN", "P.R.C."]


def _land(home) -> None:
    (home.landing_for("devices") / "inventory.csv").write_text(
        "設備編號,機關代號,機型,廠商,品牌,品牌國別,產地,識別方式,連接內網,連線方式,通訊協定,NCC審驗合格,已報數位發展部,"
        "委員會審查,啟用日期,儲存筆數上限,資料存放地點\n"
        + "".join(f"D{i},379000000A,DS-K1T,商{i},海康威視,{o},{o},臉部,是,RJ-45,HTTP,否,否,待審,112/03/01,100000,本機\n"
                  for i, o in enumerate(ORIGINS, start=1)), encoding="utf-8")
    (home.landing_for("webir") / "webir_202610.csv").write_text(
        "查詢者帳號,查詢日期,查詢時間,作業代號,被查詢者查詢條件,案號,事由,結果\n"
        f"hr01,115/10/05,09:00:00,L0101,{SUBJECTS[0]},A-1,加保作業,成功\n"
        f"hr02,115/10/05,09:10:00,L0101,{SUBJECTS[1]},B-7,代查 {TYPED} 之投保,成功\n"
        f"ghost9,115/10/06,14:00:00,L0102,{SUBJECTS[0]},,,成功\n", encoding="utf-8")
    (home.landing_for("webir_accounts") / "accounts.csv").write_text(
        "使用者帳號,人員代號,機關代號,權限,帳號狀態,申請日期,最後使用時間,任職狀態\n"
        "hr01,0001,379000000A,使用者,啟用,2023-01-03,2026-10-05 09:00:00,在職\n"
        "hr02,0102,379010000G,管理者,啟用,2022-05-01,2026-10-05 09:10:00,在職\n", encoding="utf-8")
    (home.landing_for("roster") / "staff.csv").write_bytes(
        ("機關代號,人員代號,身分證字號,員工姓名\n"
         + "".join(f"379000000A,{i:04d},{nid},員工{i}\n" for i, nid in enumerate(STAFF, start=1))).encode("cp950"))
    (home.landing_for("punches") / "379000000A_punches.csv").write_text(
        "機關代號,人員代號,刷卡時間,機號,打卡方式\n"
        "379000000A,0001,115/10/05 08:01:23,D1,臉部\n379000000A,0002,2026-10-05 08:03:00,,行動打卡\n",
        encoding="utf-8")
    whole = xlsx([["機關代碼", "員工編號", "打卡時間", "設備編號", "辨識方式", "備註"],
                  *[["379010000G", f"{i:04d}", datetime(2026, 10, 5, 8, i), "D9", "指紋", f"代 {IN_BROKEN}"]
                    for i in range(40)]])
    (home.landing_for("punches") / "379010000G_punches.xlsx").write_bytes(whole[: len(whole) * 2 // 3])


def test_a_real_night_at_the_door(pdgov_home):
    from pdgov.pipeline import ingest

    _land(pdgov_home)
    every_id = [*STAFF, *SUBJECTS, TYPED]
    assert len(ids_in_files(pdgov_home.home, every_id)) == len(every_id), "the scan must see them in landing"
    results = {s: ingest(s, "night-1", date(2026, 11, 2)) for s in SOURCES}
    status = {o["file_name"]: o["status"] for r in results.values() for o in r["file_list"]}
    assert status == {"inventory.csv": "loaded", "webir_202610.csv": "loaded", "accounts.csv": "loaded",
                      "staff.csv": "loaded", "379000000A_punches.csv": "loaded",
                      "379010000G_punches.xlsx": "rejected"}
    assert query(pdgov_home, "SELECT device_id, brand, origin_country, intranet, record_capacity FROM raw.devices "
                             "ORDER BY device_id") == [
        (f"D{i}", "海康威視", o, True, 100000) for i, o in enumerate(ORIGINS, start=1)]
    assert query(pdgov_home, "SELECT account, agency_code, queried_at, reason FROM raw.webir_queries "
                             "ORDER BY queried_at") == [
        ("hr01", None, datetime(2026, 10, 5, 9), "加保作業"),
        ("hr02", None, datetime(2026, 10, 5, 9, 10), f"代查 [ID {TYPED[:3]}****{TYPED[-3:]} #h{_h(TYPED)}] 之投保"),
        ("ghost9", None, datetime(2026, 10, 6, 14), None)]
    assert query(pdgov_home, "SELECT account, employee_no, agency_code, role FROM raw.webir_accounts ORDER BY 1") == [
        ("hr01", "0001", "379000000A", "user"), ("hr02", "0102", "379010000G", "admin")]
    assert query(pdgov_home, "SELECT employee_no, national_id_masked, name FROM raw.roster ORDER BY 1") == [
        (f"{i:04d}", f"{nid[:3]}****{nid[-3:]}", f"員工{i}") for i, nid in enumerate(STAFF, start=1)]
    assert query(pdgov_home, "SELECT employee_no, device_id, method FROM raw.punches ORDER BY 1") == [
        ("0001", "D1", "face"), ("0002", None, "app")]
    assert query(pdgov_home, "SELECT file_name, line_no, reason FROM main.ingest_rejections") == [
        ("379010000G_punches.xlsx", None, readers.DAMAGED)]
    for source in SOURCES:
        assert not list(pdgov_home.landing_for(source).iterdir()), source
    assert ids_in_files(pdgov_home.home, [*every_id, IN_BROKEN]) == []
    assert ids_in_tables(pdgov_home.warehouse, [*every_id, IN_BROKEN]) == []


def _h(nid: str) -> str:
    from pdgov.config import hmac_key
    from pdgov.ingest.national_id import pseudonym

    return pseudonym(nid, hmac_key())[:12]
