"""The steps of the ``pdgov_incident`` DAG as plain functions (the DAG file only wires them).

declare (validate the conf, write the declaration where the ingest reads it) → ingest the
incidents source → build the incident models → the outbox (queue, escalate, deliver, clock). The
same declaration dropped as a file in ``landing/incidents/`` takes the same path the next night.
The as-of day is a date or the DAG's rendered ``pdgov.clock.AS_OF`` string.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from pdgov import clock

log = logging.getLogger("pdgov.incidents")
#: The HITL options of ``confirm_scope``; the second is the default a timeout takes.
CONFIRM_OPTION = "確認範圍並通知當事人"
LATER_OPTION = "暫不確認（以 pdgov incident confirm 確認）"

# Incident models: built without their upstream tests (the nightly tests those), then tested.
INCIDENT_MODELS = ["path:models/intermediate/incidents", "path:models/marts/incidents"]


def declare(conf: dict[str, Any], now: datetime | None = None) -> dict[str, str]:
    """Validate a declaration and write it to ``landing/incidents/<incident_id>.json``.

    Raises :class:`pdgov.incidents.declaration.DeclarationError` listing every problem.
    """
    from pdgov.config import paths
    from pdgov.incidents.declaration import validate, write

    declaration = validate(conf, now=now or clock.now())
    path = write(declaration, paths().ensure().landing_for("incidents"))
    return {"incident_id": declaration["incident_id"], "path": str(path), "known_at": declaration["known_at"]}


def ingest(run_id: str, as_of: date | str) -> dict[str, Any]:
    from pdgov.ingest.run import ingest_source

    result = ingest_source("incidents", run_id, clock.as_of(as_of))
    if result.get("files_rejected"):
        raise RuntimeError(f"incident declaration refused by the ingest: {result.get('file_list')}")
    return {k: result.get(k, 0) for k in ("files", "files_rejected", "files_skipped", "rows_in", "rows_rejected")}


def build_models(run_id: str, as_of: date | str) -> None:
    """Rebuild the incident models (and the staging views, seeds and tables they and their tests
    read) and test them. The scope's check (``incident_scope_covers_everyone_the_device_holds``) reads
    who punched on which device from ``int_punches_per_person_device``, which the nights build; it is
    rebuilt here too, so the check compares tonight's scope with the punches as they are now (at the
    city a scan of the punches, ~15 s)."""
    from pdgov.transform.dbt import dbt_vars, run

    v = dbt_vars(clock.as_of(as_of), run_id)
    run(["build", "--vars", v, "--select", "+incident_clock", "+incident_suspension_list",
         "+incident_response_checklist", "+int_punches_per_person_device", "--exclude-resource-type", "test"])
    run(["test", "--vars", v, "--select", *INCIDENT_MODELS])


def notify(run_id: str, as_of: date | str) -> dict[str, Any]:
    from pdgov.notifications.outbox import process

    return process(run_id, clock.as_of(as_of))


def hitl_enabled(dag_run: Any) -> bool:
    """Whether the ``confirm_scope`` task asks in Airflow: not in ``airflow dags test`` (the embedded
    default, where nobody watches the Required Actions page and the run would wait for ever), unless
    ``PDGOV_INCIDENT_HITL`` says otherwise (``1`` on, ``0`` off). There the CLI confirms."""
    import os

    forced = os.environ.get("PDGOV_INCIDENT_HITL", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return getattr(dag_run, "triggering_user_name", None) != "dag_test"


def needs_confirmation(incident_id: str, dag_run: Any = None) -> bool:
    """Ask a person in Airflow only when it can be answered and matters: HITL on, people in scope,
    and nobody has confirmed yet (a CLI confirmation before the task makes the question moot)."""
    from pdgov.incidents.records import confirmation
    from pdgov.warehouse import connect

    if not hitl_enabled(dag_run):
        log.info("pdgov: %s: confirm the scope with `pdgov incident confirm %s --by NAME`", incident_id, incident_id)
        return False
    with connect(read_only=True) as con:
        people = con.execute("SELECT people FROM main.incident_summary WHERE incident_id = ?", [incident_id]).fetchone()
        done = confirmation(con, incident_id)
    return bool(people and people[0]) and done is None


def confirm_question(incident_id: str) -> str:
    """The body of the HITL question: the scope a person is asked to confirm, in figures."""
    from pdgov.warehouse import connect

    with connect(read_only=True) as con:
        s = con.execute("""SELECT people, records, agencies, devices_implicated, people_without_email, category_labels
                           FROM main.incident_summary WHERE incident_id = ?""", [incident_id]).fetchone()
    if s is None:
        return f"事件 {incident_id} 尚無範圍資料。"
    return (f"事件 {incident_id} 之影響範圍（個人資料保護法第12條、要點第44點：查明後通知當事人）：\n\n"
            f"- 當事人 {s[0]} 人（{s[2]} 個機關），紀錄 {s[1]} 筆，涉案設備 {s[3]} 台\n"
            f"- 無電子郵件者 {s[4]} 人（需以其他方式通知）\n- 個人資料類別：{s[5] or '—'}\n\n"
            "確認後，系統即逐一寄送當事人通知。範圍詳見 incident_scope。")


def release_notices(incident_id: str, event: dict[str, Any] | None, run_id: str, as_of: date | str) -> dict[str, Any]:
    """After the HITL answer: record who confirmed (via ``hitl``), then queue and send the notices.

    A timeout (no person answered: ``responded_by_user`` is empty) or the "not yet" option records
    nothing; the CLI path stays open.
    """
    from pdgov.incidents.records import VIA_HITL, confirm
    from pdgov.warehouse import connect

    event = event or {}
    user = event.get("responded_by_user") or {}
    chosen = event.get("chosen_options") or []
    if not user or CONFIRM_OPTION not in chosen:
        log.info("pdgov: %s: scope not confirmed in Airflow (%s); `pdgov incident confirm` releases the notices",
                 incident_id, "timed out" if not user else f"answered {chosen}")
        return {"confirmed": False}
    responded_at = event.get("responded_at")
    if isinstance(responded_at, str):
        responded_at = datetime.fromisoformat(responded_at)
    with connect() as con:
        rec, new = confirm(con, incident_id, str(user.get("name") or user.get("id")), VIA_HITL, at=responded_at,
                           note=(event.get("params_input") or {}).get("note") or None, run_id=run_id)
    return {"confirmed": True, "new": new, "confirmed_by": rec["confirmed_by"], **notify(run_id, as_of)}


def handle(conf: dict[str, Any], run_id: str, as_of: date | str) -> dict[str, Any]:
    """Everything in one call (CLI, tests, benchmark): declaration to last message sent."""
    declared = declare(conf)
    ingest(run_id, as_of)
    build_models(run_id, as_of)
    return {"declared": declared, **notify(run_id, as_of)}
