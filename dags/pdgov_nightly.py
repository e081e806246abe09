"""pdgov_nightly: every night at 02:00 Asia/Taipei, prove the city handles personal data lawfully.

ingest (one task per source) → deletion of the batches a person approved (before the models, so
they rebuild every derived table without the rows) → dbt: one ``dbt build`` per layer (staging, the
reference seeds, the models with their tests; Cosmos's ``DbtBuildLocalOperator``) → retention
(propose tonight's due batches; fresh-file copy after a deletion) → committee workbooks →
notifications → lineage docs → run ledger.

Wiring only: the work is in ``pdgov.pipeline`` and the packages it calls. Every task that opens
the DuckDB warehouse runs in the one-slot pool ``pdgov_warehouse``, so no two tasks (of this
or any other pdgov DAG) ever contend for DuckDB's single-writer lock.
"""

from __future__ import annotations

import os
from pathlib import Path

# No usage data leaves the machine: this pipeline handles government personal data.
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

from airflow.sdk import dag, task  # noqa: E402
from airflow.sdk.exceptions import AirflowFailException  # noqa: E402
from cosmos import DbtBuildLocalOperator, ProfileConfig  # noqa: E402
from cosmos import settings as cosmos_settings  # noqa: E402
from cosmos.constants import InvocationMode, TestIndirectSelection  # noqa: E402

from pdgov.clock import AS_OF, RUN_ID  # noqa: E402  (light: the clock and its templates)
from pdgov.dag_defaults import POOL, SOURCES, START_DATE, default_args, env_seconds  # noqa: E402
from pdgov.deploy.assets import COMMITTEE_WORKBOOKS  # noqa: E402  (light: one Asset definition)
from pdgov.transform.dbt_tasks import freeze_heap, thaw_heap  # noqa: E402  (light: gc only)

DBT_DIR = Path(os.environ.get("PDGOV_DBT_PROJECT_DIR", Path(__file__).resolve().parents[1] / "dbt_project"))

_profile = ProfileConfig(
    profile_name="pdgov", target_name="duckdb", profiles_yml_filepath=DBT_DIR / "profiles.yml"
)
# One partial-parse cache for the three dbt tasks, kept from night to night: the night's date comes in
# the environment, so the parse stays valid until the project changes. (A path only: Cosmos creates
# the folder when it first writes to it, so parsing this file does no I/O.)
_CACHE_DIR = Path(cosmos_settings.cache_dir) / "pdgov_nightly"


def _dbt_build(task_id: str, select: list[str], indirect: TestIndirectSelection,
               exclude: tuple[str, ...] = ()) -> DbtBuildLocalOperator:
    """One ``dbt build`` over a layer of the project: its models, then the tests the selection takes.

    A layer is a task, not each model (Cosmos's ``DbtTaskGroup``): the night paid dbt's start
    (~0.6 s: the adapter, the manifest, a connection) once per model, 65 times — on the demo 41 of
    the 58 seconds its dbt tasks took. Per-model status stays in the task's dbt log and in the
    lineage docs; a failing model fails its layer's task, and dbt skips only what depends on it.
    dbt unit tests check the models' arithmetic on fixed inputs, not the night's data: CI runs them
    (tests/models); the night would only repeat them.
    """
    return DbtBuildLocalOperator(
        task_id=task_id, project_dir=DBT_DIR, profile_config=_profile, select=select,
        exclude=[*exclude, "resource_type:unit_test"], indirect_selection=indirect.value,
        invocation_mode=InvocationMode.DBT_RUNNER, cache_dir=_CACHE_DIR,
        pool=POOL, install_deps=False, append_env=True,
        # The same as-of day and run id the Python tasks receive (pdgov.clock), in the environment
        # rather than as --vars: new vars every night made dbt re-parse the whole project (macro
        # pdgov_as_of says why).
        env={"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1",
             "PDGOV_AS_OF": AS_OF, "PDGOV_RUN_ID": RUN_ID},
        # dbt's manifest.json and run_results.json would be written into Cosmos's temporary copy of
        # the project and thrown away with it. Lineage docs come from generate_docs.
        dbt_cmd_flags=["--no-write-json"],
        # Cosmos runs a full gc.collect() after every dbt command; these narrow it to the objects the
        # command created (why: pdgov.transform.dbt_tasks).
        pre_execute=freeze_heap, post_execute=thaw_heap,
    )


@dag(
    dag_id="pdgov_nightly",
    description="Nightly personal-data governance run (個資治理夜間作業)",
    schedule="0 2 * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["pdgov", "personal-data", "nightly"],
    default_args=default_args(env_seconds("PDGOV_RETRY_DELAY_SECONDS", 300), pool=POOL),
    doc_md=__doc__,
)
def pdgov_nightly() -> None:
    # Every task gets the run's as-of day as a templated argument (pdgov.clock.AS_OF, the string the
    # dbt tasks get as the var as_of_date); Airflow passes what is in the run's context (run_id,
    # dag_run, the data interval, ti) to the parameters of those names.
    @task
    def start_run(as_of: str, run_id: str | None = None, dag_run=None, data_interval_start=None,
                  data_interval_end=None) -> None:
        from pdgov import pipeline

        pipeline.start_run(run_id, as_of, pipeline.triggered_by(dag_run), data_interval_start, data_interval_end)

    @task
    def ingest(source: str, as_of: str, run_id: str | None = None) -> dict:
        from pdgov import pipeline

        return pipeline.ingest(source, run_id, as_of)

    # Three layers, three builds. Tests whose every parent is a staging model run with staging
    # (cautious); tests that read only seeds live in tests/seeds/ and run with the seeds; every other
    # test (singular tests joining marts to staging or seeds, relationships across layers) runs with
    # the models (eager: a test on any model of the layer, after all of its parents are built).
    # tests/foundation/test_dag_integrity.py checks that each data test runs in exactly one of them.
    staging = _dbt_build("dbt_staging", ["path:models/staging"], TestIndirectSelection.CAUTIOUS)
    seeds = _dbt_build("dbt_seeds", ["path:seeds"], TestIndirectSelection.CAUTIOUS)
    models = _dbt_build("dbt_models", ["path:models/intermediate", "path:models/marts", "path:tests"],
                        TestIndirectSelection.EAGER, exclude=("path:tests/seeds",))

    @task
    def delete_approved(as_of: str, run_id: str | None = None) -> dict:
        from pdgov import pipeline

        return pipeline.delete_approved(run_id, as_of)

    @task
    def enforce_retention(as_of: str, run_id: str | None = None) -> dict:
        from pdgov import pipeline

        return pipeline.enforce_retention(run_id, as_of)

    @task(outlets=[COMMITTEE_WORKBOOKS])
    def write_exports(as_of: str, run_id: str | None = None) -> list[str]:
        from pdgov import pipeline

        return pipeline.write_exports(run_id, as_of)

    @task
    def process_notifications(as_of: str, run_id: str | None = None) -> dict:
        from pdgov import pipeline

        return pipeline.process_notifications(run_id, as_of)

    @task
    def generate_docs(as_of: str, run_id: str | None = None) -> str:
        from pdgov import pipeline

        return pipeline.generate_docs(run_id, as_of)

    @task(trigger_rule="all_done", retries=0)
    def finish_run(run_id: str | None = None, ti=None) -> dict:
        """Record the run in the ledger whatever happened, then fail if anything upstream did."""
        from pdgov import pipeline

        states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id]).get(ti.run_id, {})
        failed = sorted(t for t, s in states.items() if s == "failed" and t != ti.task_id)
        failed += [f"{n} tasks not run (upstream failed)" for n in
                   [sum(1 for s in states.values() if s == "upstream_failed")] if n]
        summary = pipeline.finish_run(run_id, failed)
        if failed:
            raise AirflowFailException(f"pdgov run failed in: {', '.join(failed)}")
        return summary

    begun = start_run(AS_OF)
    ingested = [ingest.override(task_id=f"ingest_{s}")(s, AS_OF) for s in SOURCES]
    deleted = delete_approved(AS_OF)
    retention = enforce_retention(AS_OF)
    exports = write_exports(AS_OF)
    notified = process_notifications(AS_OF)
    docs = generate_docs(AS_OF)
    finished = finish_run()
    begun >> ingested >> deleted >> staging >> seeds >> models >> retention >> exports >> notified >> docs >> finished


pdgov_nightly()
