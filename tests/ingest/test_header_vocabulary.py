"""The header vocabulary (issue #18): a column is accepted under every name agencies write it,
kept in a seed a steward edits; an unknown header is refused with the nearest accepted names,
and a steward's new row makes it load without a code change.

The files are written by hand in spellings pdgov's own generator never uses (品牌, 連接內網 …,
full-width letters, spaces and brackets inside headers)."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from ingest_run import ingest, query

# As a Taipei agency's inventory tool heads them (seed 003's 品牌 where seed 000 writes 廠牌).
SYNONYM_HEADER = ["設備編號", "機關代碼", "型號", "廠商", "品牌", "品牌國別", "原產地", "辨識方式", "連接內網", "連線方式",
                  "通訊協定", "NCC審驗合格", "已報數位發展部", "委員會審查", "啟用日期", "儲存筆數上限", "資料存放地點"]
# The same columns in full-width forms, with spaces and brackets: NFKC, no spaces/brackets, casefold.
VARIANT_HEADER = ["設備 編號", "機關代碼（必填）", "型號", "廠商", "【品牌】", " 品牌國別 ", "原產地", "辨識方式",
                  "連接內網(是/否)", "連線方式", "通訊協定", "ＮＣＣ審驗合格", "已報 數位發展部", "委員會審查",
                  "啟用日期", "儲存筆數上限", "資料 存放地點"]
ROW = ["D1", "379000000A", "AR-837", "茂旭", "Soyal", "臺灣", "臺灣", "指紋;卡片", "是", "RJ-45", "TCP/IP", "是", "否",
       "核准", "2021-03-01", "20000", "機房"]


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


_query, _ingest = query, ingest


DEVICE_COLS = ("device_id, brand, brand_country, intranet, ncc_listed, moda_reported, record_capacity, "
               "storage_location")


def test_synonym_and_variant_headers_load(pdgov_home):
    landing = pdgov_home.landing_for("devices")
    (landing / "synonyms.csv").write_bytes(_csv([SYNONYM_HEADER, ROW]))
    (landing / "variants.csv").write_bytes(_csv([VARIANT_HEADER, ["D2", *ROW[1:11], "否", "是", *ROW[13:]]]))
    result = _ingest("devices")
    assert {o["file_name"]: o["status"] for o in result["file_list"]} == {"synonyms.csv": "loaded",
                                                                          "variants.csv": "loaded"}
    assert _query(pdgov_home, f"SELECT {DEVICE_COLS} FROM raw.devices ORDER BY device_id") == [
        ("D1", "Soyal", "臺灣", True, True, False, 20000, "機房"),
        ("D2", "Soyal", "臺灣", True, False, True, 20000, "機房")]
    assert _query(pdgov_home, "SELECT notes FROM main.ingest_files") == [(None,), (None,)]  # nothing dropped


def test_normalise_folds_width_space_brackets_and_case():
    from pdgov.contracts.vocabulary import normalise, vocabulary

    assert normalise("ＮＣＣ 審驗（合格）") == normalise("ncc審驗合格") == "ncc審驗合格"
    assert normalise("「品牌」\t國別") == "品牌國別"
    v = vocabulary("devices")
    assert v.column_for("Storage_Location") == "storage_location"
    assert v.column_for("紀錄容量【筆】") == "record_capacity"   # bracketed unit dropped on the second try
    assert v.column_for("品牌國") is None                       # one character short is not a match


def test_unknown_header_refused_with_position_and_nearest_names(pdgov_home):
    header = list(SYNONYM_HEADER)
    header[4] = "品牌名"          # not in the vocabulary
    (pdgov_home.landing_for("devices") / "unknown.csv").write_bytes(_csv([header, ROW]))
    outcome, = _ingest("devices")["file_list"]
    assert outcome["status"] == "rejected"
    (line, col, reason), = _query(pdgov_home, "SELECT line_no, column_name, reason FROM main.ingest_rejections")
    assert (line, col) == (1, "品牌名")
    assert "column 5 header '品牌名' is not a known header of devices" in reason
    assert "did you mean 品牌名稱 / 品牌 / " in reason, reason
    assert "header_vocabulary.csv" in reason
    assert _query(pdgov_home, "SELECT count(*) FROM raw.devices") == [(0,)]


def test_extra_column_unlike_any_header_is_still_dropped(pdgov_home):
    (pdgov_home.landing_for("devices") / "extra.csv").write_bytes(_csv([[*SYNONYM_HEADER, "財產管理人"],
                                                                         [*ROW, "王"]]))
    assert _ingest("devices")["files"] == 1
    assert _query(pdgov_home, "SELECT notes FROM main.ingest_files") == [
        ("columns dropped (not in the contract): 財產管理人",)]


def test_two_headers_for_one_column_refused(pdgov_home):
    header = [*SYNONYM_HEADER, "廠牌"]  # 品牌 and 廠牌 both mean brand
    (pdgov_home.landing_for("devices") / "twice.csv").write_bytes(_csv([header, [*ROW, "Hikvision"]]))
    assert _ingest("devices")["files_rejected"] == 1
    (reason,), = _query(pdgov_home, "SELECT reason FROM main.ingest_rejections")
    assert reason.startswith("columns 5 (品牌) and 18 (廠牌) both mean brand (廠牌)"), reason


def test_missing_column_lists_accepted_names_and_unknown_headers(pdgov_home):
    """A header near the missing column's names is the one blamed, with those names; one like
    nothing leaves the missing column as the reason, listing every name it is accepted under."""
    for name, typed in (("near.csv", "接內網否"), ("far.csv", "欄九")):
        header = [h if h != "連接內網" else typed for h in SYNONYM_HEADER]
        (pdgov_home.landing_for("devices") / name).write_bytes(_csv([header, ROW]))
    _ingest("devices")
    got = dict(_query(pdgov_home, "SELECT file_name, reason FROM main.ingest_rejections"))
    assert got["near.csv"].startswith("column 9 header '接內網否' is not a known header of devices (無法辨識的欄位名稱); "
                                      "did you mean 連接內網 / 內網 / 是否連接內網?"), got
    assert got["far.csv"] == ("required column 內網 (intranet) is missing (缺少必要欄位); accepted headers: "
                              "intranet、內網、連接內網、內網連線、是否連接內網、連內網; unknown headers in this file: "
                              "column 9 (欄九)")


def test_steward_alias_in_a_copy_of_the_seed_makes_the_same_file_load(pdgov_home, tmp_path, monkeypatch):
    from pdgov.contracts.vocabulary import DEFAULT_PATH

    header = list(SYNONYM_HEADER)
    header[4] = "品牌名"
    landing = pdgov_home.landing_for("devices")
    data = _csv([header, ROW])
    (landing / "inv.csv").write_bytes(data)
    assert _ingest("devices")["files_rejected"] == 1
    seed = tmp_path / "header_vocabulary.csv"
    shutil.copy(DEFAULT_PATH, seed)
    with open(seed, "a", encoding="utf-8") as fh:
        fh.write("devices,brand,品牌名,added by the steward for agency 379000000A\n")
    monkeypatch.setenv("PDGOV_HEADER_VOCABULARY", str(seed))
    (landing / "inv.csv").write_bytes(data)      # the steward puts the refused file back, unchanged
    result = _ingest("devices")
    assert (result["files"], result["files_rejected"], result["files_skipped"]) == (1, 0, 0)
    assert _query(pdgov_home, "SELECT device_id, brand FROM raw.devices") == [("D1", "Soyal")]
    assert _query(pdgov_home, "SELECT status FROM main.ingest_files") == [("loaded",)]
    assert _query(pdgov_home, "SELECT count(*) FROM main.ingest_rejections") == [(0,)]
    assert not list(pdgov_home.quarantine.joinpath("devices").iterdir())


def test_refused_for_data_stays_refused_when_delivered_again(pdgov_home):
    data = _csv([SYNONYM_HEADER, [*ROW[:8], "也許", *ROW[9:]]])
    for _ in range(2):
        (pdgov_home.landing_for("devices") / "yn.csv").write_bytes(data)
        _ingest("devices")
    assert _query(pdgov_home, "SELECT count(*) FROM main.ingest_rejections") == [(1,)]


def test_seed_names_real_columns_and_no_name_means_two_columns():
    from pdgov.contracts import CONTRACTS
    from pdgov.contracts.vocabulary import seed_rows, vocabulary

    rows = seed_rows()
    for source in CONTRACTS:
        vocabulary(source)  # raises VocabularyError on an unknown column or a name meaning two columns
    counts = {s: sum(r["source"] == s for r in rows) for s in CONTRACTS}
    assert counts == {"punches": 19, "devices": 72, "webir": 26, "webir_accounts": 23, "roster": 21,
                      "incidents": 15, "committee_decisions": 11, "webir_audit_results": 0}
    brand = vocabulary("devices").names_of("brand")
    assert brand[:4] == ["brand", "廠牌", "品牌", "廠牌名稱"]
    assert set(vocabulary("roster").names_of("national_id")) >= {"身分證統一編號", "身分證字號", "身分證號"}


def test_a_seed_row_for_a_column_the_contract_lacks_is_refused(tmp_path, monkeypatch):
    from pdgov.contracts.vocabulary import VocabularyError, vocabulary

    seed = tmp_path / "v.csv"
    seed.write_text("source,column_name,accepted_name,note\ndevices,brandd,品牌名,\n", encoding="utf-8")
    monkeypatch.setenv("PDGOV_HEADER_VOCABULARY", str(seed))
    with pytest.raises(VocabularyError, match="v.csv line 2: devices has no column 'brandd'"):
        vocabulary("devices")
    seed.write_text("source,column_name,accepted_name,note\ndevices,model,Brand,\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="'Brand' is already accepted for devices.brand"):
        vocabulary("devices")
