"""pdgov_incident: a personal-data incident declared now, its scope, report and notices in minutes.

Trigger with the declaration as conf (the same fields as a file in ``landing/incidents/``):
incident_id, reporter, reporter_contact, known_at (the four-hour clock starts here), method,
location, description, scope_model / scope_device_ids / scope_agency_code / scope_dataset,
scope_from, scope_to, containment.

declare (validate, write the declaration) → ingest it → incident models → notify (the §45 report to
the contact window, 勞保局 for a WebIR-related incident, escalation to the unit's head past four
hours) → confirm_scope (a person confirms the scope in Airflow's Required Actions: human in the loop)
→ release_notices (one §44 notice per person). Notices never go before a confirmation (PDPA art. 12:
查明後). ``confirm_scope`` waits at most ``PDGOV_INCIDENT_CONFIRM_HOURS`` (default 24) and then takes
"not yet": the run ends, and ``pdgov incident confirm ID --by NAME`` remains the way. Under ``airflow
dags test`` (the embedded default) it is skipped and the CLI confirms. Wiring only: the work is in
``pdgov.incidents.run``. Tasks that open the warehouse run in the one-slot pool ``pdgov_warehouse``.

pdgov_incident_clock: every 15 minutes, the outbox again — messages that waited for SMTP go out
once it is back, and a report still unsent four hours after knowledge escalates within 15 minutes
instead of at the next nightly run. With nothing to send it only opens the warehouse briefly.
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import dag, task

from pdgov.clock import AS_OF
from pdgov.dag_defaults import POOL, START_DATE, default_args, env_seconds
from pdgov.incidents.run import CONFIRM_OPTION, LATER_OPTION

CONFIRM_HOURS = float(os.environ.get("PDGOV_INCIDENT_CONFIRM_HOURS") or 24)

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
        """The report(s) and the clock; no notice goes before the scope is confirmed."""
        from pdgov.incidents.run import notify as run_notify

        return run_notify(run_id, as_of)

    @task.short_circuit(pool=POOL)
    def needs_confirmation(declared: dict, dag_run=None) -> bool:
        from pdgov.incidents.run import needs_confirmation as needs

        return needs(declared["incident_id"], dag_run)

    @task(pool=POOL)
    def question(declared: dict) -> str:
        from pdgov.incidents.run import confirm_question

        return confirm_question(declared["incident_id"])

    confirm_scope = HITLOperator(
        task_id="confirm_scope",
        subject="個資事件 {{ ti.xcom_pull(task_ids='declare')['incident_id'] }}：確認影響範圍後通知當事人",
        body="{{ ti.xcom_pull(task_ids='question') }}",
        options=[CONFIRM_OPTION, LATER_OPTION],
        defaults=[LATER_OPTION],
        response_timeout=timedelta(hours=CONFIRM_HOURS),
        retries=0,
    )

    @task(pool=POOL)
    def release_notices(declared: dict, event: dict, as_of: str, run_id: str | None = None) -> dict:
        """Record who confirmed in Airflow (via hitl), then queue and send the notices."""
        from pdgov.incidents.run import release_notices as release

        return release(declared["incident_id"], event, run_id, as_of)

    declared = declare()
    built = build_models(ingest(declared, AS_OF), AS_OF)
    notified = notify(AS_OF)
    asked = needs_confirmation(declared)
    built >> notified >> asked >> question(declared) >> confirm_scope
    confirm_scope >> release_notices(declared, confirm_scope.output, AS_OF)


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
