"""The steps of the ``pdgov_incident`` DAG as plain functions (the DAG file only wires them).

declare (validate the conf, write the declaration where the ingest reads it) → ingest the
incidents source → build the incident models → the outbox (queue, escalate, deliver, clock). The
same declaration dropped as a file in ``landing/incidents/`` takes the same path the next night.
The as-of day is a date or the DAG's rendered ``pdgov.clock.AS_OF`` string.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pdgov import clock

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
    """Rebuild the incident models (and the staging views and seed they read) and test them."""
    from pdgov.transform.dbt import dbt_vars, run

    v = dbt_vars(clock.as_of(as_of), run_id)
    run(["build", "--vars", v, "--select", "+incident_clock", "+incident_suspension_list",
         "--exclude-resource-type", "test"])
    run(["test", "--vars", v, "--select", *INCIDENT_MODELS])


def notify(run_id: str, as_of: date | str) -> dict[str, Any]:
    from pdgov.notifications.outbox import process

    return process(run_id, clock.as_of(as_of))


def handle(conf: dict[str, Any], run_id: str, as_of: date | str) -> dict[str, Any]:
    """Everything in one call (CLI, tests, benchmark): declaration to last message sent."""
    declared = declare(conf)
    ingest(run_id, as_of)
    build_models(run_id, as_of)
    return {"declared": declared, **notify(run_id, as_of)}
