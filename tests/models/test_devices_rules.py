"""The device rules (docs/devices.md) on a hand-written inventory, decisions file and punch export.

Real ingest, real ``dbt build`` of the device models. The inputs are written here as agencies and
the committee's secretariat write them, in spellings the demo generator never produces: origin text
in zh-TW, simplified Chinese, English, codes and full-width letters (issue 18), brands in Chinese,
a decisions file in Big5 with ROC dates on devices and on models (issue 23), purchase dates on both
sides of the rule's day (seed 000 參一), buffers on both sides of 20,000 (資料管理計畫書) and service
dates on both sides of the end-of-life edge (原則壹).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

RUN_DATE = date(2026, 11, 2)
KEY = "pdgov-test-key-not-for-production-0123456789abcdef"
A, B = "379000000A", "379010000G"

HEADER = ["設備編號", "機關代碼", "型號", "廠商", "廠牌", "廠牌國別", "原產地", "主機板產地", "晶片廠商", "辨識方式",
          "內網", "連線方式", "通訊協定", "NCC審驗", "數位部通報", "委員會審查", "啟用日期", "紀錄容量", "儲存位置",
          "購置日期"]


def _dev(dev_id: str, *, agency: str = A, model: str = "AR-837", brand: str = "Soyal", brand_country: str = "臺灣",
         origin: str = "臺灣", board: str = "", chip: str = "", modalities: str = "指紋;卡片", claimed: str = "待審",
         since: str = "2021-03-01", capacity: str = "20000", storage: str = "差勤機內", bought: str = "") -> list[str]:
    return [dev_id, agency, model, "某資訊公司", brand, brand_country, origin, board, chip, modalities, "是", "RJ-45",
            "TCP/IP", "是", "否", claimed, since, capacity, storage, bought]


# origin text as people write it → the ISO code the map must give (status: PRC origin, no decision → flagged)
PRC_SPELLINGS = {"O01": "中國製", "O02": "大陸製", "O03": "中国", "O04": "中华人民共和国", "O05": "Made in China",
                 "O06": "CHN", "O07": "P.R.C.", "O08": "PRC", "O09": "People's Republic of China", "O10": "ＣＨＩＮＡ",
                 "O11": "  china ", "O12": "中國大陸製造", "O13": "中華人民共和國"}
TW_SPELLINGS = {"T01": "台灣", "T02": "Taiwan R.O.C.", "T03": "TWN", "T04": "臺灣製", "T05": "中華民國"}

DEVICES = [
    *[_dev(d, origin=o) for d, o in PRC_SPELLINGS.items()],
    *[_dev(d, origin=o) for d, o in TW_SPELLINGS.items()],
    _dev("U01", origin="火星"),                                  # unrecognised origin, even if approved
    _dev("U02", origin="香港"),                                  # deliberately not in the map
    _dev("U03", brand_country="Taiwan?!", origin="臺灣"),         # punctuation is ignored: recognised
    _dev("U04", brand_country="臺澎金馬", origin="臺灣"),          # unrecognised brand country
    _dev("B01", brand="海康威視", brand_country="臺灣"),            # PRC brands in Chinese and English
    _dev("B02", brand="熵基科技", brand_country="Taiwan"),
    _dev("B03", brand="Dahua Technology", brand_country=""),
    _dev("B04", brand="中控智慧", brand_country="臺灣", claimed="核准"),
    _dev("P01", model="FA1-H", brand="GT", origin="大陸"),          # seed 000: Taiwanese brand, PRC-made
    _dev("P02", model="FA1-H", brand="GT", origin="大陸"),          # same model, suspended by device
    _dev("P03", model="FA-1", brand="GT", origin="馬來西亞"),        # device approved, later model suspended
    _dev("S01", claimed="核准"),                                  # self-declared approval
    _dev("R01"),                                                  # rejected by the committee
    _dev("N01", origin="中國大陸", bought="2023-11-21"),           # bought on the rule's day
    _dev("N02", origin="中國大陸", bought="2023-11-20"),           # the day before
    _dev("N03", board="中國", chip="Rockchip", since="2024-01-02"),  # no purchase date: in service after
    _dev("C01", capacity="", storage=""),                         # buffer and storage not declared
    _dev("C02", capacity="20001"),
    _dev("C03", capacity="300", modalities="臉部;指靜脈"),
    _dev("K01", modalities="卡片"),                                # no biometrics
    _dev("E01", agency=B, since="2021-11-02"),                   # service life ends 2026-11-02: past
    _dev("E02", agency=B, since="2022-11-02"),                   # ends 2027-11-02: within 12 months
    _dev("E03", agency=B, since="2022-11-03"),                   # ends 2027-11-03: not yet
    _dev("E04", agency=B, since=""),                             # age unknown
]

DECISION_HEADER = ["設備編號", "型號", "決議", "會議日期", "文號"]
DECISIONS = [
    ["P01", "", "核准", "113/03/15", "府資治字第1130030001號"],
    ["", "FA1-H", "核准", "113/03/15", "府資治字第1130030002號"],
    ["P02", "", "暫停使用", "113/03/15", "府資治字第1130030003號"],
    ["P03", "", "核准", "113/03/15", "府資治字第1130030004號"],
    ["", "fa-1", "暫停使用", "1140110", "府資治字第1140010001號"],   # a later meeting, the model in other case
    ["R01", "", "不核准", "113/03/15", "府資治字第1130030005號"],
    ["U01", "", "核准", "113/03/15", "府資治字第1130030006號"],
    ["B04", "", "核准", "113/03/15", "府資治字第1130030007號"],
    ["T05", "", "不核准", "112/12/29", "府資治字第1120120001號"],     # older: the later approval wins
    ["T05", "", "核准", "113/06/01", "府資治字第1130060001號"],
]

EXPECTED_STATUS = {
    **dict.fromkeys(PRC_SPELLINGS, "flagged"),
    **dict.fromkeys(TW_SPELLINGS, "review_required"), "T05": "approved",
    "U01": "flagged", "U02": "flagged", "U03": "review_required", "U04": "flagged",
    "B01": "prohibited", "B02": "prohibited", "B03": "prohibited", "B04": "prohibited",
    "P01": "approved", "P02": "suspended", "P03": "suspended", "S01": "flagged", "R01": "rejected",
    "N01": "prohibited", "N02": "flagged", "N03": "prohibited",
    "C01": "review_required", "C02": "review_required", "C03": "review_required", "K01": "approved",
    "E01": "review_required", "E02": "review_required", "E03": "review_required", "E04": "review_required",
}

PUNCH_HEADER = ["機關代碼", "員工編號", "打卡時間", "設備編號", "辨識方式"]
PUNCHES = [
    [A, "E0001", "2025-06-01 08:00:00", "T01", "指紋"],       # the 12 months before
    [A, "E0001", "2025-11-02 08:00:00", "", "行動打卡"],      # window starts after 2025-11-02: before
    [A, "E0001", "2025-11-03 08:00:00", "", "TAIPEION"],     # first day of the window
    [A, "E0002", "2026-10-01 08:00:00", "", "WebITR"],
    [A, "E0002", "2026-10-02 08:00:00", "K01", "卡片"],
    [A, "E0003", "2026-11-01 18:00:00", "T01", "指紋"],
]


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _rows(sql: str) -> list[dict]:
    from pdgov.warehouse import connect

    with connect(read_only=True) as con:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("devices") / "pdgov_home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PDGOV_HOME", str(home))
        mp.setenv("PDGOV_HMAC_KEY", KEY)
        from pdgov.config import paths
        from pdgov.ingest.run import ingest_source
        from pdgov.transform import dbt
        from pdgov.warehouse import release_inprocess_dbt

        p = paths().ensure()
        _write(p.landing_for("devices") / "差勤設備清冊_手填.csv", HEADER, DEVICES, "utf-8-sig")
        _write(p.landing_for("committee_decisions") / "委員會決議.csv", DECISION_HEADER, DECISIONS, "cp950")
        _write(p.landing_for("punches") / f"{A}_差勤刷卡.csv", PUNCH_HEADER, PUNCHES, "cp950")
        results = {s: ingest_source(s, "test-devices", RUN_DATE) for s in ("devices", "committee_decisions", "punches")}
        dbt.run(["build", "--vars", dbt.dbt_vars(RUN_DATE, "test-devices"), "--indirect-selection", "cautious",
                 "--select", "+device_it_managed_list",
                 "+device_security_audit_scope", "+device_prc_brand_list", "+device_record_capacity",
                 "+device_taipeion_first"])
        release_inprocess_dbt()
        yield {"ingest": results, "home": str(home),
               "compliance": {r["device_id"]: r for r in _rows("SELECT * FROM main.device_compliance")},
               "it_list": {r["device_id"] for r in _rows("SELECT device_id FROM main.device_it_managed_list")},
               "scope": {r["device_id"]: r for r in _rows("SELECT * FROM main.device_security_audit_scope")},
               "prc_list": {r["device_id"] for r in _rows("SELECT device_id FROM main.device_prc_brand_list")},
               "capacity": {r["device_id"]: r for r in _rows("SELECT * FROM main.device_record_capacity")},
               "taipeion": {r["agency_code"]: r for r in _rows("SELECT * FROM main.device_taipeion_first")}}


def test_every_file_loaded_whole(built):
    assert {s: (r["files"], r["files_rejected"], r["rows_in"]) for s, r in built["ingest"].items()} == {
        "devices": (1, 0, len(DEVICES)), "committee_decisions": (1, 0, len(DECISIONS)),
        "punches": (1, 0, len(PUNCHES))}


def test_every_device_gets_exactly_its_status(built):
    assert {d: r["status"] for d, r in built["compliance"].items()} == EXPECTED_STATUS


def test_country_text_in_every_spelling_reaches_its_code(built):
    """Issue 18: 中國製, 大陸製, 中国, Made in China, CHN, P.R.C., full-width letters … are all the PRC."""
    c = built["compliance"]
    assert {d: (c[d]["origin_code"], c[d]["origin_is_prc"]) for d in PRC_SPELLINGS} == \
        dict.fromkeys(PRC_SPELLINGS, ("CN", True))
    assert {d: c[d]["origin_code"] for d in TW_SPELLINGS} == dict.fromkeys(TW_SPELLINGS, "TW")
    assert all("設備原產地為中國大陸 (PRC origin)" in c[d]["reasons"] for d in PRC_SPELLINGS)


def test_unrecognised_text_flags_and_is_shown_as_written(built):
    c = built["compliance"]
    assert {d: (c[d]["origin_code"], c[d]["text_unrecognised"]) for d in ("U01", "U02", "U03", "U04")} == {
        "U01": (None, True), "U02": (None, True), "U03": ("TW", False), "U04": ("TW", True)}
    assert "原產地無法辨識：「火星」 (origin_unrecognised)" in c["U01"]["reasons"]
    assert "資料治理委員會決議核准" in c["U01"]["reasons"], "the approval is kept as a reason, not as the status"
    assert "廠牌國別無法辨識：「臺澎金馬」 (brand_country_unrecognised)" in c["U04"]["reasons"]


def test_brands_match_in_chinese_and_english(built):
    c = built["compliance"]
    assert {d: (c[d]["brand_name"], c[d]["brand_is_prc"]) for d in ("B01", "B02", "B03", "B04", "P01")} == {
        "B01": ("Hikvision", True), "B02": ("ZKTeco", True), "B03": ("Dahua", True), "B04": ("ZKTeco", True),
        "P01": ("GT", False)}
    assert built["prc_list"] == {"B01", "B02", "B03", "B04"}
    assert c["B01"]["reasons"].startswith("大陸廠牌：禁止使用並不得與公務環境介接")


def test_approved_despite_prc_parts_is_listed_and_audited(built):
    """Seed 000 貳二(二): the Parks Office's case — a Taiwanese brand made in the PRC, approved by the committee."""
    c, scope = built["compliance"], built["scope"]
    assert c["P01"]["origin_is_prc"] and "設備原產地為中國大陸 (PRC origin)" in c["P01"]["reasons"]
    assert (c["P01"]["committee_decision"], c["P01"]["decision_level"], c["P01"]["decision_doc_no"]) == \
        ("approved", "device", "府資治字第1130030001號")
    assert built["it_list"] == {"P01", "T05"}
    assert scope["P01"]["audit_reason"] == "委員會核准繼續使用之生物特徵設備，含大陸地區零組件 (approved despite PRC parts)"
    assert scope["T05"]["audit_reason"] == "委員會核准繼續使用之生物特徵設備 (approved biometric device)"


def test_committee_decision_in_force(built):
    """Issue 23: the latest meeting wins; at one meeting the device's decision beats its model's."""
    c = built["compliance"]
    assert (c["P02"]["committee_decision"], c["P02"]["decision_level"]) == ("suspended", "device")
    assert (c["P03"]["committee_decision"], c["P03"]["decision_level"], str(c["P03"]["decision_date"])) == \
        ("suspended", "model", "2025-01-10")
    assert (c["T05"]["committee_decision"], str(c["T05"]["decision_date"])) == ("approved", "2024-06-01")
    assert (c["R01"]["committee_decision"], c["R01"]["status"]) == ("rejected", "rejected")


def test_self_declared_approval_is_flagged(built):
    c = built["compliance"]
    assert (c["S01"]["committee_status"], c["S01"]["self_declared_approval"], c["S01"]["committee_decision"]) == \
        ("approved", True, None)
    assert "清冊自填核准，查無委員會決議 (self_declared_approval)" in c["S01"]["reasons"]
    assert not c["P01"]["self_declared_approval"] and not c["T01"]["self_declared_approval"]


def test_new_purchase_of_prc_origin_is_prohibited(built):
    """Seed 000 參一: bought on or after 112-11-21 with PRC origin (any part), any brand — prohibited."""
    c = built["compliance"]
    assert {d: (str(c[d]["acquired_on"]), c[d]["new_purchase_prc"]) for d in ("N01", "N02", "N03")} == {
        "N01": ("2023-11-21", True), "N02": ("2023-11-20", False), "N03": ("2024-01-02", True)}
    assert "原則參一" in c["N01"]["reasons"] and not c["N01"]["brand_is_prc"]
    assert "N01" not in built["prc_list"]
    assert built["scope"]["N01"]["audit_reason"].startswith("原則訂定後購置之大陸地區產製設備仍連接公務環境")


def test_record_capacity_reads_the_declaration(built):
    cap = built["capacity"]
    assert {d: (cap[d]["record_capacity"], cap[d]["buffer_status"], cap[d]["storage_missing"], cap[d]["needs_report"])
            for d in ("C01", "C02", "C03", "T01")} == {
        "C01": (None, "missing", True, True), "C02": (20001, "above_policy", False, True),
        "C03": (300, "within_policy", False, False), "T01": (20000, "within_policy", False, False)}
    assert cap["C03"]["biometric_data"] == "臉部；指靜脈" and cap["K01"]["biometric_data"] is None
    assert cap["C01"]["findings"] == "未填報設備保存筆數 (buffer not declared)；未填報資料存放地點 (storage place not declared)"
    assert {d for d, r in cap.items() if r["needs_report"]} == {"C01", "C02"}


def test_taipeion_first_shares_and_devices_near_end_of_life(built):
    a, b = built["taipeion"][A], built["taipeion"][B]
    assert (str(a["window_start"]), str(a["window_end"]), a["punches"], a["app_punches"], a["web_punches"],
            a["biometric_punches"], a["card_punches"]) == ("2025-11-02", "2026-11-02", 4, 1, 1, 1, 1)
    assert (float(a["app_share"]), float(a["biometric_share"]), float(a["previous_biometric_share"])) == (0.25, 0.25, 0.5)
    assert (b["punches"], b["app_share"], b["biometric_devices"], b["devices_near_end_of_life"],
            b["near_end_of_life_device_ids"], b["devices_age_unknown"], b["service_life_years"]) == \
        (0, None, 4, 2, "E01;E02", 1, 5)


def test_a_backfill_sees_only_the_decisions_made_by_its_day(built, monkeypatch):
    """Rebuilt as of 2024-03-01: T05's 不核准 of 112/12/29 is in force (its 核准 came on 113/06/01), and P01's
    approval of 113/03/15 is not made yet — PRC origin and no decision: flagged. (Runs last: it rebuilds.)"""
    from pdgov.transform import dbt
    from pdgov.warehouse import release_inprocess_dbt

    monkeypatch.setenv("PDGOV_HOME", built["home"])
    monkeypatch.setenv("PDGOV_HMAC_KEY", KEY)
    dbt.run(["build", "--vars", dbt.dbt_vars(date(2024, 3, 1), "test-devices-backfill"),
             "--indirect-selection", "cautious", "--select", "+device_compliance"])
    release_inprocess_dbt()
    found = {r["device_id"]: (r["status"], r["committee_decision"], str(r["decision_date"])) for r in _rows(
        "SELECT * FROM main.device_compliance WHERE device_id IN ('T05', 'P01', 'R01')")}
    assert found == {"T05": ("rejected", "rejected", "2023-12-29"), "P01": ("flagged", None, "None"),
                     "R01": ("review_required", None, "None")}


def test_an_existing_warehouse_gains_the_purchase_date_and_still_loads(tmp_path, monkeypatch):
    """A warehouse from before 購置日期 existed: raw.devices gains the column on first use, and the loader
    (INSERT … BY NAME) fills it although it now stands after the lineage columns."""
    import duckdb

    from pdgov.ingest.raw_schema import LINEAGE, ensure_raw_tables

    monkeypatch.setenv("PDGOV_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PDGOV_HMAC_KEY", KEY)
    from pdgov.config import paths
    from pdgov.ingest.run import ingest_source

    p = paths().ensure()
    old = ("device_id VARCHAR, agency_code VARCHAR, model VARCHAR, vendor VARCHAR, brand VARCHAR, brand_country VARCHAR, "
           "origin_country VARCHAR, mainboard_origin VARCHAR, chip_vendor VARCHAR, modalities VARCHAR, intranet BOOLEAN, "
           "connection VARCHAR, protocol VARCHAR, ncc_listed BOOLEAN, moda_reported BOOLEAN, committee_status VARCHAR, "
           "in_service_since DATE, record_capacity BIGINT, storage_location VARCHAR")
    with duckdb.connect(str(p.warehouse)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(f"CREATE TABLE raw.devices ({old}, {LINEAGE})")
        ensure_raw_tables(con)
        assert con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' "
                           "AND table_name = 'devices' ORDER BY column_index DESC LIMIT 2").fetchall() == [("retired_on",), ("purchased_on",)]
    _write(p.landing_for("devices") / "清冊.csv", HEADER, [_dev("N01", origin="中國大陸", bought="112/11/21")], "cp950")
    assert ingest_source("devices", "test-migrate", RUN_DATE)["rows_in"] == 1
    with duckdb.connect(str(p.warehouse), read_only=True) as con:
        assert con.execute("SELECT device_id, purchased_on, storage_location FROM raw.devices").fetchall() == [
            ("N01", date(2023, 11, 21), "差勤機內")]
