"""Deletion through real nights (``pdgov run``, Airflow's ``dags test``): proposed, approved, gone.

Night 1 proposes the batches past five years and deletes nothing (seed 002 §21: 簽奉核定 first).
``pdgov retention approve`` records the approval. Night 2 deletes before its models run, so every
table dbt builds (``int_register_punch_people`` keeps employee numbers without punch dates) is
rebuilt without the rows, and copies the warehouse into a fresh file. After night 2 and again after
night 3, no table holds a deleted value and no file under PDGOV_HOME holds its bytes (seed 002
§24; seed 004 §11(3)2: temporary, backup and derived files too).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import TEST_KEY, pdgov_cli
from openpyxl import load_workbook
from support.bytescan import query, scan_files, scan_tables

from pdgov.punch_months import PUNCHES_ALL as ALL
from pdgov.synth.catalog import DEVICE_HEADER, ROSTER_HEADER

NIGHT1 = date(2026, 11, 2)
AGENCIES = ("379000000A", "379130000C")
HEADER = "機關代碼,員工編號,打卡時間,設備編號,辨識方式\n"
# Employees and a device that exist only in punches of 2021: all of it is due on NIGHT1.
GONE = ["ZQXGONE01", "ZQXGONE02", "ZQXDEV9"]
KEPT = ["ZQXKEEP02"]
APPROVER, REF = "政風室 林專員", "北市政風字第1153000777號"
# a busy machine (2 cores shared) must not fail the night on parsing the DAG file
BUSY = {"AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "300"}


q = query


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    from pdgov.synth import generate

    home = tmp_path_factory.mktemp("nights") / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("PDGOV_HOME", str(home))
    mp.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    try:
        generate(home, "demo", 7, NIGHT1 - timedelta(days=1), history_years=5.3)
    finally:
        mp.undo()
    land = home / "landing" / "punches"
    for f in land.iterdir():  # two agencies' history keep the nights short
        if not f.name.startswith(AGENCIES):
            f.unlink()
    # written by hand, CRLF and a BOM, as a steward's spreadsheet saves them
    (land / "379000000A_差勤刷卡_補件舊.csv").write_bytes(("\ufeff" + HEADER + (
        "379000000A,ZQXGONE01,2021-06-15 08:01:00,ZQXDEV9,指紋\n"
        "379000000A,ZQXGONE01,2021-06-15 17:40:00,ZQXDEV9,指紋\n"
        "379000000A,ZQXGONE02,2021-07-01 08:00:00,,行動打卡\n"
        "379000000A,ZQXKEEP02,2024-03-01 08:00:00,,行動打卡\n")).replace("\n", "\r\n").encode("utf-8"))
    # Templates held on devices (the register's catalogue: 停用設備或離職時即刪除): a device the inventory
    # says was retired (報廢日期, an HR/asset export's spelling of 停用日期), and a person without a WebIR
    # account whose HR roster says 離職 (人員狀態, 離退日期), who also punched on a device still in use.
    (land / "379000000A_差勤刷卡_離職.csv").write_text(HEADER + (
        "379000000A,ZQXLEFT01,2026-10-01 08:01:00,ZQXRET1,指紋\n"
        "379000000A,ZQXLEFT01,2026-10-02 08:03:00,ZQXUSE2,臉部\n"), encoding="utf-8")
    (home / "landing" / "devices" / "379000000A_設備清冊_報廢.csv").write_text(
        ",".join([*DEVICE_HEADER, "報廢日期"]) + "\n"
        "ZQXRET1,379000000A,F1,代理商,Suprema,韓國,韓國,,,指紋,是,RJ-45,TCP/IP,是,否,核准,2019-01-01,20000,設備內,"
        "2026-10-20\n", encoding="utf-8")
    (home / "landing" / "roster" / "379000000A_員工名冊_人事異動.csv").write_text(
        ",".join([*ROSTER_HEADER, "人員狀態", "離退日期"]) + "\n"
        "379000000A,ZQXLEFT01,A123456789,離職者,,離職,2026-10-15\n", encoding="utf-8")
    return home


def test_proposed_night_approved_then_deleted_everywhere_and_stays_gone(home):
    # night 1: the due batches are proposed, nothing is deleted
    pdgov_cli(home, "run", "--date", NIGHT1.isoformat(), **BUSY)
    due_before = q(home, f"SELECT count(*) FROM {ALL} WHERE punched_at < DATE '2021-11-02'")[0][0]
    assert due_before > 0
    assert q(home, "SELECT count(*) FROM main.deletion_evidence WHERE period_start IS NOT NULL")[0][0] == 0
    assert set(scan_tables(home / "warehouse" / "pdgov.duckdb", GONE)) == set(GONE)
    assert "int_register_punch_people" in " ".join(scan_tables(home / "warehouse" / "pdgov.duckdb", ["ZQXGONE01"])
                                                    ["ZQXGONE01"])
    pending = json.loads(pdgov_cli(home, "retention", "pending", "--json").stdout)
    ids = {b["batch_id"]: b for b in pending}
    assert ids["PUNCH_5Y-202106"]["status"] == "overdue" and ids["PUNCH_5Y-202106"]["agencies"] == "379000000A"
    assert ids["PUNCH_5Y-202107"]["agencies"] == "379000000A;379130000C"  # §23: every agency whose data it is
    assert ids["PUNCH_5Y-202111"]["status"] == "pending"  # 2021-11-01 is due; delete_by 2026-12-01
    assert sum(b["rows_due"] for b in pending if b["rule_id"] == "PUNCH_5Y") == due_before
    # the overdue batches are red in the city workbook and mailed to the approver once
    ws = load_workbook(home / "exports" / NIGHT1.isoformat() / f"pdgov_全市_{NIGHT1}.xlsx")["刪除核定"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 11) for r in range(2, ws.max_row + 1)}
    assert rows["PUNCH_5Y-202106"].value == "逾期未核定" and rows["PUNCH_5Y-202111"].value == "待核定"
    assert rows["PUNCH_5Y-202106"].fill.fgColor.rgb != rows["PUNCH_5Y-202111"].fill.fgColor.rgb
    mails = q(home, "SELECT incident_id, count(*) FROM main.notification_outbox WHERE kind = 'deletion_overdue' "
                    "GROUP BY 1")
    assert dict(mails)["PUNCH_5Y-202106"] == 1 and "PUNCH_5Y-202111" not in dict(mails)

    out = pdgov_cli(home, "retention", "approve", "--all", "--by", APPROVER, "--ref", REF).stdout
    assert "PUNCH_5Y-202106 approved by" in out

    # the agency's own deletions: one month from the day the data says the obligation began
    tasks = {(r[0], r[1], r[2]): r[3:] for r in q(
        home, "SELECT task_kind, device_id, employee_no, task_id, obligation_start::VARCHAR, due_date::VARCHAR, "
              "status, items FROM main.agency_deletion_tasks WHERE agency_code = '379000000A' "
              "AND (device_id LIKE 'ZQX%' OR employee_no LIKE 'ZQX%')")}
    assert tasks == {
        ("device_templates", "ZQXRET1", None): (tasks[("device_templates", "ZQXRET1", None)][0],
                                                 "2026-10-20", "2026-11-20", "open", 1),
        # not on ZQXRET1: the device's own task deletes every template on it
        ("staff_templates", "ZQXUSE2", "ZQXLEFT01"): (tasks[("staff_templates", "ZQXUSE2", "ZQXLEFT01")][0],
                                                       "2026-10-15", "2026-11-15", "open", 1),
    }
    case = q(home, "SELECT case_no FROM main.int_webir_queries WHERE agency_code = '379000000A' "
                   "AND case_no IS NOT NULL ORDER BY 1 LIMIT 1")[0][0]
    pdgov_cli(home, "retention", "end-of-use", "--agency", "379000000A", "--case", case, "--date", "2026-10-01",
              "--by", "勞工科 張小姐")
    for task_id, *_ in tasks.values():
        pdgov_cli(home, "retention", "task-done", task_id, "--on", "2026-11-01", "--by", "人事室 陳先生",
                  "--ref", "廠商刪除證明115-07")

    # night 2 deletes what was approved, before the models
    night2 = NIGHT1 + timedelta(days=1)
    pdgov_cli(home, "run", "--date", night2.isoformat(), **BUSY)
    assert q(home, f"SELECT count(*) FROM {ALL} WHERE punched_at < DATE '2021-11-02'")[0][0] == 0
    ev = q(home, "SELECT sum(rows_deleted), min(approved_by), max(approved_by), min(approval_ref) "
                 "FROM main.deletion_evidence WHERE dataset = 'punches' AND period_start IS NOT NULL")[0]
    assert ev[0] >= due_before and ev[1:] == (APPROVER, APPROVER, REF)
    assert q(home, "SELECT status FROM main.deletion_deadlines WHERE dataset = 'punches' AND agency_code = "
                   "'379000000A' AND period_start = DATE '2021-06-01'") == [("deleted",)]
    assert not (home / "warehouse" / "retention_journal.json").exists()
    # the evidence returned is on the tasks; the WebIR results are due one month after their use ended
    # (seed 004 §11(2)2) and were not deleted by then
    assert q(home, "SELECT task_kind, status, evidence_ref, due_date::VARCHAR FROM main.agency_deletion_tasks "
                   "WHERE agency_code = '379000000A' AND (status = 'done' OR task_kind = 'webir_results') "
                   "ORDER BY 1") == [
        ("device_templates", "done", "廠商刪除證明115-07", "2026-11-20"),
        ("staff_templates", "done", "廠商刪除證明115-07", "2026-11-15"),
        ("webir_results", "overdue", None, "2026-11-01")]
    ws = load_workbook(home / "exports" / night2.isoformat() / "agency" / f"pdgov_379000000A_{night2}.xlsx")["刪除作業"]
    shown = {tuple(c.value for c in row[2:5]): row[12].value for row in ws.iter_rows(min_row=2)}
    assert shown[(tasks[("device_templates", "ZQXRET1", None)][0], "設備全部特徵值", "ZQXRET1")] == "已回報完成"
    for night in (night2, night2 + timedelta(days=1)):
        if night != night2:
            pdgov_cli(home, "run", "--date", night.isoformat(), **BUSY)
        assert scan_tables(home / "warehouse" / "pdgov.duckdb", GONE) == {}, night
        assert scan_files(home, [g.encode() for g in GONE]) == {}, night
        assert set(scan_files(home, [k.encode() for k in KEPT])) == {b"ZQXKEEP02"}
    # the nights that deleted kept the first night's workbooks (records, issue 22), without the deleted values
    first = sorted((home / "exports" / NIGHT1.isoformat()).rglob("*.xlsx"))
    assert {p.name for p in first} >= {f"pdgov_全市_{NIGHT1}.xlsx", *(f"pdgov_{a}_{NIGHT1}.xlsx" for a in AGENCIES)}
    assert "刪除核定" in load_workbook(home / "exports" / NIGHT1.isoformat() / f"pdgov_全市_{NIGHT1}.xlsx",
                                   read_only=True).sheetnames


def test_cli_pending_and_approve_refuse_what_they_cannot_record(tmp_path):
    from conftest import pdgov_env

    home = tmp_path / "home"
    env = pdgov_env(home)
    pdgov = str(Path(sys.executable).parent / "pdgov")
    none = subprocess.run([pdgov, "retention", "pending"], env=env, capture_output=True, text=True, timeout=120)
    assert none.returncode == 0 and "no deletion batch awaits approval" in none.stdout
    bad = subprocess.run([pdgov, "retention", "approve", "PUNCH_5Y-209901", "--by", "x", "--ref", "y"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no proposed batch PUNCH_5Y-209901" in bad.stderr
    both = subprocess.run([pdgov, "retention", "approve", "PUNCH_5Y-209901", "--all", "--by", "x", "--ref", "y"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    noref = subprocess.run([pdgov, "retention", "approve", "--all", "--by", "x"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert noref.returncode == 2 and "--ref" in noref.stderr
