"""One e-mail reminder per agency and month of WebIR samples left unaudited (seed 004 §12(1)).

``webir_audit_unaudited`` lists sampled queries with no finding 30 days after the sample was drawn.
Each night this queues, through the incident outbox (sent once, at most once, with its ledger), one
reminder per agency and audit month that appears there — never a second one for the same agency
and month: the Message-ID is derived from them (``outbox.message_id``), so a re-run or the next
night finds it queued and adds nothing. The outbox row's ``incident_id`` is ``webir_audit:<agency>:
<month>`` — not an incident: the incident models read only their own incidents' rows.

The recipient is the Airflow variable ``pdgov_webir_audit_contact`` (the agency's 查核人員, or the
city's 政風 window), else the contact window (``pdgov_contact_window``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pdgov.notifications import messages as msg
from pdgov.notifications.smtp import contact_window, variable

KIND_AUDIT_REMINDER = "audit_reminder"
AUDIT_CONTACT_VARIABLE = "pdgov_webir_audit_contact"


def recipient() -> str | None:
    return variable(AUDIT_CONTACT_VARIABLE) or contact_window()


def reminder(agency_code: str | None, agency_name: str | None, month, rows: list[dict[str, Any]],
             to: str) -> msg.Message:
    """The reminder's words: which agency, which month, how many samples, by when they were due."""
    who = f"{agency_name}（{agency_code}）" if agency_name else (agency_code or "未知機關")
    first_due = min(r["audit_due_on"] for r in rows)
    lines = [f"{who} 勞保WebIR {month:%Y-%m} 抽查樣本尚有 {len(rows)} 筆未填具查核結果，",
             f"查核期限（抽樣後30日）最早為 {first_due:%Y-%m-%d}。",
             "依勞保WebIR管理要點第12點第1款，請查核人員比對查調資料，於委員會活頁簿「WebIR抽查樣本」工作表填具",
             "查核結果（正常／異常）、查核說明、查核人、查核日期後，放入 landing/webir_audit_results/。", "",
             "未查核之查詢紀錄鍵："]
    lines += [f"  {r['query_key']}（{r['sample_kind']}，查詢時間 {r['queried_at']:%Y-%m-%d %H:%M}）" for r in rows[:50]]
    if len(rows) > 50:
        lines.append(f"  …另 {len(rows) - 50} 筆，見活頁簿「WebIR逾期未查核」工作表")
    return msg.Message(kind=KIND_AUDIT_REMINDER, recipient=to,
                       subject=f"[pdgov] 勞保WebIR抽查樣本逾期未查核：{who} {month:%Y-%m}（{len(rows)} 筆）",
                       body="\n".join(lines), agency_code=agency_code)


def enqueue(con, run_id: str, now: datetime) -> dict[str, Any]:
    """Queue the reminders not queued yet; returns how many and any problem (no recipient, no mart)."""
    from pdgov.notifications.outbox import _queue, _rows, message_id
    from pdgov.warehouse import table_exists

    if not table_exists(con, "main", "webir_audit_unaudited"):
        return {"audit_reminders": 0, "problems": []}
    name_sql = ("(SELECT a.agency_name FROM main.city_agencies a WHERE a.agency_code = u.agency_code)"
                if table_exists(con, "main", "city_agencies") else "NULL")
    rows = _rows(con, f"SELECT u.*, {name_sql} AS agency_name FROM main.webir_audit_unaudited u "  # noqa: S608
                      "ORDER BY u.agency_code NULLS FIRST, u.audit_month, u.queried_at, u.query_key")
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["agency_code"], r["audit_month"]), []).append(r)
    to = recipient()
    if groups and not to:
        return {"audit_reminders": 0, "problems": [
            f"{len(groups)} WebIR audit reminder(s) not queued: no recipient (Airflow variable "
            f"{AUDIT_CONTACT_VARIABLE} or pdgov_contact_window)"]}
    queued = 0
    for (agency, month), group in groups.items():
        key = f"webir_audit:{agency or 'unknown'}:{month:%Y-%m}"
        queued += _queue(con, [(message_id(key, KIND_AUDIT_REMINDER, "auditor"),
                                reminder(agency, group[0]["agency_name"], month, group, to))], key, run_id, now)
    return {"audit_reminders": queued, "problems": []}
