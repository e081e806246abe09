"""pdgov_incident: a personal-data incident declared now, its scope, report and notices in minutes.

Trigger with the declaration as conf (the same fields as a file in ``landing/incidents/``):
incident_id, reporter, reporter_contact, known_at (the four-hour clock starts here), method,
location, description, scope_model / scope_device_ids / scope_agency_code / scope_dataset,
scope_from, scope_to, containment.

declare (validate, write the declaration) → ingest it → incident models → outbox (report to the
contact window, one notice per person, escalation past four hours). Wiring only: the work is in
``pdgov.incidents.run``. Tasks that open the warehouse run in the one-slot pool ``pdgov_warehouse``.

pdgov_incident_clock: every 15 minutes, the outbox again — messages that waited for SMTP go out
once it is back, and a report still unsent four hours after knowledge escalates within 15 minutes
instead of at the next nightly run. With nothing to send it only opens the warehouse briefly.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from pdgov.clock import AS_OF
from pdgov.dag_defaults import POOL, START_DATE, default_args, env_seconds

# Every task gets the run's as-of day as a templated argument (pdgov.clock.AS_OF): a run triggered by
# hand may have no logical date in Airflow 3, and AS_OF then takes the day it was queued for. Airflow
# passes what is in the run's context (run_id, dag_run) to the parameters of those names.


@dag(
    dag_id="pdgov_incident",
    description="Personal-data incident: scope, report, notices, four-hour clock (個資事件通報)",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["pdgov", "personal-data", "incident"],
    default_args=default_args(env_seconds("PDGOV_INCIDENT_RETRY_DELAY_SECONDS", 60)),
    doc_md=__doc__,
)
def pdgov_incident() -> None:
    @task(retries=0)
    def declare(dag_run=None) -> dict:
        """A bad declaration fails at once with every problem listed: retrying cannot fix it."""
        from pdgov.incidents.run import declare as run_declare

        return run_declare(dict(dag_run.conf or {}))

    @task(pool=POOL)
    def ingest(_: dict, as_of: str, run_id: str | None = None) -> dict:
        from pdgov.incidents.run import ingest as run_ingest

        return run_ingest(run_id, as_of)

    @task(pool=POOL)
    def build_models(_: dict, as_of: str, run_id: str | None = None) -> None:
        from pdgov.incidents.run import build_models as run_build

        run_build(run_id, as_of)

    @task(pool=POOL)
    def notify(as_of: str, run_id: str | None = None) -> dict:
        from pdgov.incidents.run import notify as run_notify

        return run_notify(run_id, as_of)

    built = build_models(ingest(declare(), AS_OF), AS_OF)
    built >> notify(AS_OF)


pdgov_incident()


@dag(
    dag_id="pdgov_incident_clock",
    description="Four-hour clock and outbox retry for personal-data incidents (個資事件通報時限)",
    schedule="*/15 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["pdgov", "personal-data", "incident"],
    default_args=default_args(timedelta(minutes=2), retries=1, pool=POOL),
    doc_md=__doc__,
)
def pdgov_incident_clock() -> None:
    @task
    def notify(as_of: str, run_id: str | None = None) -> dict:
        from pdgov.incidents.run import notify as run_notify

        return run_notify(run_id, as_of)

    notify(AS_OF)


pdgov_incident_clock()
