"""The outbox: what the incident models say must be sent, sent once, and the four-hour clock.

Every message an incident requires (the §45 report, one §44 notice per person in scope, the
escalation) becomes one row of ``main.notification_outbox`` keyed by a stable Message-ID derived from
the incident, the kind and the person. Queuing is therefore idempotent: re-running an incident finds
its rows and adds nothing.

Delivery records before and after the SMTP hand-off: ``sending`` (with the attempt counted) is
committed before the message is handed over, ``sent`` right after the server accepts it. A process
that dies between the two leaves ``sending``; the next run turns such rows into ``in_doubt`` and does
not resend them (at most once): a duplicate notice of a breach is worse for the person than a notice
a handler re-sends by hand after checking the mail log by Message-ID (``pdgov incident resend``).
When the server is down, the row returns to ``pending`` and waits for the next run; a message the
server refuses for good (5xx) is ``failed``, reported, and the others go on.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from pdgov import clock
from pdgov.notifications import messages as msg
from pdgov.notifications.smtp import (
    BLI_VARIABLE,
    CONTACT_WINDOW_VARIABLE,
    ESCALATION_VARIABLE,
    Mailer,
    MessageDeferred,
    MessageRefused,
    SmtpUnavailable,
    bli_contact,
    contact_window,
    escalation_to,
)

log = logging.getLogger("pdgov.notifications")
REPORT_DEADLINE = timedelta(hours=4)
MESSAGE_DOMAIN = "pdgov.taipei"
# Report first (the clock), then the escalation, then the notices.
_KIND_ORDER = {msg.KIND_REPORT: 0, msg.KIND_BLI_REPORT: 0, msg.KIND_ESCALATION: 1, msg.KIND_NOTICE: 2}


class RecipientsMissing(RuntimeError):
    """A message the rules require has nowhere to go: the run fails, loudly, instead of skipping it.

    Raised after everything else was queued, sent and the clock written, so what could go did go.
    """


def message_id(incident_id: str, kind: str, recipient_key: str) -> str:
    """Stable per incident, kind and recipient: the same message always has the same id.

    For notices the key is the person (agency and employee number), not the address, so a roster
    that corrects an e-mail does not make a second notice.
    """
    digest = hashlib.sha256(f"{incident_id}|{kind}|{recipient_key}".encode()).hexdigest()[:32]
    return f"<{digest}.{kind}@{MESSAGE_DOMAIN}>"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _models_built(con: duckdb.DuckDBPyConnection) -> bool:
    n = con.execute(
        """SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'
           AND table_name IN ('incident_summary', 'incident_scope')"""
    ).fetchone()[0]
    return n == 2


def _queue(con: duckdb.DuckDBPyConnection, batch: list[tuple[str, msg.Message]], incident_id: str, run_id: str,
           now: datetime) -> int:
    """Insert the messages not queued yet; return how many were new. A known Message-ID is left as is."""
    if not batch:
        return 0
    rows = []
    for mid, m in batch:
        status = "pending" if m.recipient else "undeliverable"
        error = None if m.recipient else "no e-mail address on the roster: notify by another channel (§44 ¶2)"
        rows.append([mid, incident_id, m.recipient, m.kind, m.agency_code, m.employee_no, m.subject, m.body, status,
                     error, now, run_id])
    before = con.execute("SELECT count(*) FROM main.notification_outbox WHERE incident_id = ?", [incident_id]).fetchone()[0]
    con.execute("CREATE OR REPLACE TEMP TABLE _outbox_new (message_id VARCHAR, incident_id VARCHAR, recipient VARCHAR, "
                "kind VARCHAR, agency_code VARCHAR, employee_no VARCHAR, subject VARCHAR, body VARCHAR, "
                "status VARCHAR, last_error VARCHAR, queued_at TIMESTAMP, run_id VARCHAR)")
    # One statement with a list per column: executemany ran one INSERT per message, which a city
    # incident with thousands of notices felt.
    types = ["VARCHAR"] * 10 + ["TIMESTAMP", "VARCHAR"]
    con.execute("INSERT INTO _outbox_new SELECT " + ", ".join(f"unnest(?::{t}[])" for t in types),
                [list(column) for column in zip(*rows, strict=True)])
    con.execute(
        """INSERT INTO main.notification_outbox (message_id, incident_id, recipient, kind, agency_code,
           employee_no, subject, body, status, attempts, last_error, queued_at, run_id)
           SELECT n.message_id, n.incident_id, n.recipient, n.kind, n.agency_code, n.employee_no, n.subject, n.body,
                  n.status, 0, n.last_error, n.queued_at, n.run_id
           FROM _outbox_new n
           WHERE NOT EXISTS (SELECT 1 FROM main.notification_outbox o WHERE o.message_id = n.message_id)""")
    con.execute("DROP TABLE _outbox_new")
    after = con.execute("SELECT count(*) FROM main.notification_outbox WHERE incident_id = ?", [incident_id]).fetchone()[0]
    return after - before


def enqueue(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> dict[str, Any]:
    """Queue what every declared incident requires now (idempotent).

    The §45 report to the contact window and, for a WebIR-related incident, the report to 勞保局
    (seed 004 §12(10)) go at once. §44 notices wait for a person to confirm the scope
    (``incident_confirmations``, via ``pdgov incident confirm`` or the HITL task): PDPA art. 12
    notifies subjects once the facts are ascertained (查明後).
    """
    window, bli = contact_window(), bli_contact()
    queued = {msg.KIND_REPORT: 0, msg.KIND_BLI_REPORT: 0, msg.KIND_NOTICE: 0}
    problems: list[str] = []
    awaiting: list[str] = []
    for s in _rows(con, """SELECT s.*, c.confirmed_by FROM main.incident_summary s
                           LEFT JOIN main.incident_confirmations c USING (incident_id)
                           ORDER BY s.known_at, s.incident_id"""):
        iid = s["incident_id"]
        if window:
            queued[msg.KIND_REPORT] += _queue(con, [(message_id(iid, msg.KIND_REPORT, "window"), msg.report(s, window))],
                                              iid, run_id, now)
        else:
            problems.append(f"{iid}: the §45 report has no contact window to go to: set the Airflow variable "
                            f"{CONTACT_WINDOW_VARIABLE} (AIRFLOW_VAR_{CONTACT_WINDOW_VARIABLE.upper()})")
        if s.get("webir_related"):
            if bli:
                queued[msg.KIND_BLI_REPORT] += _queue(
                    con, [(message_id(iid, msg.KIND_BLI_REPORT, "bli"), msg.bli_report(s, bli))], iid, run_id, now)
            else:
                problems.append(f"{iid}: a WebIR-related incident must be reported to 勞保局 at once (seed 004 "
                                f"§12(10)): set the Airflow variable {BLI_VARIABLE} (AIRFLOW_VAR_{BLI_VARIABLE.upper()})")
        if not s["confirmed_by"]:
            if s["people"]:
                awaiting.append(iid)
            continue
        # Only people without a notice yet: re-running a big incident renders nothing again.
        people = _rows(con, """
            SELECT p.* FROM main.incident_scope p WHERE p.incident_id = ? AND NOT EXISTS (
                SELECT 1 FROM main.notification_outbox o WHERE o.incident_id = p.incident_id
                AND o.kind = 'subject_notice' AND o.agency_code = p.agency_code AND o.employee_no = p.employee_no)
            ORDER BY p.agency_code, p.employee_no""", [iid])
        batch = [(message_id(iid, msg.KIND_NOTICE, f"{p['agency_code']}|{p['employee_no']}"),
                  msg.notice(s, p, window or "個資事件聯絡窗口")) for p in people]
        queued[msg.KIND_NOTICE] += _queue(con, batch, iid, run_id, now)
    return {"queued": queued, "problems": problems, "awaiting_confirmation": awaiting}


def escalate(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> tuple[list[str], list[str]]:
    """Queue an escalation to the unit's head / 上級 for every incident whose report is not sent four
    hours after knowledge; return (escalated, problems)."""
    head = escalation_to()
    overdue = _rows(con, """
        SELECT s.* FROM main.incident_summary s
        WHERE s.known_at + INTERVAL 4 HOUR < ?
          AND NOT EXISTS (SELECT 1 FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                          AND o.kind = 'report' AND o.status = 'sent')
          AND NOT EXISTS (SELECT 1 FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                          AND o.kind = 'escalation')""", [now])
    escalated, problems = [], []
    for s in overdue:
        if not head:
            problems.append(f"{s['incident_id']}: the report is past its four hours and the escalation has no "
                            f"unit head / 上級 to go to: set the Airflow variable {ESCALATION_VARIABLE} "
                            f"(AIRFLOW_VAR_{ESCALATION_VARIABLE.upper()})")
        elif _queue(con, [(message_id(s["incident_id"], msg.KIND_ESCALATION, "head"),
                           msg.escalation(s, head, now))], s["incident_id"], run_id, now):
            escalated.append(s["incident_id"])
    return escalated, problems


def _record_sending(con: duckdb.DuckDBPyConnection, mid: str, now: datetime) -> None:
    con.execute("""UPDATE main.notification_outbox SET status = 'sending', attempts = attempts + 1,
                   last_attempt_at = ? WHERE message_id = ?""", [now, mid])


def _record_sent(con: duckdb.DuckDBPyConnection, mid: str, sent_at: datetime) -> None:
    con.execute("""UPDATE main.notification_outbox SET status = 'sent', sent_at = ?, last_error = NULL
                   WHERE message_id = ?""", [sent_at, mid])


def _record_failed(con: duckdb.DuckDBPyConnection, mid: str, status: str, error: str) -> None:
    con.execute("UPDATE main.notification_outbox SET status = ?, last_error = ? WHERE message_id = ?",
                [status, error[:1000], mid])


def deliver(con: duckdb.DuckDBPyConnection, conn_id: str = "smtp_default") -> dict[str, Any]:
    """Send what is pending, report first; stop at the first sign the server is down.

    A message the server refuses for good (5xx to its RCPT or DATA) is ``failed`` and named in the
    result; the batch goes on with the next one. A 4xx to its RCPT leaves it ``pending`` for the
    next run, and the batch goes on. Anything that is the session's trouble stops the batch.
    """
    in_doubt = con.execute(
        """UPDATE main.notification_outbox SET status = 'in_doubt',
           last_error = 'interrupted between hand-off and record: check the mail log for this Message-ID'
           WHERE status = 'sending' RETURNING message_id""").fetchall()
    pending = _rows(con, "SELECT message_id, incident_id, recipient, kind, subject, body FROM main.notification_outbox "
                         "WHERE status = 'pending'")
    pending.sort(key=lambda r: (_KIND_ORDER.get(r["kind"], 9), r["message_id"]))
    result: dict[str, Any] = {"sent": 0, "waiting": len(pending), "failed": 0, "deferred": 0,
                              "in_doubt": len(in_doubt), "smtp_error": None, "failures": []}
    if not pending:
        return result
    try:
        with Mailer(conn_id) as mailer:
            for r in pending:
                _record_sending(con, r["message_id"], clock.now())
                try:
                    mailer.send(message_id=r["message_id"], recipient=r["recipient"], subject=r["subject"],
                                body=r["body"])
                except MessageRefused as exc:
                    _record_failed(con, r["message_id"], "failed", str(exc))
                    result["failed"] += 1
                    result["waiting"] -= 1
                    result["failures"].append({"message_id": r["message_id"], "incident_id": r["incident_id"],
                                               "kind": r["kind"], "recipient": r["recipient"], "error": str(exc)})
                    log.error("pdgov: %s %s to %s failed for good: %s", r["incident_id"], r["kind"],
                              r["recipient"], exc)
                    continue
                except MessageDeferred as exc:
                    _record_failed(con, r["message_id"], "pending", str(exc))
                    result["deferred"] += 1
                    continue
                except SmtpUnavailable as exc:
                    _record_failed(con, r["message_id"], "pending", str(exc))
                    raise
                _record_sent(con, r["message_id"], clock.now())
                result["sent"] += 1
                result["waiting"] -= 1
    except SmtpUnavailable as exc:
        result["smtp_error"] = str(exc)
        con.execute("UPDATE main.notification_outbox SET last_error = ? WHERE status = 'pending' "
                    "AND last_error IS NULL", [f"waiting for SMTP: {exc}"[:1000]])
        log.warning("pdgov: SMTP unavailable, %d message(s) wait for the next run: %s", result["waiting"], exc)
    return result


def update_clock(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> list[dict[str, Any]]:
    """Write each incident's clock to ``incidents_log``: on_time, late, overdue or pending."""
    rows = _rows(con, """
        SELECT s.incident_id, s.known_at, s.report_due_at, s.authority_report_required, s.authority_due_at,
               s.people, s.records,
               (SELECT min(sent_at) FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                  AND o.kind = 'report' AND o.status = 'sent') AS report_sent_at,
               (SELECT min(sent_at) FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                  AND o.kind = 'escalation' AND o.status = 'sent') AS escalated_at,
               (SELECT count(*) FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                  AND o.kind = 'subject_notice') AS notices_queued,
               (SELECT count(*) FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                  AND o.kind = 'subject_notice' AND o.status = 'sent') AS notices_sent,
               (SELECT count(*) FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                  AND o.status = 'failed') AS messages_failed,
               s.webir_related AS bli_report_required,
               (SELECT min(sent_at) FROM main.notification_outbox o WHERE o.incident_id = s.incident_id
                  AND o.kind = 'bli_report' AND o.status = 'sent') AS bli_report_sent_at,
               c.confirmed_by AS scope_confirmed_by, c.confirmed_at AS scope_confirmed_at,
               c.via AS scope_confirmed_via
        FROM main.incident_summary s LEFT JOIN main.incident_confirmations c USING (incident_id)""")
    for r in rows:
        sent, due = r["report_sent_at"], r["report_due_at"]
        if sent is not None:
            r["clock_status"] = "on_time" if sent <= due else "late"
        else:
            r["clock_status"] = "overdue" if now > due else "pending"
        con.execute("DELETE FROM main.incidents_log WHERE incident_id = ?", [r["incident_id"]])
        first_seen = con.execute("SELECT min(queued_at) FROM main.notification_outbox WHERE incident_id = ?",
                                 [r["incident_id"]]).fetchone()[0] or now
        con.execute(
            """INSERT INTO main.incidents_log (incident_id, known_at, report_due_at, report_sent_at, clock_status,
               escalated_at, authority_report_required, authority_due_at, people, records, notices_queued,
               notices_sent, messages_failed, first_seen_at, updated_at, last_run_id, bli_report_required,
               bli_report_sent_at, scope_confirmed_by, scope_confirmed_at, scope_confirmed_via)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [r["incident_id"], r["known_at"], due, sent, r["clock_status"], r["escalated_at"],
             r["authority_report_required"], r["authority_due_at"], r["people"], r["records"],
             r["notices_queued"], r["notices_sent"], r["messages_failed"], first_seen, now, run_id,
             r["bli_report_required"], r["bli_report_sent_at"], r["scope_confirmed_by"], r["scope_confirmed_at"],
             r["scope_confirmed_via"]],
        )
    return rows


def process(run_id: str, logical_date: date, now: datetime | None = None, conn_id: str = "smtp_default") -> dict:
    """Nightly and incident-DAG entry point: queue, escalate, deliver, then keep the clock.

    ``now`` (Asia/Taipei, naive) is the clock's reading; it defaults to the wall clock because the
    four hours run in real time whatever the run's logical date.
    """
    from pdgov.warehouse import connect

    reading = now or clock.now()
    with connect() as con:
        if not _models_built(con):
            return {"run_id": run_id, "skipped": "incident models not built yet"}
        queued = enqueue(con, run_id, reading)
        escalated, missing = escalate(con, run_id, reading)
        from pdgov.notifications import audit_reminders  # seed 004 §12(1): samples unaudited 30 days

        reminders = audit_reminders.enqueue(con, run_id, reading)
        delivered = deliver(con, conn_id)
        incidents = update_clock(con, run_id, now or clock.now())
    summary = {
        "run_id": run_id, "logical_date": str(logical_date), **queued, "escalated": escalated, **delivered,
        "audit_reminders": reminders["audit_reminders"], "audit_reminder_problems": reminders["problems"],
        "incidents": {r["incident_id"]: r["clock_status"] for r in incidents},
    }
    summary["problems"] = [*summary["problems"], *missing]
    log.info("pdgov: notifications %s", summary)
    if summary["problems"]:
        # What could go went; what the rules require and has no recipient fails the run (and the
        # nightly with it) so that nobody reads a green run over an unsent report.
        raise RecipientsMissing("pdgov: required incident messages have no recipient configured:\n  - "
                                + "\n  - ".join(summary["problems"]))
    return summary
