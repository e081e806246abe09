"""What people decide about an incident, recorded in the warehouse: the scope confirmation (§44)
and the §43 response checklist.

Seed 002 §44 (PDPA art. 12) has the subjects notified once the facts are ascertained (查明後): a
person confirms the scope before pdgov queues a single notice. The confirmation — who, when, and
through which door (``cli``: ``pdgov incident confirm``; ``hitl``: the ``confirm_scope`` task of
``pdgov_incident`` answered in Airflow) — is kept with the incident records. The first
confirmation stands; a second one is reported, not written over.

Seed 002 §43 lists thirteen response steps to take within four hours; each done step is a row of
``incident_response_log`` (step, when, by whom), so the checklist is a table with times
(``incident_response_checklist``), not one free-text field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from pdgov import clock

VIA_CLI = "cli"
VIA_HITL = "hitl"

#: Created with the other operational tables (``pdgov.warehouse.ensure_schema``).
DDL = [
    """CREATE TABLE IF NOT EXISTS main.incident_confirmations (
        incident_id VARCHAR PRIMARY KEY, confirmed_by VARCHAR NOT NULL, confirmed_at TIMESTAMP NOT NULL,
        via VARCHAR NOT NULL, note VARCHAR, people_at_confirmation INTEGER, run_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS main.incident_response_log (
        incident_id VARCHAR, step_no INTEGER, done_at TIMESTAMP, done_by VARCHAR, note VARCHAR,
        recorded_at TIMESTAMP, PRIMARY KEY (incident_id, step_no))""",
    "ALTER TABLE main.incidents_log ADD COLUMN IF NOT EXISTS bli_report_required BOOLEAN",
    "ALTER TABLE main.incidents_log ADD COLUMN IF NOT EXISTS bli_report_sent_at TIMESTAMP",
    "ALTER TABLE main.incidents_log ADD COLUMN IF NOT EXISTS scope_confirmed_by VARCHAR",
    "ALTER TABLE main.incidents_log ADD COLUMN IF NOT EXISTS scope_confirmed_at TIMESTAMP",
    "ALTER TABLE main.incidents_log ADD COLUMN IF NOT EXISTS scope_confirmed_via VARCHAR",
]

#: Seed 002 §43 (一)–(十三), in the seed's words.
RESPONSE_STEPS = (
    "中斷入侵或洩漏途徑", "緊急儲存尚未被破壞資料", "啟動備援程序或替代方案", "事件原因初步分析",
    "評估受侵害個人資料類別及數量", "檢視防護及監測設施功能", "記錄事件經過", "行政內部調查完成前保存相關證據",
    "解決或修復方案", "通知保有相同資料組室或其他單位", "洽商專業人員協助或進駐處理", "涉及刑事責任者，移請檢警鑑識或調查",
    "發布新聞稿、網站公告",
)


class UnknownIncident(LookupError):
    """No declared incident has this id (or its models have not been built yet)."""


def _known(con: duckdb.DuckDBPyConnection, incident_id: str) -> dict[str, Any]:
    try:
        cur = con.execute("SELECT incident_id, people FROM main.incident_summary WHERE incident_id = ?", [incident_id])
    except duckdb.CatalogException:
        raise UnknownIncident("no incident models in the warehouse yet: declare the incident first") from None
    row = cur.fetchone()
    if row is None:
        known = [r[0] for r in con.execute("SELECT incident_id FROM main.incident_summary ORDER BY 1").fetchall()]
        raise UnknownIncident(f"no declared incident {incident_id!r} (declared: {', '.join(known) or 'none'})")
    return {"incident_id": row[0], "people": row[1]}


def confirmation(con: duckdb.DuckDBPyConnection, incident_id: str) -> dict[str, Any] | None:
    cur = con.execute("SELECT * FROM main.incident_confirmations WHERE incident_id = ?", [incident_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def confirm(con: duckdb.DuckDBPyConnection, incident_id: str, by: str, via: str, *, at: datetime | None = None,
            note: str | None = None, run_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Record that ``by`` confirmed the incident's scope; return (the confirmation, whether it is new).

    The people in scope at that moment are recorded with it: the notices that follow go to the
    scope the person saw.
    """
    if not by or not by.strip():
        raise ValueError("a confirmation needs the name of the person confirming (--by)")
    if via not in (VIA_CLI, VIA_HITL):
        raise ValueError(f"via must be {VIA_CLI!r} or {VIA_HITL!r}, not {via!r}")
    known = _known(con, incident_id)
    existing = confirmation(con, incident_id)
    if existing:
        return existing, False
    con.execute("INSERT INTO main.incident_confirmations VALUES (?, ?, ?, ?, ?, ?, ?)",
                [incident_id, by.strip(), clock.local(at) if at else clock.now(), via, note, known["people"], run_id])
    return confirmation(con, incident_id) or {}, True


def record_step(con: duckdb.DuckDBPyConnection, incident_id: str, step_no: int, by: str, *,
                at: datetime | None = None, note: str | None = None) -> dict[str, Any]:
    """Tick one §43 step (1–13) as done at ``at`` (default now); a step ticked again is corrected."""
    if not 1 <= step_no <= len(RESPONSE_STEPS):
        raise ValueError(f"step must be 1-{len(RESPONSE_STEPS)} (seed 002 §43 (一)-(十三)), not {step_no}")
    if not by or not by.strip():
        raise ValueError("a step needs the name of the person who took it (--by)")
    _known(con, incident_id)
    done_at = clock.local(at) if at else clock.now()
    con.execute("DELETE FROM main.incident_response_log WHERE incident_id = ? AND step_no = ?", [incident_id, step_no])
    con.execute("INSERT INTO main.incident_response_log VALUES (?, ?, ?, ?, ?, ?)",
                [incident_id, step_no, done_at, by.strip(), note, clock.now()])
    return {"incident_id": incident_id, "step_no": step_no, "step": RESPONSE_STEPS[step_no - 1], "done_at": done_at,
            "done_by": by.strip()}
