"""National IDs typed into free text (issue #18, SPEC §2): pseudonymised at the door, so no ID is in
clear anywhere under PDGOV_HOME — raw tables, archive and quarantine copies, rejection texts —
whatever the case or width it was typed in and whether its checksum holds.

The IDs come from the hand-worked reference list (``ingest_ids.REFERENCE``), typed as a clerk
would: upper case, lower case, full-width, glued to Chinese text, with a wrong check digit."""

from __future__ import annotations

import json
import unicodedata

from ingest_ids import REFERENCE
from ingest_run import ingest, query, xlsx
from ingest_scan import fullwidth, ids_in_files, ids_in_tables

SUBJECT = REFERENCE[2][0]
IN_REASON = REFERENCE[3][0]          # typed in 事由, upper case
LOWER = REFERENCE[4][1]              # typed in lower case
FULL = REFERENCE[5][0]               # typed in full-width forms
BAD_SUM = REFERENCE[6][2]            # checksum wrong: still someone's ID
IN_DROPPED = REFERENCE[7][0]         # in a column the contract drops (備註)
IN_INCIDENT = REFERENCE[8][1]
IN_REFUSED = REFERENCE[9][0]         # in a file that is refused
IN_XLSX = REFERENCE[10][0]
IN_HEADER = REFERENCE[11][0]         # in a header of a refused file
IN_LOADED_HEADER = REFERENCE[20][1]  # in the header of a dropped column of a loaded file
ALL = [IN_REASON, LOWER, FULL, BAD_SUM, IN_DROPPED, IN_INCIDENT, IN_REFUSED, IN_XLSX, IN_HEADER, IN_LOADED_HEADER]
WEBIR_H = "查詢者帳號,查詢日期,查詢時間,作業代號,被查詢者查詢條件,案號,事由,結果,備註\n"


_xlsx = xlsx


def _land(home) -> None:
    webir = home.landing_for("webir")
    (webir / "379000000A_log.csv").write_text(
        WEBIR_H
        + f"acc1,2026-10-05,09:00:00,L0101,{SUBJECT},A-1,查{IN_REASON}投保資料,成功,\n"
        + f"acc1,2026-10-05,09:01:00,L0101,{SUBJECT},A-2,民眾{LOWER}申請,成功,{IN_DROPPED}\n"
        + f"acc2,2026-10-05,09:02:00,L0101,{SUBJECT},A-3,同{fullwidth(FULL)}、{BAD_SUM},查無 {FULL.lower()}。,\n"
        + f"acc2,2026-10-05,09:03:00,L0101,{SUBJECT},ZA123456789,案號ZA123456789 A1234567890,成功,\n",
        encoding="utf-8")
    (webir / "379000000A_bad.csv").write_text(
        WEBIR_H + f"acc1,2026-10-05,9點,L0101,{SUBJECT},A-1,查{IN_REFUSED},成功,\n", encoding="utf-8")
    (home.landing_for("incidents") / "inc.json").write_text(json.dumps({
        "incident_id": "I-1", "reporter": "王", "reporter_contact": "02-1234", "known_at": "2026-10-05 10:00:00",
        "method": "email", "location": "", "description": f"誤寄含 {IN_INCIDENT} 之名冊", "containment": "收回"}, ensure_ascii=False),
        encoding="utf-8")
    (home.landing_for("punches") / "p.csv").write_text(
        f"機關代碼,員工編號,打卡時間,設備編號,辨識方式,備註{IN_LOADED_HEADER}\n"
        f"379000000A,0001,2026-10-05 08:01:23,D1,指紋,代 {IN_DROPPED} 打卡\n", encoding="utf-8")
    (home.landing_for("punches") / "h.csv").write_text(
        f"機關代碼,員工編號,設備編號,辨識方式,備註{IN_HEADER}\n379000000A,0001,D1,指紋,x\n", encoding="utf-8")
    dev_h = ["設備編號", "機關代碼", "型號", "廠商", "廠牌", "廠牌國別", "原產地", "辨識方式", "內網", "連線方式", "通訊協定",
             "NCC審驗", "數位部通報", "委員會審查", "啟用日期", "紀錄容量", "儲存位置", "備註"]
    row = ["D1", "379000000A", "AR", "茂旭", "Soyal", "臺灣", "臺灣", "指紋", "是", "RJ-45", "TCP", "是", "否", "核准",
           "2021-03-01", 20000, "機房", f"管理人 {IN_XLSX}"]
    (home.landing_for("devices") / "inv.xlsx").write_bytes(_xlsx([dev_h, row]))
    (home.landing_for("devices") / "bad.xlsx").write_bytes(_xlsx([dev_h, [*row[:8], "也許", *row[9:]]]))


def _token(nid: str) -> str:
    from pdgov.config import hmac_key
    from pdgov.ingest.national_id import pseudonym

    canon = unicodedata.normalize("NFKC", nid).upper()
    return f"[ID {canon[:3]}****{canon[-3:]} #h{pseudonym(canon, hmac_key())[:12]}]"


def test_ids_in_free_text_are_pseudonymised_everywhere(pdgov_home):
    _land(pdgov_home)
    outcomes = {s: {o["file_name"]: o["status"] for o in ingest(s)["file_list"]}
                for s in ("webir", "incidents", "punches", "devices")}
    assert outcomes == {"webir": {"379000000A_bad.csv": "rejected", "379000000A_log.csv": "loaded"},
                        "incidents": {"inc.json": "loaded"},
                        "punches": {"h.csv": "rejected", "p.csv": "loaded"},
                        "devices": {"bad.xlsx": "rejected", "inv.xlsx": "loaded"}}
    assert query(pdgov_home, "SELECT case_no, reason, result FROM raw.webir_queries ORDER BY queried_at") == [
        ("A-1", f"查{_token(IN_REASON)}投保資料", "成功"),
        ("A-2", f"民眾{_token(LOWER)}申請", "成功"),
        ("A-3", f"同{_token(FULL)}、{_token(BAD_SUM)}", f"查無 {_token(FULL)}。"),
        # glued to letters or digits it is no ID shape: case numbers and serials survive
        ("ZA123456789", "案號ZA123456789 A1234567890", "成功")]
    assert query(pdgov_home, "SELECT description FROM raw.incidents") == [(f"誤寄含 {_token(IN_INCIDENT)} 之名冊",)]
    assert ids_in_files(pdgov_home.home, ALL) == []
    assert ids_in_tables(pdgov_home.warehouse, ALL) == []
    # The copies that had an ID are pseudonymised text; the rest are the delivered bytes.
    archive = pdgov_home.archive
    assert f"代 {_token(IN_DROPPED)} 打卡" in next(archive.joinpath("punches").glob("*__p.csv")).read_text("utf-8")
    assert _token(IN_INCIDENT) in next(archive.joinpath("incidents").glob("*__inc.json")).read_text("utf-8")
    inv, = archive.joinpath("devices").glob("*__inv.xlsx*")
    assert inv.name.endswith("__inv.xlsx.csv") and f"管理人 {_token(IN_XLSX)}" in inv.read_text("utf-8")
    quarantined = sorted(p.name.split("__", 1)[1] for p in pdgov_home.quarantine.rglob("*") if p.is_file())
    assert quarantined == ["379000000A_bad.csv", "379000000A_bad.csv.rejections.txt", "bad.xlsx.csv",
                           "bad.xlsx.rejections.txt", "h.csv", "h.csv.rejections.txt"]
    assert query(pdgov_home, "SELECT notes FROM main.ingest_files WHERE file_name = 'p.csv'") == [
        (f"columns dropped (not in the contract): 備註[ID {IN_LOADED_HEADER[:3]}****{IN_LOADED_HEADER[-3:]}]",)]
    (reason,), = query(pdgov_home, "SELECT reason FROM main.ingest_rejections WHERE file_name = 'h.csv'")
    assert reason.endswith(f"unknown headers in this file: column 5 (備註[ID {IN_HEADER[:3]}****{IN_HEADER[-3:]}])")


def test_file_without_ids_is_archived_as_delivered(pdgov_home):
    """Scanned (a column is dropped): the shapes near an ID are not IDs, so the bytes stay as sent."""
    data = ("機關代碼,員工編號,打卡時間,設備編號,辨識方式,備註\n"
            "379000000A,A123,2026-10-05 08:01:23,D123456789X,指紋,機號D123456789X 電話0212345678 第１次\n")
    (pdgov_home.landing_for("punches") / "p.csv").write_bytes(data.encode("cp950"))
    assert ingest("punches")["files"] == 1
    archived, = pdgov_home.archive.joinpath("punches").iterdir()
    assert archived.read_bytes() == data.encode("cp950")
