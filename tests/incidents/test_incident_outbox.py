"""Incidents end to end against a real SMTP server on loopback: scope, report, notices, exactly once.

The warehouse comes from the real ingest and real dbt (see ``incident_support``); messages go through
Airflow's SMTP provider to aiosmtpd, which the tests stop, make refuse, and start again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

# Fixtures are imported from the support module (a second conftest.py would shadow the root one);
# pytest injects them by parameter name, which ruff reads as redefinition.
# ruff: noqa: F811
from incident_support import (  # noqa: F401
    CONTACT_WINDOW,
    ESCALATION_TO,
    confirm,
    incident_base,
    incident_home,
    query,
    smtp,
)

RUN_DATE = date(2026, 11, 2)


def _expected(home: Path) -> dict[str, int]:
    """Messages each confirmed incident must produce: one notice per person in scope with an address,
    plus the report (+ the escalation, + the 勞保局 report of the WebIR incident)."""
    people = dict(query(home, "SELECT incident_id, count(email) FROM incident_scope GROUP BY ALL"))
    return {"INC-NOW": people["INC-NOW"] + 1, "INC-LATE": people["INC-LATE"] + 2, "INC-WEBIR": 2}


def _confirm_all(home: Path) -> None:
    confirm(home, "INC-NOW", "INC-LATE", "INC-WEBIR")


def _by_incident(home: Path, received) -> Counter:
    ids = dict(query(home, "SELECT message_id, incident_id FROM notification_outbox"))
    return Counter(ids[r.message_id] for r in received)


def _process(run_id: str = "t1") -> dict:
    from pdgov.notifications.outbox import process

    return process(run_id, RUN_DATE)


def test_scope_and_suspension_list_come_from_the_models(incident_base, incident_home):
    planted = incident_base["manifest"]["planted"]
    scope = query(incident_home, "SELECT count(*), count(email), count(DISTINCT agency_code) FROM incident_scope "
                                 "WHERE incident_id = 'INC-NOW'")[0]
    # the generator's biometric users of the model, and the hand-written card puncher (no roster e-mail)
    assert scope[0] == planted["people_punched_on_implicated_model"] + 1 > 1
    assert scope[1] == scope[0] - 1 and scope[2] >= 2, "the model is in several agencies"
    suspended = {d for (d,) in query(incident_home, "SELECT device_id FROM incident_suspension_list "
                                                    "WHERE incident_id = 'INC-NOW'")}
    assert suspended == set(planted["devices_of_implicated_model"])
    # the single-device incident: only that device's biometric users, all of them in INC-NOW too
    late = set(query(incident_home, "SELECT agency_code, employee_no FROM incident_scope WHERE incident_id = 'INC-LATE'"))
    now = set(query(incident_home, "SELECT agency_code, employee_no FROM incident_scope WHERE incident_id = 'INC-NOW'"))
    assert late and late < now
    cats, records, people = query(incident_home, "SELECT category_codes, records, people FROM incident_summary "
                                                 "WHERE incident_id = 'INC-NOW'")[0]
    catalogue = query(incident_home, "SELECT category_codes FROM personal_data_file_catalog "
                                     "WHERE dataset IN ('punches', 'biometric_enrolment')")
    codes = {c.strip().split(" ")[0] for (row,) in catalogue for c in row.split("；") if c.strip()}
    assert cats.split(";") == sorted(codes) and "C001" in codes
    assert records > people == scope[0]


def test_one_message_per_person_plus_report_and_a_rerun_sends_nothing(incident_home, smtp):
    _confirm_all(incident_home)
    result = _process()
    assert result["smtp_error"] is None and result["waiting"] == 0
    expected = _expected(incident_home)
    assert _by_incident(incident_home, smtp.received) == expected
    assert len({r.message_id for r in smtp.received}) == len(smtp.received)

    # each notice went to that person's roster address; the report to the contact window
    emails = {e for (e,) in query(incident_home, "SELECT email FROM incident_scope WHERE incident_id = 'INC-NOW' "
                                                 "AND email IS NOT NULL")}
    notices = [r for r in smtp.received if "個資事件通知" in r.subject and "INC-NOW" in r.subject]
    assert {r.to[0] for r in notices} == emails
    report = [r for r in smtp.received if r.subject.startswith("【個資事件通報】INC-NOW")]
    assert len(report) == 1 and report[0].to == [CONTACT_WINDOW]
    for words in ("通報人", "外洩方式", "知悉時間", "地點", "個人資料類別", "筆", "當事人數", "已採取之因應措施"):
        assert words in report[0].text
    for words in ("事件事實", "本府已採取之措施", "建議您採取之措施", "諮詢窗口", "補救措施"):
        assert words in notices[0].text

    again = _process("t2")
    assert again["queued"] == {"report": 0, "bli_report": 0, "subject_notice": 0} and again["sent"] == 0
    assert sum(_by_incident(incident_home, smtp.received).values()) == sum(expected.values())


def test_smtp_down_messages_wait_and_go_when_it_is_back(incident_home, smtp):
    _confirm_all(incident_home)
    smtp.stop()
    down = _process()
    assert down["sent"] == 0 and down["smtp_error"]
    expected = _expected(incident_home)
    assert query(incident_home, "SELECT count(*) FROM notification_outbox WHERE status = 'pending'")[0][0] == sum(
        expected.values())
    clock = dict(query(incident_home, "SELECT incident_id, clock_status FROM incidents_log"))
    assert clock == {"INC-NOW": "pending", "INC-LATE": "overdue", "INC-WEBIR": "pending"}

    smtp.start()
    back = _process("t2")
    assert back["sent"] == sum(expected.values()) and back["waiting"] == 0
    assert _by_incident(incident_home, smtp.received) == expected


def test_outage_in_the_middle_recovers_without_loss_or_duplicate(incident_home, smtp):
    _confirm_all(incident_home)
    smtp.handler.refuse_after = 7
    first = _process()
    assert first["sent"] == 7 and first["smtp_error"] and "421" in first["smtp_error"]
    assert len(smtp.received) == 7
    smtp.handler.refuse_after = None
    second = _process("t2")
    assert second["smtp_error"] is None
    ids = [r.message_id for r in smtp.received]
    assert len(ids) == len(set(ids)), "a message went out twice"
    assert _by_incident(incident_home, smtp.received) == _expected(incident_home)
    assert query(incident_home, "SELECT DISTINCT status FROM notification_outbox WHERE status <> 'undeliverable'"
                 ) == [("sent",)]
    attempts = dict(query(incident_home, "SELECT attempts, count(*) FROM notification_outbox GROUP BY ALL"))
    assert attempts.get(2) == 1, "the refused message was tried again once"


CRASH = """
import os, sys
from datetime import date
import pdgov.notifications.outbox as ob
calls = {"n": 0}
original = ob._record_sent
def crash_after_hand_off(con, mid, sent_at):
    calls["n"] += 1
    if calls["n"] == int(sys.argv[1]):
        os._exit(3)  # the process dies after SMTP accepted the message, before recording it
    original(con, mid, sent_at)
ob._record_sent = crash_after_hand_off
ob.process("crashing", date(2026, 11, 2))
"""


def test_a_retry_after_a_crash_between_send_and_record_does_not_send_again(incident_home, smtp):
    _confirm_all(incident_home)
    proc = subprocess.run([sys.executable, "-c", CRASH, "4"], env=dict(os.environ), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert len(smtp.received) == 4
    crashed = {r.message_id for r in smtp.received}

    retry = _process("retry")
    assert retry["in_doubt"] == 1 and retry["smtp_error"] is None
    ids = [r.message_id for r in smtp.received]
    assert len(ids) == len(set(ids)), "the retry re-sent a message"
    assert _by_incident(incident_home, smtp.received) == _expected(incident_home)
    (doubt,) = query(incident_home, "SELECT message_id FROM notification_outbox WHERE status = 'in_doubt'")
    assert doubt[0] in crashed


def test_a_report_past_four_hours_escalates_to_the_unit_head_and_shows_late(incident_home, smtp):
    """Seed 002 §45 and issue 19: the escalation goes up (單位主管／上級), not back to the window."""
    result = _process()
    assert result["escalated"] == ["INC-LATE"]
    esc = [r for r in smtp.received if r.subject.startswith("【逾時陳報上級】")]
    assert len(esc) == 1 and esc[0].to == [ESCALATION_TO] and "INC-LATE" in esc[0].subject
    assert ESCALATION_TO != CONTACT_WINDOW and "單位主管／上級" in esc[0].text
    clock = {r[0]: r[1:] for r in query(incident_home, "SELECT incident_id, clock_status, escalated_at IS NOT NULL, "
                                                       "report_sent_at > report_due_at FROM incidents_log")}
    assert clock["INC-LATE"] == ("late", True, True)
    assert clock["INC-NOW"] == ("on_time", False, False) == clock["INC-WEBIR"]
    assert _process("t2")["escalated"] == [], "one escalation per incident"


def test_declare_command_goes_from_declaration_to_last_message(incident_home, smtp, tmp_path):
    """`pdgov incident declare` as a handler runs it: validate, ingest, models, report and notices."""
    from conftest import pdgov_cli

    from pdgov import clock

    decl = {"incident_id": "INC-CLI", "reporter": "人事處 李大華", "reporter_contact": "02-2720-8889",
            "known_at": f"{clock.now():%Y-%m-%d %H:%M:%S}", "method": "設備遭竊", "location": "市府大樓",
            "description": "一台差勤設備遭竊", "scope_model": "FACE8", "scope_dataset": "punches",
            "containment": "報警並停用該型號設備"}
    f = tmp_path / "decl.json"
    f.write_text(json.dumps(decl, ensure_ascii=False), encoding="utf-8")
    env = smtp.connection_env()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**decl, "known_at": "soon", "reporter": ""}, ensure_ascii=False), encoding="utf-8")
    refused = pdgov_cli(incident_home, "incident", "declare", str(bad), check=False, **env)
    assert refused.returncode == 2 and "known_at" in refused.stdout and "reporter is required" in refused.stdout

    declared = pdgov_cli(incident_home, "incident", "declare", str(f), **env)
    # step one: the report, at once; no notice before a person confirms the scope (seed 002 §44)
    assert _by_incident(incident_home, smtp.received)["INC-CLI"] == 1, declared.stdout[-3000:]
    people = query(incident_home, "SELECT count(email) FROM incident_scope WHERE incident_id = 'INC-CLI'")[0][0]
    assert people > 0 and '"INC-CLI"' in declared.stdout and "awaiting_confirmation" in declared.stdout

    unknown = pdgov_cli(incident_home, "incident", "confirm", "INC-NOPE", "--by", "陳主任", check=False, **env)
    assert unknown.returncode == 2 and "INC-NOPE" in unknown.stdout and "INC-CLI" in unknown.stdout
    confirmed = pdgov_cli(incident_home, "incident", "confirm", "INC-CLI", "--by", "政風室 陳主任", **env)
    assert "confirmed by 政風室 陳主任" in confirmed.stdout
    assert _by_incident(incident_home, smtp.received)["INC-CLI"] == people + 1, confirmed.stdout[-3000:]
    again = pdgov_cli(incident_home, "incident", "confirm", "INC-CLI", "--by", "someone else", **env)
    assert "already confirmed by 政風室 陳主任 (cli)" in again.stdout
    assert _by_incident(incident_home, smtp.received)["INC-CLI"] == people + 1
    (rec,) = query(incident_home, "SELECT confirmed_by, via, people_at_confirmation FROM incident_confirmations "
                                  "WHERE incident_id = 'INC-CLI'")
    assert rec == ("政風室 陳主任", "cli", query(incident_home, "SELECT count(*) FROM incident_scope "
                                                             "WHERE incident_id = 'INC-CLI'")[0][0])
    status = json.loads(pdgov_cli(incident_home, "incident", "status", "--json", **env).stdout)
    assert {r["incident_id"]: r["clock_status"] for r in status}["INC-CLI"] == "on_time"
