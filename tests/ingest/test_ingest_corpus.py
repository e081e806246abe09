"""The bad-input corpus: each malformed delivery is refused (or accepted) as stated, with the line,
column and reason a steward can act on, and nothing else in the warehouse changes."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import pytest
from ingest_ids import bad_checksum_id as make_invalid
from ingest_ids import valid_id as make

RUN_DATE = date(2026, 11, 2)
PUNCH_H = "機關代碼,員工編號,打卡時間,設備編號,辨識方式\n"
ROSTER_H = "機關代碼,員工編號,身分證統一編號,姓名,電子郵件\n"
WEBIR_H = "查詢者帳號,查詢日期,查詢時間,作業代號,被查詢者查詢條件,案號,事由,結果\n"
DEV_H = ("設備編號,機關代碼,型號,廠商,廠牌,廠牌國別,原產地,主機板產地,晶片廠商,辨識方式,內網,連線方式,通訊協定,"
         "NCC審驗,數位部通報,委員會審查,啟用日期,紀錄容量,儲存位置")
RAW = {"punches": "raw.punches", "roster": "raw.roster", "webir": "raw.webir_queries", "devices": "raw.devices",
       "incidents": "raw.incidents"}


def _rng():
    import random

    return random.Random(11)


def punch(ts: str = "2026-10-05 08:01:23", agency: str = "379000000A", method: str = "指紋") -> str:
    return f"{agency},0001,{ts},D0001,{method}\n"


def dev_row(**over) -> list:
    row = dict(zip(DEV_H.split(","), ["D1", "379000000A", "AR-837", "茂旭", "Soyal", "臺灣", "臺灣", "臺灣", "Realtek",
                                      "指紋;卡片", "是", "RJ-45", "TCP/IP", "是", "否", "核准", "2021-03-01", "20000",
                                      "機房"], strict=True))
    row.update(over)
    return list(row.values())


def csv_bytes(rows: list[list]) -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list], sheets: int = 1, formula: bool = False) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(DEV_H.split(","))
    for r in rows:
        ws.append(r)
    if formula:
        ws["S2"] = "=1+1"
    for i in range(1, sheets):
        other = wb.create_sheet(f"Sheet{i + 1}")
        other.append(["x"])
        other.append([1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Case:
    id: str
    source: str
    name: str
    content: bytes
    accepted: bool
    reason: str = ""
    line: int | None = None
    rows: int = 0


def cases() -> list[Case]:
    r = _rng()
    good_id = make(r)
    future = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    big5 = (PUNCH_H + punch("115/10/05 08:01:23") + punch("115/10/05 17:31:00")).encode("cp950")
    mixed = PUNCH_H.encode("utf-8") + punch().encode("utf-8") + "379000000A,0002,115/10/05 08:00:00,D1,臉部\n".encode("cp950")
    return [
        Case("big5-misnamed-utf8", "punches", "379000000A_utf8.csv", big5, True, rows=2),
        Case("utf8-bom", "punches", "bom.csv", b"\xef\xbb\xbf" + (PUNCH_H + punch()).encode(), True, rows=1),
        Case("english-headers", "punches", "en.csv",
             ("agency_code,employee_no,punched_at,device_id,method\n" + punch()).encode(), True, rows=1),
        Case("mixed-encodings", "punches", "mixed.csv", mixed, False, "neither valid UTF-8 nor valid Big5"),
        Case("truncated-last-line", "punches", "trunc.csv", (PUNCH_H + punch() + "379000000A,0001,2026-10").encode(),
             False, "well-formed"),
        Case("extra-column-dropped", "punches", "extra.csv",
             ("機關代碼,員工編號,打卡時間,設備編號,辨識方式,備註\n379000000A,0001,2026-10-05 08:01:23,D0001,指紋,x\n").encode(),
             True, rows=1),
        Case("missing-column", "punches", "missing.csv", ("機關代碼,員工編號,設備編號,辨識方式\n379000000A,1,D1,指紋\n").encode(),
             False, "required column 打卡時間", 1),
        Case("impossible-roc-date", "punches", "feb30.csv", (PUNCH_H + punch() + punch("115/02/30 08:00:00")).encode(),
             False, "impossible", 3),
        Case("roc-year-zero", "punches", "y0.csv", (PUNCH_H + punch("0/10/05 08:00:00")).encode(), False, "impossible", 2),
        Case("hour-25", "punches", "h25.csv", (PUNCH_H + punch("2026-10-05 25:00:00")).encode(), False, "impossible", 2),
        Case("future-punch", "punches", "future.csv", (PUNCH_H + punch(future)).encode(), False, "future", 2),
        Case("not-a-date", "punches", "nodate.csv", (PUNCH_H + punch("yesterday")).encode(), False, "not a date", 2),
        Case("unknown-method", "punches", "method.csv", (PUNCH_H + punch(method="虹膜")).encode(), False,
             "value not allowed", 2),
        Case("bad-agency-code", "punches", "agency.csv", (PUNCH_H + punch(agency="379000000a")).encode(), False,
             "agency code", 2),
        Case("duplicate-rows", "punches", "dup.csv", (PUNCH_H + punch() + punch()).encode(), False,
             "duplicate of line 2", 3),
        Case("empty-file", "punches", "empty.csv", b"", False, "empty"),
        Case("header-only", "punches", "header.csv", PUNCH_H.encode(), False, "no data rows", 1),
        Case("nul-bytes", "punches", "nul.csv", (PUNCH_H + punch()).encode() + b"\x00\x00", False, "NUL"),
        Case("huge-field", "punches", "huge.csv", (PUNCH_H + "379000000A,0001,2026-10-05 08:01:23,"
                                                   + "D" * 2_000_000 + ",指紋\n").encode(), False, "well-formed"),
        Case("roc-compact-and-zh-dates", "devices", "dates.xlsx",
             xlsx_bytes([dev_row(設備編號="D1", 啟用日期="1100301"), dev_row(設備編號="D2", 啟用日期="110年3月1日")]),
             True, rows=2),
        Case("csv-injection-text-kept", "devices", "inject.csv",
             csv_bytes([DEV_H.split(","), dev_row(儲存位置='=HYPERLINK("http://x","y")')]), True, rows=1),
        Case("zero-byte-xlsx", "devices", "zero.xlsx", b"", False, "empty"),
        Case("xlsx-several-sheets", "devices", "sheets.xlsx", xlsx_bytes([dev_row()], sheets=2), False, "sheets"),
        Case("xlsx-formula-cell", "devices", "formula.xlsx", xlsx_bytes([dev_row()], formula=True), False, "formula", 2),
        Case("template-column", "devices", "tmpl.csv", (DEV_H + ",特徵值\n" + ",".join(dev_row()) + ",QUJD\n").encode(),
             False, "biometric templates", 1),
        Case("photo-column", "devices", "photo.csv", (DEV_H + ",照片\n" + ",".join(dev_row()) + ",x.jpg\n").encode(),
             False, "photos", 1),
        Case("bad-yes-no", "devices", "yn.csv", (DEV_H + "\n" + ",".join(dev_row(內網="也許")) + "\n").encode(), False,
             "是 or 否", 2),
        Case("bad-id-checksum", "roster", "cs.csv", (ROSTER_H + f"379000000A,1,{make_invalid(r)},王,a@b\n").encode(),
             False, "checksum", 2),
        Case("lower-case-id", "roster", "lc.csv",
             (ROSTER_H + f"379000000A,1,{good_id[0].lower() + good_id[1:]},王,a@b\n").encode(), False, "lower-case", 2),
        Case("valid-roster", "roster", "ok.csv", (ROSTER_H + f"379000000A,1,{good_id},王,a@b\n").encode(), True, rows=1),
        Case("webir-no-agency", "webir", "log.csv",
             (WEBIR_H + f"acc1,2026-10-05,09:00:00,L0101,{make(r)},A-1,查核,成功\n").encode(), True, rows=1),
        Case("webir-agency-prefix", "webir", "379000000A_log.csv",
             (WEBIR_H + f"acc1,115/10/05,09:00:00,L0101,{make(r)},A-1,查核,成功\n").encode("cp950"), True, rows=1),
        Case("webir-bad-time", "webir", "379000000A_t.csv",
             (WEBIR_H + f"acc1,2026-10-05,9點,L0101,{make(r)},A-1,查核,成功\n").encode(), False, "time of day", 2),
        Case("incident-bad-json", "incidents", "inc.json", b'{"incident_id": "X", ', False, "not valid JSON"),
        Case("incident-missing-field", "incidents", "inc2.json",
             json.dumps({"incident_id": "I-1", "reporter": "x"}).encode(), False, "required column"),
    ]


CASES = cases()


def _count(home, table: str) -> int:
    con = duckdb.connect(str(home / "warehouse" / "pdgov.duckdb"), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    finally:
        con.close()


def test_corpus_has_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(pdgov_home, case: Case):
    from pdgov.ingest.run import ingest_source

    target = pdgov_home.landing_for(case.source) / case.name
    target.write_bytes(case.content)
    result = ingest_source(case.source, "corpus", RUN_DATE)
    outcome = result["file_list"][0]
    table = RAW[case.source]
    if case.accepted:
        assert outcome["status"] == "loaded", outcome
        assert _count(pdgov_home.home, table) == case.rows
        assert list(pdgov_home.archive.joinpath(case.source).iterdir())
    else:
        assert outcome["status"] == "rejected", outcome
        assert _count(pdgov_home.home, table) == 0, "a refused file must load nothing"
        con = duckdb.connect(str(pdgov_home.warehouse), read_only=True)
        rej = con.execute("SELECT line_no, column_name, reason FROM main.ingest_rejections").fetchall()
        con.close()
        assert rej, "the rejection must be recorded"
        assert any(case.reason.lower() in (r[2] + " " + (r[1] or "")).lower() for r in rej), rej
        if case.line is not None:
            assert any(r[0] == case.line for r in rej), rej
        q = list(pdgov_home.quarantine.joinpath(case.source).iterdir())
        assert any(p.name.endswith(".rejections.txt") for p in q)
    assert not any(pdgov_home.landing_for(case.source).iterdir()), "the file must leave the landing area"


def test_same_file_twice_is_loaded_once(pdgov_home):
    from pdgov.ingest.run import ingest_source

    body = (PUNCH_H + punch()).encode()
    (pdgov_home.landing_for("punches") / "a.csv").write_bytes(body)
    ingest_source("punches", "r1", RUN_DATE)
    (pdgov_home.landing_for("punches") / "a_again.csv").write_bytes(body)
    second = ingest_source("punches", "r2", RUN_DATE)
    assert second["files"] == 0 and second["files_skipped"] == 1
    assert _count(pdgov_home.home, "raw.punches") == 1


def test_refused_file_delivered_again_is_not_reported_twice(pdgov_home):
    from pdgov.ingest.run import ingest_source

    body = (PUNCH_H + punch("115/02/30 08:00:00")).encode()
    for name in ("bad.csv", "bad_copy.csv"):
        (pdgov_home.landing_for("punches") / name).write_bytes(body)
        ingest_source("punches", "r", RUN_DATE)
    assert _count(pdgov_home.home, "main.ingest_rejections") == 1


def test_corrected_redelivery_replaces_only_its_own_rows(pdgov_home):
    from pdgov.ingest.run import ingest_source

    (pdgov_home.landing_for("punches") / "other.csv").write_bytes((PUNCH_H + punch("2026-10-06 08:00:00")).encode())
    (pdgov_home.landing_for("punches") / "m.csv").write_bytes((PUNCH_H + punch()).encode())
    ingest_source("punches", "r1", RUN_DATE)
    (pdgov_home.landing_for("punches") / "m.csv").write_bytes((PUNCH_H + punch() + punch("2026-10-05 17:30:00")).encode())
    ingest_source("punches", "r2", RUN_DATE)
    assert _count(pdgov_home.home, "raw.punches") == 3


def test_no_national_id_in_clear_after_ingest(pdgov_home):
    import re

    from pdgov.ingest.run import ingest_source

    r = _rng()
    ids = [make(r) for _ in range(5)]
    rows = "".join(f"379000000A,{i},{nid},王,a@b\n" for i, nid in enumerate(ids))
    (pdgov_home.landing_for("roster") / "r.csv").write_text(ROSTER_H + rows, encoding="utf-8")
    bad = ROSTER_H + f"379000000A,9,{ids[0]},王,a@b\n379000000A,10,{make_invalid(r)},李,c@d\n"
    (pdgov_home.landing_for("roster") / "bad.csv").write_text(bad, encoding="utf-8")
    ingest_source("roster", "r", RUN_DATE)
    pattern = re.compile("|".join(ids).encode())
    for f in pdgov_home.home.rglob("*"):
        if f.is_file():
            assert not pattern.search(f.read_bytes()), f"national ID in clear in {f}"
