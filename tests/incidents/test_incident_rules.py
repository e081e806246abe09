"""The incident rules of seeds 002 §43-45 and 004 §12(10), each test naming the point it enforces.

Incidents go in two steps: the §45 report (and, for WebIR, 勞保局's) goes at once; the §44 notices
only after a person confirms the scope. Real ingest, real dbt (``incident_support``), real SMTP on
loopback.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

# ruff: noqa: F811 - fixtures imported from the support module, injected by name
from incident_support import (  # noqa: F401
    BLI_CONTACT,
    CONTACT_WINDOW,
    ESCALATION_TO,
    RUN_DATE,
    confirm,
    incident_base,
    incident_home,
    query,
    smtp,
)

REPO = Path(__file__).resolve().parents[2]
CLOCK_COLUMNS = ("report_sent_at", "clock_status", "escalated_at", "bli_report_sent_at", "scope_confirmed_by",
                 "scope_confirmed_at", "scope_confirmed_via", "notices_sent", "notices_queued")


def _process(run_id: str = "t1") -> dict:
    from pdgov.notifications.outbox import process

    return process(run_id, RUN_DATE)


def _kinds(home: Path, incident_id: str) -> dict[str, int]:
    return dict(query(home, "SELECT kind, count(*) FROM notification_outbox WHERE incident_id = ? GROUP BY ALL",
                      [incident_id]))


def _clock_agrees_with_log(home: Path) -> None:
    cols = ", ".join(CLOCK_COLUMNS)
    log = {r[0]: r[1:] for r in query(home, f"SELECT incident_id, {cols} FROM incidents_log")}
    clock = {r[0]: r[1:] for r in query(home, f"SELECT incident_id, {cols} FROM incident_clock")}
    assert clock == log and set(log) == {"INC-NOW", "INC-LATE", "INC-WEBIR"}


def test_seed002_s45_report_goes_at_once_and_s44_notices_wait_for_a_confirmed_scope(incident_home, smtp):
    first = _process()
    assert first["queued"]["subject_notice"] == 0 and first["queued"]["report"] == 3
    assert first["awaiting_confirmation"] == ["INC-LATE", "INC-NOW"]  # by known_at; INC-WEBIR has nobody
    assert not [r for r in smtp.received if "個資事件通知" in r.subject]
    reports = [r for r in smtp.received if r.subject.startswith("【個資事件通報】")]
    assert sorted(r.to[0] for r in reports) == [CONTACT_WINDOW] * 3
    # the clock and the log agree in the same run (issue 19), before and after a confirmation
    _clock_agrees_with_log(incident_home)
    assert query(incident_home, "SELECT clock_status, scope_confirmed_by FROM incident_clock "
                                "WHERE incident_id = 'INC-NOW'") == [("on_time", None)]

    confirm(incident_home, "INC-NOW", by="政風室 陳主任")
    second = _process("t2")
    people = query(incident_home, "SELECT count(*), count(email) FROM incident_scope WHERE incident_id = 'INC-NOW'")[0]
    assert second["queued"]["subject_notice"] == people[0] and second["awaiting_confirmation"] == ["INC-LATE"]
    assert _kinds(incident_home, "INC-NOW") == {"report": 1, "subject_notice": people[0]}
    assert "subject_notice" not in _kinds(incident_home, "INC-LATE")
    notices = [r for r in smtp.received if "個資事件通知" in r.subject]
    assert len(notices) == people[1] == people[0] - 1  # the card-only person has no address: undeliverable
    (rec,) = query(incident_home, "SELECT confirmed_by, via, confirmed_at, people_at_confirmation "
                                  "FROM incident_confirmations")
    assert rec[:2] == ("政風室 陳主任", "cli") and rec[3] == people[0]
    assert query(incident_home, "SELECT scope_confirmed_by, scope_confirmed_via, scope_confirmed_at FROM incidents_log "
                                "WHERE incident_id = 'INC-NOW'") == [("政風室 陳主任", "cli", rec[2])]
    _clock_agrees_with_log(incident_home)


def test_seed002_s45_no_contact_window_fails_the_run_loudly(incident_home, smtp, monkeypatch):
    from pdgov.notifications.outbox import RecipientsMissing

    monkeypatch.delenv("AIRFLOW_VAR_PDGOV_CONTACT_WINDOW")
    with pytest.raises(RecipientsMissing) as exc:
        _process()
    text = str(exc.value)
    assert text.count("no contact window") == 3 and "AIRFLOW_VAR_PDGOV_CONTACT_WINDOW" in text
    # what could go went (勞保局's report, the escalation up), and the clock says the report is not sent
    assert dict(query(incident_home, "SELECT kind, count(*) FROM notification_outbox GROUP BY ALL")) == {
        "bli_report": 1, "escalation": 1}
    assert dict(query(incident_home, "SELECT incident_id, clock_status FROM incidents_log")) == {
        "INC-NOW": "pending", "INC-LATE": "overdue", "INC-WEBIR": "pending"}
    _clock_agrees_with_log(incident_home)


def test_seed002_s45_escalation_without_a_unit_head_address_fails_loudly(incident_home, smtp, monkeypatch):
    from pdgov.notifications.outbox import RecipientsMissing

    monkeypatch.delenv("AIRFLOW_VAR_PDGOV_ESCALATION_TO")
    with pytest.raises(RecipientsMissing, match="INC-LATE.*pdgov_escalation_to"):
        _process()
    assert "escalation" not in _kinds(incident_home, "INC-LATE")
    assert query(incident_home, "SELECT count(*) FROM notification_outbox WHERE recipient = ? AND kind = 'escalation'",
                 [CONTACT_WINDOW]) == [(0,)]


def test_seed004_s12_10_a_webir_incident_is_reported_to_the_bureau_of_labor_insurance_at_once(
        incident_home, smtp, monkeypatch):
    result = _process()
    assert result["queued"]["bli_report"] == 1
    bli = [r for r in smtp.received if r.to == [BLI_CONTACT]]
    assert len(bli) == 1 and bli[0].subject.startswith("【勞保局資料安全事故通報】INC-WEBIR")
    for words in ("第12點第10款", "通報人", "知悉時間", "已採取之緊急應變措施", "停用該機關WebIR帳號"):
        assert words in bli[0].text
    # only the WebIR incident goes to 勞保局
    assert query(incident_home, "SELECT incident_id FROM notification_outbox WHERE kind = 'bli_report'") == [
        ("INC-WEBIR",)]
    assert query(incident_home, "SELECT incident_id, bli_report_required, bli_report_sent_at IS NOT NULL "
                                "FROM incident_clock ORDER BY 1") == [
        ("INC-LATE", False, False), ("INC-NOW", False, False), ("INC-WEBIR", True, True)]

    monkeypatch.delenv("AIRFLOW_VAR_PDGOV_BLI_CONTACT")
    home2 = incident_home  # the report is queued already; a fresh declaration would need it again
    from pdgov.warehouse import connect

    with connect() as con:
        con.execute("DELETE FROM main.notification_outbox WHERE kind = 'bli_report'")
    from pdgov.notifications.outbox import RecipientsMissing

    with pytest.raises(RecipientsMissing, match="INC-WEBIR.*勞保局.*pdgov_bli_contact"):
        _process("t2")
    assert "bli_report" not in _kinds(home2, "INC-WEBIR")


def test_seed002_s44_scope_is_everyone_the_device_holds_every_method_any_time(incident_base, incident_home):
    card_only = incident_base["card_only"]
    # the hand-written card punch (not biometric) on the single implicated device of INC-LATE
    assert query(incident_home, "SELECT incident_id, methods, biometric_enrolled, email, records "
                                "FROM incident_scope WHERE employee_no = ? ORDER BY 1", [card_only]) == [
        ("INC-LATE", "card", False, None, 1), ("INC-NOW", "card", False, None, 1)]
    # everyone with any punch on an implicated device is in scope, and nobody else
    for iid in ("INC-NOW", "INC-LATE"):
        held = set(query(incident_home, """SELECT DISTINCT p.agency_code, p.employee_no FROM stg_punches p
                   JOIN int_incident_devices d ON d.device_id = p.device_id WHERE d.incident_id = ?""", [iid]))
        scope = set(query(incident_home, "SELECT agency_code, employee_no FROM incident_scope WHERE incident_id = ?",
                          [iid]))
        assert scope == held and len(scope) >= 2
    # a dataset incident with no punches dataset (WebIR) has no people to notify by e-mail
    assert query(incident_home, "SELECT people FROM incident_summary WHERE incident_id = 'INC-WEBIR'") == [(0,)]


def test_seed002_s43_response_steps_are_a_checklist_with_times(incident_home):
    from conftest import pdgov_cli

    known = query(incident_home, "SELECT known_at FROM incident_summary WHERE incident_id = 'INC-LATE'")[0][0]
    rows = query(incident_home, "SELECT step_no, step_label, seed_ref, step_status FROM incident_response_checklist "
                                "WHERE incident_id = 'INC-LATE' ORDER BY step_no")
    assert [r[0] for r in rows] == list(range(1, 14)) and {r[3] for r in rows} == {"open"}
    assert rows[0][1:3] == ("中斷入侵或洩漏途徑", "要點第43點(一)") and rows[12][1:3] == ("發布新聞稿、網站公告", "要點第43點(十三)")

    in_time = known + timedelta(hours=4)  # the last minute of the four hours still counts
    late = known + timedelta(hours=4, minutes=1)
    pdgov_cli(incident_home, "incident", "step", "INC-LATE", "1", "--by", "資訊室 林工程師",
              "--at", f"{in_time:%Y-%m-%d %H:%M:%S}", "--note", "FACE8 斷網")
    pdgov_cli(incident_home, "incident", "step", "INC-LATE", "4", "--by", "資訊室 林工程師",
              "--at", f"{late:%Y-%m-%d %H:%M:%S}")
    bad = pdgov_cli(incident_home, "incident", "step", "INC-LATE", "14", "--by", "x", check=False)
    assert bad.returncode == 2 and "1-13" in bad.stdout
    done = query(incident_home, "SELECT step_no, step_status, done_by, done_at, note FROM incident_response_checklist "
                                "WHERE incident_id = 'INC-LATE' AND step_status <> 'open' ORDER BY step_no")
    assert done == [(1, "done", "資訊室 林工程師", in_time, "FACE8 斷網"), (4, "late", "資訊室 林工程師", late, None)]
    assert query(incident_home, "SELECT count(*) FROM incident_response_checklist WHERE incident_id = 'INC-NOW' "
                                "AND step_status = 'open'") == [(13,)]


def test_hitl_answer_records_who_confirmed_and_a_timeout_records_nothing(incident_home, smtp):
    """The HITL task's two endings, as ``release_notices`` receives them from Airflow."""
    from datetime import UTC, datetime

    from pdgov.incidents.run import CONFIRM_OPTION, LATER_OPTION, hitl_enabled, release_notices

    timed_out = {"chosen_options": [LATER_OPTION], "params_input": {}, "responded_at": datetime.now(UTC),
                 "responded_by_user": None}
    assert release_notices("INC-NOW", timed_out, "hitl-1", RUN_DATE) == {"confirmed": False}
    assert query(incident_home, "SELECT count(*) FROM incident_confirmations") == [(0,)]
    said_no = {**timed_out, "responded_by_user": {"id": "admin", "name": "admin"}}
    assert release_notices("INC-NOW", said_no, "hitl-2", RUN_DATE) == {"confirmed": False}

    at = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    yes = {"chosen_options": [CONFIRM_OPTION], "params_input": {}, "responded_at": at.isoformat(),
           "responded_by_user": {"id": "u1", "name": "政風室 陳主任"}}
    out = release_notices("INC-NOW", yes, "hitl-3", RUN_DATE)
    assert out["confirmed"] is True and out["queued"]["subject_notice"] > 0
    assert query(incident_home, "SELECT confirmed_by, via, confirmed_at FROM incident_confirmations") == [
        ("政風室 陳主任", "hitl", datetime(2026, 11, 2, 9, 30))]

    class Run:
        triggering_user_name = "dag_test"

    assert hitl_enabled(Run()) is False and hitl_enabled(None) is True


def test_seed004_s2_the_labor_bureau_is_named_as_seed_004_names_it():
    """Seed 004 §2(2): 權責管理機關：本府勞工局 — not 勞動局, anywhere pdgov writes it."""
    hits = []
    for folder in ("include", "dags", "plugins", "dbt_project/models", "dbt_project/seeds", "dbt_project/tests",
                   "dbt_project/macros", "docs"):
        for f in (REPO / folder).rglob("*"):
            if f.is_file() and f.suffix in (".py", ".sql", ".yml", ".csv", ".md", ".html"):
                if "勞動局" in f.read_text(encoding="utf-8", errors="replace"):
                    hits.append(str(f.relative_to(REPO)))
    assert hits == []
