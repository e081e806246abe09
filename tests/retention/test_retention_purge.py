"""Retention on a real warehouse: 5.5 years of synthetic punches, real ingest, real dbt, real files.

One base home is built per module (synth → ingest → dbt) and copied for each test, so every
test purges its own warehouse. Distinctive values are planted in landing files before ingest;
after the purge every byte of every file under PDGOV_HOME (xlsx members unzipped) is scanned.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_KEY, pdgov_env
from support.bytescan import query, scan_files

from pdgov.punch_months import PUNCHES_ALL as ALL

AS_OF = date(2026, 11, 2)
CUTOFF = date(2021, 11, 2)  # five years before AS_OF: anchor dates before it are due
HEADER = "機關代碼,員工編號,打卡時間,設備編號,辨識方式\n"
GONE = [b"ZQXGONE01", b"ZQXGONE02", b"ZQXQGONE03", b"ZQXDEV9"]
LOADED_GONE = [b"ZQXGONE01", b"ZQXGONE02", b"ZQXDEV9"]  # ZQXQGONE03's file is refused: never in the warehouse
KEPT = [b"ZQXKEEP02", b"ZQXQKEEP03"]
AGENCIES = ("379000000A", "379130000C")


def _plant(home: Path) -> None:
    land = home / "landing" / "punches"
    (land / "379000000A_差勤刷卡_補件A.csv").write_text(
        HEADER + "379000000A,ZQXGONE01,2021-06-15 08:01:00,ZQXDEV9,指紋\n"
                 "379000000A,ZQXGONE01,2021-06-15 17:40:00,ZQXDEV9,指紋\n", encoding="utf-8")
    (land / "379000000A_差勤刷卡_補件B.csv").write_text(
        HEADER + "379000000A,ZQXGONE02,2021-07-01 08:00:00,,行動打卡\n"
                 "379000000A,ZQXKEEP02,2024-03-01 08:00:00,,行動打卡\n", encoding="utf-8")
    # refused whole (unknown method on line 4): stays in quarantine, and its old line must go
    (land / "379000000A_差勤刷卡_補件Q.csv").write_text(
        HEADER + "379000000A,ZQXQGONE03,2021-06-20 08:00:00,,行動打卡\n"
                 "379000000A,ZQXQKEEP03,2025-01-02 08:00:00,,行動打卡\n"
                 "379000000A,ZQXQKEEP03,2025-01-02 17:00:00,,飛鴿傳書\n", encoding="utf-8")


def _build_models(as_of: date = AS_OF) -> None:
    from pdgov.transform import dbt
    from pdgov.warehouse import release_inprocess_dbt

    # cautious: only the tests of what is selected (device_record_capacity reads stg_devices, whose other
    # readers' tests — the incidents' — would otherwise run against models this build does not make)
    dbt.run(["build", "--vars", dbt.dbt_vars(as_of, "test"), "--indirect-selection", "cautious", "--select",
             "+deletion_deadlines", "+device_record_capacity"])
    release_inprocess_dbt()  # dbt-duckdb caches its handle; the tests open the file themselves


@pytest.fixture(scope="module")
def base_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("retention") / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("PDGOV_HOME", str(home))
    mp.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    try:
        from pdgov.config import SOURCES, paths
        from pdgov.ingest.run import ingest_source
        from pdgov.synth import generate

        paths().ensure()
        generate(home, "demo", 7, date(2026, 11, 1), history_years=5.5)
        # two agencies' punch history are enough and keep the ingest short (one file per month)
        for f in (home / "landing" / "punches").iterdir():
            if not f.name.startswith(AGENCIES):
                f.unlink()
        _plant(home)
        for s in SOURCES:
            ingest_source(s, "ingest_test", AS_OF)
        from pdgov import punch_months
        from pdgov.warehouse import connect

        with connect() as con:  # as a night does: closed months in their files, so the purge rewrites them
            assert punch_months.close_months(con, AS_OF)["months"] > 60
        _build_models()
    finally:
        mp.undo()
    return home


@pytest.fixture
def home(base_home, tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    shutil.copytree(base_home, h)
    monkeypatch.setenv("PDGOV_HOME", str(h))
    monkeypatch.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    from pdgov.warehouse import connect

    with connect():  # a write connection points raw.punches_closed at this copy's month files
        pass
    return h


q = query
scan = scan_files


def tree_digest(home: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(home.rglob("*")):
        if f.is_file():
            h.update(str(f.relative_to(home)).encode() + f.read_bytes())
    return h.hexdigest()


def due_rows(home: Path) -> int:
    return q(home, f"SELECT count(*) FROM {ALL} WHERE CAST(punched_at AS DATE) < ?", [CUTOFF])[0][0]


APPROVER, REF = "政風室 王科長", "北市政字第1153000001號"


def propose_and_approve(as_of: date = AS_OF, batches: list[str] | None = None) -> list:
    """A night's proposal (``finish`` after the models), then the steward's signed approval."""
    from pdgov.retention import approvals
    from pdgov.retention.purge import finish
    from pdgov.warehouse import connect

    finish("run_propose", as_of)
    with connect() as con:
        return approvals.approve(con, batches, APPROVER, REF)


def test_purge_deletes_exactly_the_rows_past_five_years_everywhere(home):
    from pdgov.retention.purge import enforce

    before_total = q(home, f"SELECT count(*) FROM {ALL}")[0][0]
    before_due = due_rows(home)
    assert before_due > 2000
    assert scan(home, KEPT), "the planted values must be findable before the purge"
    assert set(scan(home, GONE)) == set(GONE), "the scan must see the planted values before the purge"
    # ... in the warehouse file itself: found only in the archived CSVs, the scan after the purge
    # would prove nothing about the bytes DuckDB keeps.
    assert set(scan(home / "warehouse", LOADED_GONE)) == set(LOADED_GONE), "the warehouse held them before"
    # a copy outside raw (as a dbt snapshot would keep) must lose the rows too
    con = duckdb.connect(str(home / "warehouse" / "pdgov.duckdb"))
    con.execute(f"CREATE TABLE main.punches_snapshot AS SELECT * FROM {ALL}")
    con.close()

    # seed 002 §21: the first night only proposes; nothing is deleted before a signed approval
    first = enforce("run_first", AS_OF)
    assert first["rows_to_delete"] == 0 and not first["rebuilt"]
    assert first["proposals"]["proposed"] > 0
    assert due_rows(home) == before_due
    assert set(scan(home, GONE)) == set(GONE)
    approved = propose_and_approve()
    assert "PUNCH_5Y-202106" in {a.batch_id for a in approved}

    summary = enforce("run_purge", AS_OF)

    assert summary["rows_to_delete"] == before_due
    assert due_rows(home) == 0
    assert q(home, f"SELECT count(*) FROM {ALL}")[0][0] == before_total - before_due
    assert q(home, "SELECT count(*) FROM main.punches_snapshot WHERE CAST(punched_at AS DATE) < ?", [CUTOFF])[0][0] == 0
    assert q(home, f"SELECT count(*) FROM {ALL} WHERE CAST(punched_at AS DATE) = ?", [CUTOFF])[0][0] > 0
    # evidence matches, per period, and never carries the data
    ev = q(home, "SELECT sum(rows_deleted), count(*) FROM main.deletion_evidence WHERE dataset = 'punches' "
                 "AND period_start IS NOT NULL")[0]
    assert ev[0] == before_due
    # the approver, the time and the signed document's number are in the evidence of every period
    assert q(home, "SELECT DISTINCT approved_by, approval_ref FROM main.deletion_evidence "
                   "WHERE dataset = 'punches' AND period_start IS NOT NULL") == [(APPROVER, REF)]
    assert q(home, "SELECT count(*) FROM main.deletion_evidence WHERE dataset = 'punches' AND "
                   "(approved_at IS NULL OR batch_id IS NULL OR approved_at > deleted_at)")[0][0] == 0
    assert q(home, "SELECT status, rows_deleted FROM main.deletion_proposals WHERE batch_id = 'PUNCH_5Y-202106'"
             )[0][0] == "deleted"
    assert not scan(home / "warehouse", [b"ZQXGONE"])
    statuses = dict(q(home, "SELECT status, count(*) FROM main.deletion_deadlines WHERE dataset = 'punches' "
                            "AND period_start < DATE '2021-11-01' GROUP BY 1"))
    assert set(statuses) == {"deleted"}
    # files: the all-due delivery deleted, the mixed one rewritten, the quarantine copy rewritten
    assert not list((home / "archive" / "punches").glob("*補件A.csv"))
    mixed = next((home / "archive" / "punches").glob("*補件B.csv")).read_bytes()
    assert b"ZQXKEEP02" in mixed and b"ZQXGONE02" not in mixed
    quarantined = next((home / "quarantine" / "punches").glob("*補件Q.csv")).read_bytes()
    assert b"ZQXQKEEP03" in quarantined and b"ZQXQGONE03" not in quarantined
    # the byte scan: nothing deleted is readable anywhere under PDGOV_HOME
    assert scan(home, GONE) == {}
    assert set(scan(home, KEPT)) == set(KEPT)
    assert not (home / "warehouse" / "pdgov.duckdb.wal").exists()
    assert not (home / "warehouse" / "retention_journal.json").exists()

    # a second run deletes nothing more and leaves no new evidence
    n_evidence = q(home, "SELECT count(*) FROM main.deletion_evidence")[0][0]
    again = enforce("run_again", AS_OF)
    assert again["rows_to_delete"] == 0 and not again["rebuilt"]
    assert q(home, "SELECT count(*) FROM main.deletion_evidence")[0][0] == n_evidence


def test_hold_keeps_its_rows_and_release_makes_them_due(home):
    from pdgov.retention import approvals, holds
    from pdgov.retention.purge import enforce
    from pdgov.warehouse import connect

    with connect() as con:
        h = holds.add(con, "379130000C", "punches", date(2021, 6, 1), date(2021, 6, 30), "北院 115 年度訴字第 1 號",
                      "steward.test")
    _build_models()
    held = q(home, "SELECT status, hold_ids FROM main.deletion_deadlines WHERE dataset = 'punches' "
                   "AND agency_code = '379130000C' AND period_start = DATE '2021-06-01'")
    assert held == [("held", h.hold_id)]
    in_hold = "agency_code = '379130000C' AND punched_at >= DATE '2021-06-01' AND punched_at < DATE '2021-07-01'"
    n_held = q(home, f"SELECT count(*) FROM {ALL} WHERE {in_hold}")[0][0]
    assert n_held > 0

    propose_and_approve()
    assert q(home, "SELECT count(*) FROM main.deletion_proposals WHERE batch_id = 'PUNCH_5Y-202106' "
                   "AND agencies LIKE '%379130000C%'")[0][0] == 0, "a held period is not proposed for that agency"
    summary = enforce("run_hold", AS_OF)
    assert summary["rows_held"] == n_held
    assert q(home, f"SELECT count(*) FROM {ALL} WHERE {in_hold}")[0][0] == n_held
    assert due_rows(home) == n_held  # everything else that was due is gone
    assert list((home / "archive" / "punches").glob("*379130000C_差勤刷卡_202106.csv"))

    with connect() as con:
        holds.release(con, h.hold_id, "判決確定", "steward.test")
        assert holds.active_holds(con) == []
    _build_models()
    assert q(home, "SELECT status FROM main.deletion_deadlines WHERE dataset = 'punches' "
                   "AND agency_code = '379130000C' AND period_start = DATE '2021-06-01'") == [("overdue",)]
    # PUNCH_5Y-202106 was approved for the other agency only: the released rows wait for their own
    # approval (the batch is proposed again with the agency added)
    assert enforce("run_release", AS_OF)["rows_to_delete"] == 0
    assert q(home, "SELECT status, agencies, approved_agencies FROM main.deletion_proposals "
                   "WHERE batch_id = 'PUNCH_5Y-202106'") == [("overdue", "379000000A;379130000C", "379000000A")]
    assert due_rows(home) == n_held
    with connect() as con:
        approvals.approve(con, ["PUNCH_5Y-202106"], APPROVER, "北市政字第1153000002號")
    enforce("run_release_approved", AS_OF)
    assert due_rows(home) == 0
    assert not list((home / "archive" / "punches").glob("*379130000C_差勤刷卡_202106.csv"))


def test_dry_run_changes_nothing_and_prints_per_rule_and_agency(home):
    propose_and_approve()
    env = pdgov_env(home)
    before = tree_digest(home)
    proc = subprocess.run([str(Path(sys.executable).parent / "pdgov"), "retention", "--date", AS_OF.isoformat(),
                           "--dry-run"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert tree_digest(home) == before
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("PUNCH_5Y")]
    assert {ln.split()[2] for ln in lines} == set(AGENCIES)
    assert sum(int(ln.split()[4]) for ln in lines) == due_rows(home)
    assert "dry run" in proc.stdout


@pytest.mark.parametrize("crash_at", ["before_commit", "after_commit", "mid_files", "mid_swap"])
def test_crash_mid_purge_is_finished_by_the_next_run(home, crash_at):
    from pdgov.retention.purge import enforce

    propose_and_approve()
    before_due = due_rows(home)
    env = pdgov_env(home, PDGOV_RETENTION_CRASH_AT=crash_at)
    proc = subprocess.run([sys.executable, "-c", "from datetime import date; from pdgov.retention.purge import enforce; "
                           f"enforce('run_crash', date.fromisoformat('{AS_OF}'))"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 97, proc.stderr[-2000:]
    # the warehouse is before or after, never between
    left = due_rows(home)
    evidence = q(home, "SELECT coalesce(sum(rows_deleted), 0) FROM main.deletion_evidence WHERE dataset = 'punches'")[0][0]
    assert (left, evidence) in {(before_due, 0), (0, before_due)}
    assert (home / "warehouse" / "retention_journal.json").exists()

    summary = enforce("run_next", AS_OF)
    assert summary["recovered"] is not None
    assert due_rows(home) == 0
    assert q(home, "SELECT sum(rows_deleted) FROM main.deletion_evidence WHERE dataset = 'punches' "
                   "AND period_start IS NOT NULL")[0][0] == before_due
    assert scan(home, GONE) == {}
    assert not (home / "warehouse" / "retention_journal.json").exists()
    assert not (home / "warehouse" / "pdgov.duckdb.new").exists()


def test_guards_refuse_a_wrong_date_or_a_failed_night(home, monkeypatch):
    from pdgov.retention.purge import RetentionRefused, enforce

    before = tree_digest(home)
    # deadlines built for another day: tonight's models did not run
    with pytest.raises(RetentionRefused, match="models"):
        enforce("run_x", date(2026, 11, 3))
    # a far-future clock: the models say everything is due, the guard says no
    _build_models(date(2099, 1, 1))
    with pytest.raises(RetentionRefused, match="future"):
        enforce("run_future", date(2099, 1, 1))
    _build_models()
    propose_and_approve()
    monkeypatch.setenv("PDGOV_RETENTION_MAX_SHARE", "0.01")
    with pytest.raises(RetentionRefused, match="more than 1%"):
        enforce("run_share", AS_OF)
    assert due_rows(home) > 0
    with duckdb.connect(str(home / "warehouse" / "pdgov.duckdb")) as con:
        con.execute("INSERT INTO main.run_ledger (run_id, status) VALUES ('run_failed', 'failed')")
    with pytest.raises(RetentionRefused, match="failed"):
        enforce("run_failed", AS_OF, override=True)
    summary = enforce("run_override", AS_OF, override=True)
    assert summary["rows_to_delete"] > 0 and due_rows(home) == 0
    assert tree_digest(home) != before


def test_device_capacity_is_reported(home):
    """Seed 000 資料管理計畫書: 差勤機內保存最新的20000筆刷卡記錄 — a rolling buffer. A device is reported when
    its declared buffer is missing or above 20,000 (or no storage place is declared); how many punches the
    warehouse holds for it does not matter (the device overwrites its oldest punch)."""
    manifest = json.loads((home / "synth_manifest.json").read_text(encoding="utf-8"))
    overfilled = sorted(manifest["planted"]["over_capacity_devices"])
    assert overfilled, "the generator fills some device past its declared buffer"
    _build_models()
    assert q(home, "SELECT count(*) FROM main.device_record_capacity WHERE needs_report") == [(0,)]
    assert {r[0] for r in q(home, "SELECT buffer_status FROM main.device_record_capacity WHERE device_id IN "
                                  f"(SELECT unnest({overfilled!r}))")} == {"within_policy"}
    with duckdb.connect(str(home / "warehouse" / "pdgov.duckdb")) as con:
        devs = [r[0] for r in con.execute("SELECT DISTINCT device_id FROM raw.devices ORDER BY 1 LIMIT 4").fetchall()]
        for dev, capacity, storage in zip(devs, (None, 20001, 20000, 300), (
                "機關人事室主機", "差勤機內", "差勤機內及機關人事室主機內", "  "), strict=True):
            con.execute("UPDATE raw.devices SET record_capacity = ?, storage_location = ? WHERE device_id = ?",
                        [capacity, storage, dev])
    _build_models()
    found = q(home, "SELECT device_id, record_capacity, buffer_status, storage_missing, needs_report "
                    "FROM main.device_record_capacity WHERE device_id IN (SELECT unnest(?)) ORDER BY 1", [devs])
    assert found == [(devs[0], None, "missing", False, True), (devs[1], 20001, "above_policy", False, True),
                     (devs[2], 20000, "within_policy", False, False), (devs[3], 300, "within_policy", True, True)]
    assert q(home, "SELECT findings FROM main.device_record_capacity WHERE device_id = ?", [devs[1]]) == [
        ("設備保存筆數 20001 筆，超過原則 20000 筆 (buffer above policy)",)]


def test_pending_approve_cli_and_overdue_mail_once(home):
    """seed 002 §21: proposals listed, approved by name and 簽文號; overdue ones mailed exactly once."""
    from pdgov.retention.purge import finish

    finish("run_n1", AS_OF)
    months = {r[0] for r in q(home, f"SELECT DISTINCT strftime(punched_at, '%Y%m') FROM {ALL} "
                                    "WHERE punched_at < DATE '2021-11-02'")}
    assert {"202110", "202111"} <= months
    pdgov = [str(Path(sys.executable).parent / "pdgov"), "retention"]
    env = pdgov_env(home)
    listed = json.loads(subprocess.run([*pdgov, "pending", "--json"], env=env, capture_output=True, text=True,
                                       timeout=300, check=True).stdout)
    status = {b["batch_id"]: b["status"] for b in listed if b["rule_id"] == "PUNCH_5Y"}
    assert set(status) == {f"PUNCH_5Y-{m}" for m in months}
    # delete_by of 2021-10 is 2026-11-01 (the day before AS_OF): overdue; 2021-11's is 2026-12-01: pending
    assert status["PUNCH_5Y-202110"] == "overdue" and status["PUNCH_5Y-202111"] == "pending"
    mails = q(home, "SELECT incident_id, recipient, status FROM main.notification_outbox "
                    "WHERE kind = 'deletion_overdue' ORDER BY 1")
    assert [m[0] for m in mails] == sorted(b for b, s in status.items() if s == "overdue")
    finish("run_n2", AS_OF)  # a second night: no second mail
    assert q(home, "SELECT count(*) FROM main.notification_outbox WHERE kind = 'deletion_overdue'")[0][0] == len(mails)

    ok = subprocess.run([*pdgov, "approve", "PUNCH_5Y-202110", "--by", APPROVER, "--ref", REF], env=env,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and "PUNCH_5Y-202110 approved by 政風室 王科長" in ok.stdout, ok.stderr
    again = subprocess.run([*pdgov, "approve", "PUNCH_5Y-202110", "--by", APPROVER, "--ref", REF], env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and "already approved or deleted: PUNCH_5Y-202110 (approved)" in again.stderr
    typo = subprocess.run([*pdgov, "approve", "PUNCH_5Y-202111", "PUNCH_5Y-20211", "--by", APPROVER, "--ref", REF],
                          env=env, capture_output=True, text=True, timeout=300)
    assert typo.returncode == 2 and "no proposed batch PUNCH_5Y-20211;" in typo.stderr
    assert q(home, "SELECT status FROM main.deletion_proposals WHERE batch_id = 'PUNCH_5Y-202111'") == [("pending",)]
    text = subprocess.run([*pdgov, "pending"], env=env, capture_output=True, text=True, timeout=300).stdout
    assert "PUNCH_5Y-202111" in text and "PUNCH_5Y-202110" not in text

    # only the approved month goes on the next night; its neighbours stay
    from pdgov.retention.purge import enforce

    summary = enforce("run_n3", AS_OF)
    assert summary["rows_by_dataset"] == {"punches": q(home, "SELECT sum(rows_deleted) FROM main.deletion_evidence")[0][0]}
    assert q(home, f"SELECT count(*) FROM {ALL} WHERE strftime(punched_at, '%Y%m') = '202110'")[0][0] == 0
    assert q(home, f"SELECT count(*) FROM {ALL} WHERE strftime(punched_at, '%Y%m') = '202109'")[0][0] > 0


def test_webir_log_without_agency_and_audit_findings_expire_with_their_files(home):
    """A WebIR log may name no agency (SPEC §2): its rows count under the city's code in the proposal,
    the approval window and the deletion alike (they used to be proposed under no agency at all). The
    auditor's findings are audit records kept five years from their receipt (seed 004 §12(11)); their
    returned file leaves the archive with them."""
    from pdgov.ingest.run import ingest_source
    from pdgov.retention import approvals
    from pdgov.retention.purge import enforce
    from pdgov.transform import dbt
    from pdgov.warehouse import connect, release_inprocess_dbt

    webir_header = "查詢者帳號,查詢日期,查詢時間,作業代號,被查詢者查詢條件,案號,事由,結果\n"
    (home / "landing" / "webir" / "WebIR查詢日誌_補件.csv").write_text(
        webir_header + "zqxacct,2021-06-15,09:10:00,Q01,A123456789,ZQXWEBGONE1,補件查詢,成功\n"
                       "zqxacct,2024-03-04,09:10:00,Q01,A123456789,ZQXWEBKEEP1,補件查詢,成功\n", encoding="utf-8")
    assert ingest_source("webir", "ingest_late", AS_OF)["files"] == 1
    assert q(home, "SELECT count(*) FROM raw.webir_queries WHERE account = 'zqxacct' AND agency_code IS NULL") == [(2,)]

    dbt.run(["run", "--vars", dbt.dbt_vars(AS_OF, "test"), "--select", "+webir_audit_samples"])
    release_inprocess_dbt()
    key, agency = q(home, "SELECT query_key, agency_code FROM main.webir_audit_samples ORDER BY 1 LIMIT 1")[0]
    (home / "landing" / "webir_audit_results" / f"{agency}_查核結果.csv").write_text(
        "查詢紀錄鍵,查核結果,查核說明,查核人,查核日期\n"
        f"{key},異常,ZQXAUDGONE1 案卷缺漏,ZQXAUDITOR,2026-11-20\n", encoding="utf-8")
    assert ingest_source("webir_audit_results", "ingest_audit", AS_OF)["files"] == 1
    archived = list((home / "archive" / "webir_audit_results").glob("*_查核結果.csv"))
    assert len(archived) == 1
    # received five and a half years ago: the record's own clock starts at its receipt
    from pdgov.retention import tasks

    with connect() as con:
        con.execute("UPDATE raw.webir_audit_findings SET _loaded_at = TIMESTAMP '2021-05-20 10:00:00'")
        # a steward's end-of-use record (seed 004 §11(2)2) of five and a half years ago: kept five
        # years from its recording like the evidence it leads to, then proposed and deleted
        case_agency, case_no = con.execute(
            "SELECT agency_code, case_no FROM main.int_webir_queries WHERE agency_code IS NOT NULL "
            "AND case_no IS NOT NULL ORDER BY 1, 2 LIMIT 1").fetchone()
        tasks.record_use_end(con, case_agency, case_no, date(2021, 5, 1), "ZQXUSEEND1 結案", "ZQXSTEWARD")
        con.execute("UPDATE main.webir_result_use_ends SET recorded_at = TIMESTAMP '2021-05-03 09:00:00'")
    gone = [b"ZQXWEBGONE1", b"ZQXAUDGONE1", b"ZQXAUDITOR", b"ZQXUSEEND1", b"ZQXSTEWARD"]
    assert set(scan(home / "warehouse", gone)) == set(gone), "the warehouse held them before"

    first = enforce("run_first", AS_OF)
    assert first["rows_to_delete"] == 0
    proposed = {r[0]: r[1] for r in q(home, "SELECT batch_id, agencies FROM main.deletion_proposals "
                                            "WHERE batch_id IN ('WEBIR_LOG_5Y-202106', 'WEBIR_AUDIT_5Y-202105', "
                                            "'WEBIR_USE_END_5Y-202105')")}
    assert set(proposed) == {"WEBIR_LOG_5Y-202106", "WEBIR_AUDIT_5Y-202105", "WEBIR_USE_END_5Y-202105"}
    assert "379000000A" in proposed["WEBIR_LOG_5Y-202106"].split(";")
    with connect() as con:
        approvals.approve(con, sorted(proposed), APPROVER, REF)

    summary = enforce("run_purge", AS_OF)

    assert summary["rows_by_dataset"].get("webir_audit_findings") == 1
    assert q(home, "SELECT case_no FROM raw.webir_queries WHERE account = 'zqxacct'") == [("ZQXWEBKEEP1",)]
    assert q(home, "SELECT count(*) FROM raw.webir_audit_findings") == [(0,)]
    assert q(home, "SELECT dataset, approved_by FROM main.deletion_evidence WHERE rule_id = 'WEBIR_LOG_5Y' "
                   "AND period_start = DATE '2021-06-01' AND agency_code = '379000000A'") == [
        ("webir_queries", APPROVER)]
    assert q(home, "SELECT count(*) FROM main.deletion_evidence WHERE rule_id = 'WEBIR_AUDIT_5Y' "
                   "AND rows_deleted = 1 AND files_deleted = 1 AND approved_by = ?", [APPROVER]) == [(1,)]
    assert not archived[0].exists(), "the returned file goes with its rows"
    assert q(home, "SELECT count(*) FROM main.webir_result_use_ends") == [(0,)]
    assert q(home, "SELECT rows_deleted, approved_by FROM main.deletion_evidence "
                   "WHERE rule_id = 'WEBIR_USE_END_5Y'") == [(1, APPROVER)]
    assert scan(home, gone) == {}
    assert scan(home, [b"ZQXWEBKEEP1"])
