"""Every DAG imports cleanly and quickly, and declares what operators need to run it safely."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))
HEAVY_MODULES = {"pandas", "duckdb", "openpyxl", "pandera", "numpy", "polars", "dbt", "pdgov.ingest",
                 "pdgov.exports", "pdgov.retention", "pdgov.notifications", "pdgov.synth"}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] = "False"
    # Import the libraries once, as a long-lived dag-processor has them: the parse-time budget
    # is for what the DAG file itself does, not for loading Cosmos into a cold interpreter.
    import cosmos  # noqa: F401
    import cosmos.operators.local  # noqa: F401  (Cosmos imports its dbt operators lazily)
    from airflow.dag_processing.dagbag import DagBag

    from pdgov.runner import ensure_manifest

    ensure_manifest()  # the tests below read dbt's manifest: a stale one would test an old project
    return DagBag(dag_folder=str(DAGS))


def test_there_are_dags():
    assert any(p.name == "pdgov_nightly.py" for p in DAG_FILES)


def test_every_dag_imports_without_error(dagbag):
    assert dagbag.import_errors == {}
    assert "pdgov_nightly" in dagbag.dags


#: The domain's heavy libraries: a DAG file that imports one at parse time makes every dag-processor
#: loop pay for it (the Astro template's rule: DAG files declare, the package does the work).
HEAVY_AT_PARSE = ("duckdb", "pandas", "pyarrow", "openpyxl", "pandera", "ibis", "dbt", "aiosmtpd")


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_every_dag_parses_without_heavy_imports(dag_file):
    """Parse each file in a new interpreter, as the dag-processor does, and list what it imports.

    Libraries the dag-processor already holds (Airflow, Cosmos and its operators) are imported
    first; what the DAG file adds beyond them must not include the domain's heavy libraries.
    Counting modules rather than seconds keeps the test deterministic on a busy machine.
    """
    import json
    import subprocess
    import sys

    code = (
        "import sys, json, runpy, airflow.sdk, cosmos, cosmos.operators.local; before=set(sys.modules); "
        f"runpy.run_path({str(dag_file)!r}); print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    added = json.loads(out.stdout.strip().splitlines()[-1])
    heavy = sorted(m for m in added if m.split(".")[0] in HEAVY_AT_PARSE)
    assert heavy == [], f"{dag_file.name} imports at parse time: {heavy[:10]}"


def test_every_dag_has_tags_owner_and_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        for t in dag.tasks:
            assert t.owner and t.owner != "airflow", f"{dag_id}.{t.task_id} has no owner"
            assert t.retries is not None
        assert any(t.retries >= 1 for t in dag.tasks), f"{dag_id} never retries"


def test_nightly_schedule_is_two_am_taipei(dagbag):
    dag = dagbag.dags["pdgov_nightly"]
    assert dag.timetable.expression == "0 2 * * *"
    assert "Asia/Taipei" in str(dag.timetable.timezone)
    assert dag.catchup is False
    assert dag.max_active_runs == 1


def test_warehouse_tasks_share_the_one_slot_pool(dagbag):
    for t in dagbag.dags["pdgov_nightly"].tasks:
        assert t.pool == "pdgov_warehouse", f"{t.task_id} is outside the warehouse pool"


DBT_TASKS = ("dbt_staging", "dbt_seeds", "dbt_models")


def test_dbt_runs_as_one_build_per_layer_in_order(dagbag):
    """Staging, the reference seeds, then the models: three ``dbt build`` tasks, not one per model
    (each dbt start costs ~0.6 s; 65 of them were 41 s of a demo night)."""
    from cosmos import DbtBuildLocalOperator

    dag = dagbag.dags["pdgov_nightly"]
    dbt_tasks = [t for t in dag.tasks if isinstance(t, DbtBuildLocalOperator)]
    assert sorted(t.task_id for t in dbt_tasks) == sorted(DBT_TASKS)
    staging, seeds, models = (dag.get_task(i) for i in DBT_TASKS)
    assert staging.select == ["path:models/staging"] and seeds.select == ["path:seeds"]
    assert models.select == ["path:models/intermediate", "path:models/marts", "path:tests"]
    assert set(seeds.upstream_task_ids) == {"dbt_staging"} and set(seeds.downstream_task_ids) == {"dbt_models"}
    assert dag.get_task("delete_approved").downstream_task_ids == {"dbt_staging"}
    assert models.downstream_task_ids == {"enforce_retention"}


def test_every_data_test_runs_in_exactly_one_dbt_task(dagbag, tmp_path, monkeypatch):
    """Asked of dbt itself (``dbt ls`` with each task's selection): a test on two layers (a singular
    test joining a mart to staging, a relationship to a seed) would otherwise run twice or never."""
    from dbt.cli.main import dbtRunner

    from pdgov.config import DBT_PROJECT_DIR

    monkeypatch.setenv("PDGOV_HOME", str(tmp_path))  # the profile names the warehouse; ls opens none
    project = str(DBT_PROJECT_DIR)

    def ls(*args: str) -> list[str]:
        # The checkout's own target/ (where `pdgov parse` put the parse): dbt starts from it.
        res = dbtRunner().invoke(["ls", "-q", "--resource-type", "test", "--output", "name", "--project-dir",
                                  project, "--profiles-dir", project, "--target-path", f"{project}/target",
                                  "--log-path", f"{project}/logs", *args])
        assert res.success, res.exception
        return list(res.result)

    every = ls("--exclude", "resource_type:unit_test")
    ran: list[str] = []
    for task_id in DBT_TASKS:
        t = dagbag.dags["pdgov_nightly"].get_task(task_id)
        ran += ls("--select", *t.select, "--exclude", *t.exclude, "--indirect-selection", t.indirect_selection)
    assert len(every) > 200
    assert sorted(ran) == sorted(every), {"twice": sorted({n for n in ran if ran.count(n) > 1}),
                                          "never": sorted(set(every) - set(ran))}


def test_dbt_tasks_narrow_cosmos_collection_and_skip_throwaway_json(dagbag):
    """Every dbt task freezes the heap before dbt and thaws it after (pdgov.transform.dbt_tasks)."""
    from pdgov.transform.dbt_tasks import freeze_heap, thaw_heap

    dbt_tasks = [dagbag.dags["pdgov_nightly"].get_task(i) for i in DBT_TASKS]
    for t in dbt_tasks:
        assert t._pre_execute_hook is freeze_heap and t._post_execute_hook is thaw_heap, t.task_id
        assert "--no-write-json" in (t.dbt_cmd_flags or []), t.task_id
    # One partial-parse cache for all three: the night's vars make dbt parse the project once, not thrice.
    caches = {t.cache_dir for t in dbt_tasks}
    assert len(caches) == 1 and None not in caches, caches


def test_dbt_unit_tests_stay_out_of_the_night(dagbag):
    """dbt unit tests check fixed inputs: CI runs them (tests/models), the night's builds skip them."""
    for i in DBT_TASKS:
        assert "resource_type:unit_test" in dagbag.dags["pdgov_nightly"].get_task(i).exclude, i


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_no_heavy_imports_or_io_at_top_level(dag_file):
    tree = ast.parse(dag_file.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                assert not any(name == h or name.startswith(h + ".") for h in HEAVY_MODULES), (
                    f"{dag_file.name}: top-level import of {name}"
                )
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            fn = ast.unparse(node.value.func)
            assert not fn.startswith(("open", "duckdb", "subprocess")), f"{dag_file.name}: top-level {fn}()"


def test_tests_that_read_only_seeds_live_in_tests_seeds(dagbag):
    """A singular test whose every parent is a seed runs in ``dbt_seeds`` (cautious indirect
    selection picks it up there); the models task excludes ``path:tests/seeds``, so the convention —
    such tests live in ``dbt_project/tests/seeds/`` — is what keeps them from running twice, and this
    test keeps the convention (the one above checks the outcome)."""
    import json

    manifest = json.loads((Path(__file__).resolve().parents[2] / "dbt_project/target/manifest.json").read_text())
    singular = {n["name"]: n for n in manifest["nodes"].values()
                if n["resource_type"] == "test" and n["original_file_path"].startswith("tests/")}
    seed_only = {name for name, n in singular.items()
                 if all(d.startswith("seed.") for d in n["depends_on"]["nodes"])}
    assert "register_codes_are_official" in seed_only
    for name, n in singular.items():
        assert (name in seed_only) == n["original_file_path"].startswith("tests/seeds/"), n["original_file_path"]
    assert "path:tests/seeds" in dagbag.dags["pdgov_nightly"].get_task("dbt_models").exclude


def test_tasks_and_dbt_read_the_same_taipei_as_of_day_with_or_without_a_logical_date(dagbag):
    """Python tasks get the as-of day as a templated argument and dbt as PDGOV_AS_OF, from the one
    template ``pdgov.clock.AS_OF``. Rendered with the DAGs' own Jinja environment for a scheduled
    night (02:00 Taipei is 18:00 UTC the day before) and for a run triggered by hand without a
    logical date (Airflow 3 allows it: the day is then the one the run was queued for). The run id
    reaches dbt as PDGOV_RUN_ID and the Python tasks from the run's context, by parameter name: passing it
    as an argument too is refused by Airflow when the task runs ("reserved"), so it is checked here."""
    from datetime import UTC, datetime

    from airflow.sdk.api.datamodels._generated import DagRun
    from airflow.sdk.definitions.context import Context
    from airflow.sdk.execution_time.context import MacrosAccessor

    from pdgov.clock import AS_OF

    runs = [
        ("scheduled__2026-11-01T18:00:00+00:00", datetime(2026, 11, 1, 18, 0, tzinfo=UTC),
         datetime(2026, 11, 2, 18, 0, tzinfo=UTC), "2026-11-02"),
        # Queued at 00:30 Taipei on 3 November, no logical date: that Taipei day, not the UTC one.
        ("manual__2026-11-02T16:30:00+00:00", None, datetime(2026, 11, 2, 16, 30, tzinfo=UTC), "2026-11-03"),
    ]
    checked = {"dbt": 0, "python": 0}
    for run_id, logical, run_after, day in runs:
        for dag_id in ("pdgov_nightly", "pdgov_incident", "pdgov_incident_clock"):
            dag = dagbag.dags[dag_id]
            dr = DagRun(dag_id=dag_id, run_id=run_id, logical_date=logical, data_interval_start=logical,
                        data_interval_end=logical, run_after=run_after, start_date=None, end_date=None,
                        run_type=run_id.split("__")[0], state="running", consumed_asset_events=[],
                        partition_key=None)
            context = {**dict.fromkeys(Context.__annotations__), "dag_run": dr, "macros": MacrosAccessor(),
                       "run_id": run_id}
            for t in dag.tasks:
                if isinstance(getattr(t, "env", None), dict) and "PDGOV_AS_OF" in t.env:
                    # dbt tasks: in the environment (macro pdgov_as_of), not --vars, which made dbt
                    # re-parse the project every night
                    env = t.render_template(t.env, context)
                    assert (env["PDGOV_AS_OF"], env["PDGOV_RUN_ID"]) == (day, run_id), t.task_id
                    assert not t.vars, t.task_id
                    checked["dbt"] += 1
                elif hasattr(t, "determine_kwargs"):
                    kwargs = t.determine_kwargs(context)  # raises if an argument takes a context key's name
                    assert kwargs.get("run_id", run_id) == run_id, t.task_id
                    if AS_OF in t.op_args:
                        # Upstream XComArgs among the arguments need a live run: render the day alone.
                        assert t.render_template(AS_OF, context) == day, t.task_id
                        checked["python"] += 1
    nightly = dagbag.dags["pdgov_nightly"]
    takes_as_of = {t.task_id for t in nightly.tasks if AS_OF in (getattr(t, "op_args", None) or [])}
    assert {"start_run", "ingest_punches", "enforce_retention", "write_exports", "generate_docs"} <= takes_as_of
    # + pdgov_incident's ingest, build_models, notify, release_notices and pdgov_incident_clock's notify
    assert checked["dbt"] == 2 * len(DBT_TASKS) and checked["python"] == 2 * (len(takes_as_of) + 5), checked
