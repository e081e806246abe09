"""Every source lands through its contract: the readers (encodings, XLSX, zh-TW/English headers,
ROC dates), pseudonymisation at the door, lineage, and a landing area re-run that changes nothing."""

from __future__ import annotations

import io
import json
import random
from datetime import date, datetime

import duckdb
import pytest
from ingest_ids import valid_id
from ingest_run import ingest, query

RUN_DATE = date(2026, 11, 2)
PUNCH_H = "機關代碼,員工編號,打卡時間,設備編號,辨識方式\n"
# Raw rows know their file by hash; its name is the ledger's (one row per file).
_NAMED = "(SELECT r.*, f.file_name AS _source_file FROM raw.{} r JOIN main.ingest_files f ON f.file_sha256 = r._file_sha256)"
PUNCHES_NAMED, WEBIR_NAMED = _NAMED.format("punches"), _NAMED.format("webir_queries")


_query, _ingest = query, ingest


def test_every_roc_and_gregorian_form_reads_as_taipei_local_time(pdgov_home):
    forms = ["115/10/05 08:01:23", "1151005 080123", "115年10月5日 08:01:23", "2026-10-05 08:01:23",
             "2026/10/05 08:01:23", "115/10/05", "1151005", "115年10月5日"]
    rows = "".join(f"379000000A,{i:04d},{ts},D1,指紋\n" for i, ts in enumerate(forms))
    (pdgov_home.landing_for("punches") / "forms.csv").write_text(PUNCH_H + rows, encoding="utf-8")
    assert _ingest("punches")["rows_in"] == len(forms)
    got = dict(_query(pdgov_home, "SELECT employee_no, punched_at FROM raw.punches"))
    with_time, day_only = datetime(2026, 10, 5, 8, 1, 23), datetime(2026, 10, 5)
    assert [got[f"{i:04d}"] for i in range(len(forms))] == [with_time] * 5 + [day_only] * 3


def test_big5_detected_from_bytes_and_english_xlsx_headers(pdgov_home):
    from openpyxl import Workbook

    big5 = (PUNCH_H + "379000000A,0001,115/10/05 08:01:23,D1,臉部\n").encode("cp950")
    (pdgov_home.landing_for("punches") / "export.txt").write_bytes(big5)
    wb = Workbook()
    ws = wb.active
    ws.append(["device_id", "agency_code", "model", "brand", "modalities", "intranet", "committee_status",
               "vendor", "brand_country", "origin_country", "connection", "protocol", "ncc_listed",
               "moda_reported", "in_service_since", "record_capacity", "storage_location"])
    ws.append(["D1", "379000000A", "FACE-8", "ZKTeco", "臉部、指紋", "否", "待審", "", "中國", "中國", "Wi-Fi",
               "HTTP", "否", "否", datetime(2022, 5, 1), 3000, "雲端"])
    buf = io.BytesIO()
    wb.save(buf)
    (pdgov_home.landing_for("devices") / "inventory.xlsx").write_bytes(buf.getvalue())
    assert _ingest("punches")["files"] == 1
    assert _ingest("devices")["files"] == 1
    assert _query(pdgov_home, "SELECT method FROM raw.punches") == [("face",)]
    assert _query(pdgov_home, "SELECT modalities, intranet, committee_status, in_service_since, record_capacity "
                              "FROM raw.devices") == [("face;fingerprint", False, "pending", date(2022, 5, 1), 3000)]


def test_big5_after_a_long_ascii_start_is_still_read_and_mixed_is_refused(pdgov_home):
    """Only the first 64 KB are sniffed; DuckDB finds the non-UTF-8 bytes further down."""
    head = "agency_code,employee_no,punched_at,device_id,method\n" + "".join(
        f"379000000A,{i:05d},2026-10-05 08:01:23,D1,card\n" for i in range(2000))
    tail = "379000000A,99999,2026-10-05 08:01:23,D1,指紋\n"
    (pdgov_home.landing_for("punches") / "big5.csv").write_bytes(head.encode() + tail.encode("cp950"))
    (pdgov_home.landing_for("punches") / "mixed.csv").write_bytes(
        head.replace("08:01", "09:01").encode() + tail.encode("cp950") + "379000000A,99998,2026-10-05 08:01:23,D1,"
        "臉部\n".encode())
    result = _ingest("punches")
    status = {o["file_name"]: o["status"] for o in result["file_list"]}
    assert status == {"big5.csv": "loaded", "mixed.csv": "rejected"}
    assert _query(pdgov_home, "SELECT count(*), count(*) FILTER (method = 'fingerprint') FROM raw.punches") == [
        (2001, 1)]
    assert "mixed or unknown encoding" in _query(pdgov_home, "SELECT reason FROM main.ingest_rejections")[0][0]


def test_national_ids_become_keyed_hmac_and_a_masked_form(pdgov_home):
    from pdgov.config import hmac_key
    from pdgov.ingest.national_id import pseudonym

    nid = valid_id(random.Random(3))
    (pdgov_home.landing_for("roster") / "roster.csv").write_text(
        f"機關代碼,員工編號,身分證字號,姓名,電子郵件\n379000000A,0001,{nid},王小明,w@example.tw\n", encoding="utf-8")
    subject = valid_id(random.Random(4))
    (pdgov_home.landing_for("webir") / "webir.csv").write_text(
        "機關代碼,查詢者帳號,查詢日期,查詢時間,作業代號,被查詢者查詢條件,案號,事由,結果\n"
        f"379000000A,acc1,115/10/05,09:00:00,L0101,{subject},A-1,查核,成功\n", encoding="utf-8")
    _ingest("roster")
    _ingest("webir")
    assert _query(pdgov_home, "SELECT national_id_hmac, national_id_masked FROM raw.roster") == [
        (pseudonym(nid, hmac_key()), f"{nid[:3]}****{nid[-3:]}")]
    (key, agency, queried_at, hmac_, masked), = _query(
        pdgov_home, "SELECT query_key, agency_code, queried_at, subject_hmac, subject_masked FROM raw.webir_queries")
    assert (agency, queried_at, hmac_, masked) == ("379000000A", datetime(2026, 10, 5, 9), pseudonym(
        subject, hmac_key()), f"{subject[:3]}****{subject[-3:]}")
    assert len(key) == 32


def test_no_run_starts_without_a_key(pdgov_home, monkeypatch):
    from pdgov.config import MissingKeyError

    monkeypatch.delenv("PDGOV_HMAC_KEY")
    monkeypatch.delenv("AIRFLOW_VAR_PDGOV_HMAC_KEY", raising=False)
    (pdgov_home.landing_for("punches") / "p.csv").write_text(PUNCH_H + "379000000A,1,2026-10-05 08:00:00,D1,指紋\n")
    with pytest.raises(MissingKeyError):
        _ingest("punches")
    assert (pdgov_home.landing_for("punches") / "p.csv").exists()


def test_accounts_and_incidents_land_with_lineage_and_dropped_columns_reported(pdgov_home):
    (pdgov_home.landing_for("webir_accounts") / "accounts.csv").write_bytes(
        ("帳號,員工編號,機關代碼,角色,狀態,建立日期,最後使用日期,在職狀態,分機\n"
         "acc1,0001,379000000A,使用者,啟用,112/01/03,115/10/01 10:00:00,在職,1234\n"
         "acc2,0002,379000000A,管理者,停用,1100105,,離職,5678\n").encode("cp950"))
    incident = {"事件編號": "INC-1", "通報人": "資訊室", "聯絡方式": "it@example.tw", "知悉時間": "2026-10-20 10:00:00",
                "外洩方式": "設備遭入侵", "地點": "本府", "事件說明": "x", "設備型號": "FACE-8",
                "已採取措施": "斷網"}
    (pdgov_home.landing_for("incidents") / "inc.json").write_text(json.dumps(incident, ensure_ascii=False))
    assert _ingest("webir_accounts")["rows_in"] == 2
    assert _ingest("incidents")["rows_in"] == 1
    assert _query(pdgov_home, "SELECT account, role, status, created_at, last_used_at, employment, snapshot_date, "
                              "_line_no FROM raw.webir_accounts ORDER BY account") == [
        ("acc1", "user", "active", date(2023, 1, 3), datetime(2026, 10, 1, 10), "employed", RUN_DATE, 2),
        ("acc2", "admin", "disabled", date(2021, 1, 5), None, "resigned", RUN_DATE, 3)]
    assert _query(pdgov_home, "SELECT notes FROM main.ingest_files WHERE source = 'webir_accounts'") == [
        ("columns dropped (not in the contract): 分機",)]
    assert _query(pdgov_home, "SELECT incident_id, known_at, scope_model FROM raw.incidents") == [
        ("INC-1", datetime(2026, 10, 20, 10), "FACE-8")]


def test_rerunning_the_same_landing_area_changes_nothing(pdgov_home):
    good = (PUNCH_H + "379000000A,0001,115/10/05 08:01:23,D1,指紋\n").encode()
    bad = (PUNCH_H + "379000000A,0001,115/02/30 08:01:23,D1,指紋\n").encode()
    landing = pdgov_home.landing_for("punches")
    (landing / "good.csv").write_bytes(good)
    (landing / "bad.csv").write_bytes(bad)
    first = _ingest("punches")
    assert (first["files"], first["files_rejected"]) == (1, 1)
    tables = ["raw.punches", "main.ingest_files", "main.ingest_rejections"]
    before = {t: _query(pdgov_home, f"SELECT * EXCLUDE (run_id) FROM {t}" if t != "raw.punches"  # noqa: S608
                        else f"SELECT * FROM {t}") for t in tables}  # noqa: S608
    assert _ingest("punches")["file_list"] == []  # nothing left in landing
    # The same two files delivered again: recognised by content, neither loaded nor reported again.
    (landing / "good.csv").write_bytes(good)
    (landing / "bad.csv").write_bytes(bad)
    again = _ingest("punches")
    assert (again["files"], again["files_rejected"], again["files_skipped"]) == (0, 0, 2)
    after = {t: _query(pdgov_home, f"SELECT * EXCLUDE (run_id) FROM {t}" if t != "raw.punches"  # noqa: S608
                       else f"SELECT * FROM {t}") for t in tables}  # noqa: S608
    assert after == before
    assert not any(landing.iterdir())


def test_duplicate_probe_compares_keys_with_empty_parts_and_gregorian_equals_roc(pdgov_home):
    """The duplicate probe groups hashes of the typed key: an empty 設備編號 on both rows is still a
    duplicate, a row that differs only there is not, and the same moment in ROC and Gregorian
    form is the same punch."""
    landing = pdgov_home.landing_for("punches")
    (landing / "ok.csv").write_text(PUNCH_H + "379000000A,0001,2026-10-05 08:01:23,,指紋\n"
                                    "379000000A,0001,2026-10-05 08:01:23,D1,指紋\n", encoding="utf-8")
    (landing / "dup_empty.csv").write_text(PUNCH_H + "379000000A,0002,2026-10-05 08:01:23,,指紋\n"
                                           "379000000A,0002,2026-10-05 08:01:23, ,指紋\n", encoding="utf-8")
    (landing / "dup_roc.csv").write_text(PUNCH_H + "379000000A,0003,115/10/05 08:01:23,D1,指紋\n"
                                         "379000000A,0003,2026-10-05 08:01:23,D1,指紋\n", encoding="utf-8")
    got = {o["file_name"]: o for o in _ingest("punches")["file_list"]}
    assert got["ok.csv"]["status"] == "loaded" and got["ok.csv"]["rows"] == 2
    for name in ("dup_empty.csv", "dup_roc.csv"):
        assert got[name]["status"] == "rejected"
        assert got[name]["problems"] == [[3, None, "duplicate of line 2 (same agency_code, employee_no, punched_at, "
                                          "device_id, method)"]]


@pytest.mark.parametrize("window", [False, True])
def test_every_stored_line_number_is_the_rows_line_in_the_file(pdgov_home, monkeypatch, window):
    """Line numbers come from the row ids of a load that runs on every thread (or, as the
    fallback, from a window): 300,000 rows span several of DuckDB's row groups and threads, and
    each row's employee number is its line in the file."""
    from pdgov.ingest import load

    if window:
        orig = load.fast_load
        monkeypatch.setattr(load, "fast_load", lambda *a, **k: orig(*a, **{**k, "window": True}))
    n = 300_000
    rows = "".join(f"379000000A,{i + 2},2026-10-05 08:01:23,D1,指紋\n" for i in range(n))
    (pdgov_home.landing_for("punches") / "many.csv").write_text(PUNCH_H + rows, encoding="utf-8")
    assert _ingest("punches")["rows_in"] == n
    assert _query(pdgov_home, "SELECT count(*), count(*) FILTER (WHERE _line_no = CAST(employee_no AS INTEGER)), "
                              "min(_line_no), max(_line_no) FROM raw.punches") == [(n, n, 2, n + 1)]


def test_small_files_load_together_and_a_bad_one_still_loads_nothing(pdgov_home, monkeypatch, caplog):
    """Small files share one transaction and one pandera gate (a city night is ~1,000 of them);
    a bad file among them splits the batch until it is alone, so the good files load, the bad one is
    quarantined with its line, and a second copy of a batched file is recognised, not loaded."""
    from pdgov.ingest import gate

    gates = []
    orig_gate = gate.pandera_gate
    monkeypatch.setattr(gate, "pandera_gate",
                        lambda con, c, shas, at, n: gates.append((len(shas), n)) or orig_gate(con, c, shas, at, n))
    land = pdgov_home.landing_for("punches")
    for i in range(5):
        rows = "".join(f"379000000A,{i}{n:03d},2026-10-05 08:01:2{n},D{i},指紋\n" for n in range(i + 1))
        (land / f"a{i}.csv").write_text(PUNCH_H + rows, encoding="utf-8")
    (land / "a5_copy_of_a2.csv").write_bytes((land / "a2.csv").read_bytes())
    first = _ingest("punches")
    assert (first["files"], first["files_skipped"], first["rows_in"]) == (5, 1, 15)
    assert gates == [(5, 15)]  # one gate for the five files' 15 rows, none for the copy (seen in the ledger)
    # Each file's own line numbers, from line 2.
    assert _query(pdgov_home, f"SELECT _source_file, min(_line_no), max(_line_no), count(*) FROM {PUNCHES_NAMED} "
                              "GROUP BY 1 ORDER BY 1") == [(f"a{i}.csv", 2, i + 2, i + 1) for i in range(5)]
    assert _query(pdgov_home, "SELECT count(*) FROM main.ingest_files WHERE status = 'loaded'") == [(5,)]
    assert len(list((pdgov_home.archive / "punches").glob("*__a*.csv"))) == 6

    # A corrected a0.csv in a batch with a new file replaces a0's earlier row, and only that.
    (land / "a0.csv").write_text(PUNCH_H + "379000000A,0000,2026-10-05 08:01:20,D0,指紋\n"
                                 "379000000A,0001,2026-10-05 08:01:21,D0,指紋\n", encoding="utf-8")
    (land / "c.csv").write_text(PUNCH_H + "379000000A,7,2026-10-07 08:00:00,D1,指紋\n", encoding="utf-8")
    assert _ingest("punches")["files"] == 2
    assert _query(pdgov_home, f"SELECT _source_file, count(*) FROM {PUNCHES_NAMED} WHERE _source_file IN ('a0.csv', "
                              "'a1.csv', 'c.csv') GROUP BY 1 ORDER BY 1") == [("a0.csv", 2), ("a1.csv", 2), ("c.csv", 1)]

    caplog.set_level("INFO", logger="pdgov.ingest")
    for i in range(3):
        (land / f"b{i}.csv").write_text(PUNCH_H + f"379000000A,9{i},2026-10-06 08:00:0{i},D1,指紋\n", encoding="utf-8")
    (land / "b1.csv").write_text(PUNCH_H + "379000000A,91,2026-10-06 08:00:01,D1,指紋\n"
                                 "379000000A,92,115/02/30 08:00:00,D1,指紋\n", encoding="utf-8")
    second = {o["file_name"]: o for o in _ingest("punches")["file_list"]}
    assert {n: o["status"] for n, o in second.items()} == {"b0.csv": "loaded", "b1.csv": "rejected", "b2.csv": "loaded"}
    assert second["b1.csv"]["problems"][0][:2] == [3, "打卡時間"]
    assert "a batch of 3 files is split" in caplog.text  # tried whole first
    assert "taken out: b1.csv" in caplog.text  # the failed row rule's file found by one query, not by halving
    assert _query(pdgov_home, f"SELECT _source_file, count(*) FROM {PUNCHES_NAMED} WHERE _source_file LIKE 'b%' "
                              "GROUP BY 1 ORDER BY 1") == [("b0.csv", 1), ("b2.csv", 1)]
    assert (pdgov_home.quarantine / "punches").is_dir()


def test_a_batch_reads_its_files_together_yet_each_row_keeps_its_own_file(pdgov_home, monkeypatch):
    """A batch's files of one column layout are read by one read_csv (per file, the statement
    overhead was most of a city night's ingest). Each row must still carry its own file's hash,
    name, line and — for WebIR logs without an agency column — the agency in its own file name;
    files of another layout (English headers, columns reordered, Big5) load beside them; a punch
    repeated in two files of the batch is a re-delivery, not a duplicate; the same punch twice in
    one file still refuses that file."""
    from pdgov.ingest import load

    reads = []
    orig = load.insert_statement
    monkeypatch.setattr(load, "insert_statement", lambda *a, **k: reads.append(len(k.get("together") or [1]))
                        or orig(*a, **k))
    land = pdgov_home.landing_for("punches")
    sizes = {"z1.csv": 3000, "z2.csv": 2500, "z3.csv": 1}
    for name, n in sizes.items():
        tag = name[1]
        rows = "".join(f"379000000A,{tag}{i:05d},2026-10-05 08:{i // 60 % 60:02d}:{i % 60:02d},D{tag},指紋\n"
                       for i in range(n))
        (land / name).write_text(PUNCH_H + rows, encoding="utf-8")
    (land / "en.csv").write_text("method,punched_at,employee_no,agency_code,device_id\n"
                                 "卡片,2026-10-05 09:00:00,E1,379130000C,DE\n"
                                 "卡片,2026-10-05 18:00:00,E1,379130000C,DE\n", encoding="utf-8")
    (land / "big5.csv").write_bytes((PUNCH_H + "379000000A,B1,115/10/05 08:01:23,DB,臉部\n").encode("cp950"))
    # the same punch as z3.csv's only row: another delivery of it, loaded (staging keeps one)
    (land / "z4.csv").write_text(PUNCH_H + "379000000A,300000,2026-10-05 08:00:00,D3,指紋\n"
                                 "379000000A,300000,2026-10-05 17:00:00,D3,指紋\n", encoding="utf-8")
    got = _ingest("punches")
    assert (got["files"], got["files_rejected"]) == (6, 0)
    # the zh-TW files in one read (big5.csv as its UTF-8 conversion); en.csv's layout in another
    assert sorted(reads) == [1, 5]
    lines = _query(pdgov_home, "SELECT _source_file, count(*), count(*) FILTER (WHERE _line_no = "
                               "CAST(substr(employee_no, 2) AS INTEGER) + 2), min(_line_no), max(_line_no) "
                               f"FROM {PUNCHES_NAMED} WHERE _source_file LIKE 'z%' GROUP BY 1 ORDER BY 1")
    assert lines == [(name, n, n, 2, n + 1) for name, n in sizes.items()] + [("z4.csv", 2, 1, 2, 3)]
    ledger = dict(_query(pdgov_home, "SELECT file_name, file_sha256 FROM main.ingest_files"))
    assert _query(pdgov_home, "SELECT count(*) FROM raw.punches r JOIN main.ingest_files f "
                              "ON f.file_sha256 = r._file_sha256 AND f.status = 'loaded'") == [(5506,)]
    assert len(ledger) == 6
    assert _query(pdgov_home, f"SELECT agency_code, method, _line_no FROM {PUNCHES_NAMED} WHERE _source_file = 'en.csv' "
                              "ORDER BY _line_no") == [("379130000C", "card", 2), ("379130000C", "card", 3)]
    assert _query(pdgov_home, f"SELECT employee_no, _line_no FROM {PUNCHES_NAMED} WHERE _source_file = 'big5.csv'") == [
        ("B1", 2)]

    # WebIR logs without 機關代碼: each row's agency is its own file's, read together.
    head = "查詢者帳號,查詢日期,查詢時間,作業代號,被查詢者查詢條件,案號,事由,結果\n"
    for agency, subject in (("379000000A", 5), ("379130000C", 6)):
        sid = valid_id(random.Random(subject))
        (pdgov_home.landing_for("webir") / f"{agency}_WebIR.csv").write_text(
            head + f"acc{subject},115/10/05,09:00:00,L0101,{sid},A-{subject},查核,成功\n", encoding="utf-8")
    reads.clear()
    assert _ingest("webir")["files"] == 2
    assert reads == [2]
    assert _query(pdgov_home, f"SELECT _source_file, agency_code, account FROM {WEBIR_NAMED} ORDER BY 1") == [
        ("379000000A_WebIR.csv", "379000000A", "acc5"), ("379130000C_WebIR.csv", "379130000C", "acc6")]

    # The same punch twice in one file of a batch refuses that file, and only it.
    (land / "d1.csv").write_text(PUNCH_H + "379000000A,D,2026-10-06 08:00:00,D1,指紋\n"
                                 "379000000A,D,2026-10-06 08:00:00,D1,指紋\n", encoding="utf-8")
    (land / "d2.csv").write_text(PUNCH_H + "379000000A,D,2026-10-06 08:00:00,D1,指紋\n", encoding="utf-8")
    outcome = {o["file_name"]: o for o in _ingest("punches")["file_list"]}
    assert {n: o["status"] for n, o in outcome.items()} == {"d1.csv": "rejected", "d2.csv": "loaded"}
    assert outcome["d1.csv"]["problems"][0][0] == 3 and "duplicate of line 2" in outcome["d1.csv"]["problems"][0][2]


def test_raw_rows_carry_hash_line_and_load_time_and_an_old_warehouse_sheds_the_per_row_name_and_run(pdgov_home):
    """The file's name and loading run live in the ledger, once per file: stored on each of the
    city's punches they made every purge's copy of the warehouse slower. A warehouse from before
    keeps its rows and loses the two columns the first time the ingest opens it."""
    from pdgov.ingest.raw_schema import RAW_DDL, ensure_raw_tables
    from pdgov.warehouse import connect

    con = duckdb.connect(str(pdgov_home.warehouse))
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.punches ({RAW_DDL['punches']}, _file_sha256 VARCHAR, _source_file VARCHAR, "
                "_line_no INTEGER, _loaded_at TIMESTAMP, _run_id VARCHAR)")
    con.execute("INSERT INTO raw.punches VALUES ('379000000A', 'E1', TIMESTAMP '2026-10-05 08:00:00', 'D1', 'card', "
                "'abc', 'old.csv', 2, TIMESTAMP '2026-10-06 02:00:00', 'r0')")
    con.close()
    with connect() as con:
        ensure_raw_tables(con)
    lineage = ["_file_sha256", "_line_no", "_loaded_at"]
    for table in RAW_DDL:
        cols = [c for (c,) in _query(pdgov_home, "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' "
                                                 f"AND table_name = '{table}' ORDER BY column_index")]
        assert cols[-3:] == lineage and not {"_source_file", "_run_id"} & set(cols), (table, cols)
    assert _query(pdgov_home, "SELECT employee_no, _file_sha256, _line_no FROM raw.punches") == [("E1", "abc", 2)]

    (pdgov_home.landing_for("punches") / "new.csv").write_text(
        PUNCH_H + "379000000A,E2,2026-10-05 08:00:00,D1,指紋\n", encoding="utf-8")
    assert _ingest("punches")["files"] == 1
    assert _query(pdgov_home, f"SELECT employee_no, _source_file, _line_no FROM {PUNCHES_NAMED}") == [
        ("E2", "new.csv", 2)]
    # A pseudonymised archive copy has the columns it always had: the name is the file's.
    nid = valid_id(random.Random(11))
    (pdgov_home.landing_for("roster") / "r.csv").write_text(
        f"機關代碼,員工編號,身分證字號,姓名,電子郵件\n379000000A,0001,{nid},王小明,w@example.tw\n", encoding="utf-8")
    assert _ingest("roster")["files"] == 1
    archived = next((pdgov_home.archive / "roster").glob("*__r.csv.csv")).read_text(encoding="utf-8").splitlines()
    assert archived[0] == ("agency_code,employee_no,national_id_hmac,national_id_masked,name,email,employment,left_on,"
                           "_file_sha256,_source_file,_line_no")
    assert archived[1].endswith(",r.csv,2") and nid not in archived[1]


def test_a_malformed_file_in_a_batch_is_found_by_halving(pdgov_home, caplog):
    """A failure no row rule names (here a line with a field too many, refused by the CSV reader)
    splits the batch in halves until the file is alone; the others load, it is refused with its line."""
    caplog.set_level("INFO", logger="pdgov.ingest")
    land = pdgov_home.landing_for("punches")
    for i in range(4):
        extra = ",X" if i == 2 else ""
        (land / f"m{i}.csv").write_text(PUNCH_H + f"379000000A,{i},2026-10-06 08:00:00,D1,指紋\n"
                                        f"379000000A,{i},2026-10-06 17:00:00,D1,指紋{extra}\n", encoding="utf-8")
    outcome = {o["file_name"]: o for o in _ingest("punches")["file_list"]}
    assert {n: o["status"] for n, o in outcome.items()} == {"m0.csv": "loaded", "m1.csv": "loaded",
                                                          "m2.csv": "rejected", "m3.csv": "loaded"}
    assert outcome["m2.csv"]["problems"][0][0] == 3
    assert "a batch of 4 files is split" in caplog.text and "taken out" not in caplog.text
    assert _query(pdgov_home, f"SELECT _source_file, count(*), min(_line_no), max(_line_no) FROM {PUNCHES_NAMED} "
                              "GROUP BY 1 ORDER BY 1") == [("m0.csv", 2, 2, 3), ("m1.csv", 2, 2, 3), ("m3.csv", 2, 2, 3)]


@pytest.mark.parametrize("distinct_from", [0, 10**9], ids=["distinct-values", "every-row"])
@pytest.mark.parametrize(("kind", "bad_row", "column", "check"), [
    # The agency code's rule (on distinct codes in a large load); the timestamp's nullability (every row).
    ("agency_code", "37900000A1,0002,2026-10-05 08:02:00,D1,指紋\n", "agency_code", "str_matches"),
    ("timestamp", "379000000A,0002,115/02/30 08:02:00,D1,指紋\n", "punched_at", "not_nullable"),
])
def test_the_pandera_gate_refuses_what_the_row_rules_let_through(pdgov_home, monkeypatch, kind, bad_row, column,
                                                                  check, distinct_from):
    """The contract's pandera schema is an independent last gate, not a formality: with the row
    rule of one column kind switched off, the file still loads nothing and is quarantined, and the
    rejection names the pandera check that caught it — whether the gate checks low-cardinality
    columns on their distinct values (large loads) or on every row (small ones). Many good rows
    around the bad one, so the distinct path sees one bad code among good ones."""
    from pdgov.ingest import checks, gate

    monkeypatch.setattr(gate, "GATE_DISTINCT_FROM_ROWS", distinct_from)
    real = checks.column_sql

    def without_rule(c, now_sql):
        typed, reason = real(c, now_sql)
        return typed, ("NULL" if c.kind == kind else reason)

    monkeypatch.setattr(checks, "column_sql", without_rule)
    good = "".join(f"379000000A,{i:04d},2026-10-05 08:{i % 60:02d}:00,D{i % 7},臉部\n" for i in range(10, 500))
    (pdgov_home.landing_for("punches") / "slipped.csv").write_text(PUNCH_H + good + bad_row, encoding="utf-8")
    r = _ingest("punches")
    assert (r["files"], r["files_rejected"], r["rows_in"]) == (0, 1, 0)
    assert _query(pdgov_home, "SELECT count(*) FROM raw.punches") == [(0,)]
    reasons = _query(pdgov_home, "SELECT file_name, reason FROM main.ingest_rejections")
    assert len(reasons) == 1 and reasons[0][0] == "slipped.csv", reasons
    assert reasons[0][1].startswith("contract (pandera) check failed") and column in reasons[0][1], reasons
    assert check in reasons[0][1], reasons
    quarantined = sorted(f.name for f in (pdgov_home.quarantine / "punches").iterdir())
    assert [n.split("__", 1)[1] for n in quarantined] == ["slipped.csv", "slipped.csv.rejections.txt"], quarantined


def test_the_split_gate_is_the_whole_contract_and_names_every_failed_check(monkeypatch):
    """For every source the gate's two parts hold exactly the contract's checks (the distinct part
    only element-wise ones, the row part every column's type and nullability); on rows with a bad
    agency code, an unknown method and a missing time, both paths name all three failures, and the
    distinct path is taken only from ``GATE_DISTINCT_FROM_ROWS`` rows on."""
    from datetime import datetime as dt

    import pdgov.contracts as contracts
    from pdgov.contracts import CONTRACTS, ELEMENT_WISE_CHECKS, pandera_gate_schemas, pandera_schema
    from pdgov.ingest import gate

    def checks_of(col):
        return sorted(str(c) for c in col.checks)

    for source in CONTRACTS:
        full = pandera_schema(source)
        rows, values = pandera_gate_schemas(source)
        assert set(rows.columns) == set(full.columns), source
        for name, col in full.columns.items():
            assert (rows.columns[name].dtype, rows.columns[name].nullable) == (col.dtype, col.nullable), (source, name)
            moved = values.get(name)
            if moved is None:
                assert checks_of(rows.columns[name]) == checks_of(col), (source, name)
            else:
                assert not rows.columns[name].checks and list(moved.columns) == [name], (source, name)
                assert checks_of(moved.columns[name]) == checks_of(col) and col.checks, (source, name)
                assert {c.name for c in col.checks} <= ELEMENT_WISE_CHECKS, (source, name)
    assert set(pandera_gate_schemas("punches")[1]) == {"agency_code", "method"}
    assert set(pandera_gate_schemas("webir_accounts")[1]) == {"agency_code", "role", "status", "employment"}

    con = duckdb.connect()
    at = dt(2026, 11, 2, 1, 2, 3)
    con.execute("CREATE SCHEMA raw")
    con.execute("""CREATE TABLE raw.punches AS SELECT * FROM (VALUES
        ('379000000A', 'E1', TIMESTAMP '2026-10-05 08:00:00', 'D1', 'face'),
        ('37900000a0', 'E2', TIMESTAMP '2026-10-05 08:01:00', 'D1', 'face'),
        ('379000000A', 'E3', NULL, 'D1', 'face'),
        ('379000000A', 'E4', TIMESTAMP '2026-10-05 08:03:00', 'D1', 'bogus'))
        t(agency_code, employee_no, punched_at, device_id, method)""")
    con.execute("ALTER TABLE raw.punches ADD COLUMN _file_sha256 VARCHAR DEFAULT 'f1'")
    con.execute(f"ALTER TABLE raw.punches ADD COLUMN _loaded_at TIMESTAMP DEFAULT TIMESTAMP '{at}'")
    split = []
    real = contracts.pandera_gate_schemas
    monkeypatch.setattr(contracts, "pandera_gate_schemas", lambda s: split.append(s) or real(s))
    for n_rows, took_split in [(gate.GATE_DISTINCT_FROM_ROWS, True), (gate.GATE_DISTINCT_FROM_ROWS - 1, False)]:
        split.clear()
        why = gate.pandera_gate(con, CONTRACTS["punches"], ["f1"], at, n_rows)
        assert bool(split) == took_split, n_rows
        assert why.startswith("contract (pandera) check failed: "), why
        for part in ("agency_code: str_matches", "punched_at: not_nullable", "method: isin"):
            assert part in why, (n_rows, why)
    con.execute("DELETE FROM raw.punches WHERE employee_no <> 'E1'")
    assert gate.pandera_gate(con, CONTRACTS["punches"], ["f1"], at, gate.GATE_DISTINCT_FROM_ROWS) is None
    assert gate.pandera_gate(con, CONTRACTS["punches"], ["f1"], at, 1) is None


def test_the_contracts_table_in_the_docs_is_the_contracts():
    """docs/ingest.md shows every contract as ``describe()`` prints it; a contract changed without
    the docs (or ``describe`` lost, as a careless edit once did) fails here."""
    from pathlib import Path

    from pdgov.contracts import describe

    docs = (Path(__file__).resolve().parents[2] / "docs" / "ingest.md").read_text(encoding="utf-8")
    assert describe() in docs
