"""The production deployment, for real, without Docker.

Real Airflow 3 components as processes — api-server, scheduler, dag-processor, Celery worker —
with the metadata DB in the machine's PostgreSQL (a database made for this run, dropped after)
and the broker on its Redis (a DB number and queue unique to this run), configured by the same
``pdgov.deploy.settings`` that ``docker/compose.yaml`` mirrors. ``pdgov_nightly`` is triggered
through the REST API (JWT from ``/auth/token``); then a steward's ``airflow backfill create``
re-runs the same day, and the warehouse must be unchanged: a day backfilled equals a day run once.
An incident is then declared through ``pdgov_incident`` and its scope confirmed by a person through
Airflow's human-in-the-loop REST API: the notices go only after that answer.

Run alone: ``pytest -m deployment tests/deployment``. Every process started here is stopped
(and the database dropped) even when a test fails.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from support import free_port
from support.airflow_api import AirflowApi
from support.cluster import CALLER_DBT_LOCATION, LocalCluster, create_database, drop_database
from support.services import require

from pdgov.config import DBT_PROJECT_DIR
from pdgov.deploy.fingerprint import diff, fingerprint
from pdgov.deploy.settings import Deployment

pytestmark = pytest.mark.deployment

DAG_ID = "pdgov_nightly"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379"
# The night of 2026-11-02, 02:00 Asia/Taipei (its as-of day); the synthetic data ends the day before.
RUN_AT = "2026-11-01T18:00:00+00:00"
AS_OF = "2026-11-02"
DATA_END = "2026-11-01"
RUN_TIMEOUT = 40 * 60  # one night is some 75 tasks, each a process start on 2 shared cores
TEST_KEY = "pdgov-deployment-test-key-0123456789abcdef"


def _snapshot_dbt_project(dest: Path, home: Path) -> Path:
    """A private copy of the dbt project with its own manifest.

    Cosmos renders the DAG's tasks from the manifest; in a shared checkout another process may
    rewrite ``dbt_project/target`` mid-run, and Airflow would then mark vanished tasks 'removed'.
    A deployment ships one version of the project: so does this test.
    """
    shutil.copytree(DBT_PROJECT_DIR, dest, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    env = {k: v for k, v in os.environ.items() if k not in CALLER_DBT_LOCATION}
    env.update(PDGOV_HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--profiles-dir", ".",
                    "--target-path", "target", "--log-path", "logs"], cwd=dest, env=env, check=True,
                   capture_output=True, timeout=600)
    if not (dest / "target" / "manifest.json").is_file():
        raise AssertionError(f"dbt parse wrote no manifest into the copy {dest}")
    return dest


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    require(("PostgreSQL", "127.0.0.1", 5432), ("Redis", "127.0.0.1", 6379))
    import redis
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from pdgov.synth import generate

    base = tmp_path_factory.mktemp("deployment")
    home = base / "pdgov_home"
    generate(home, scale="demo", seed=7, end=datetime.fromisoformat(DATA_END).date())
    dbt_dir = _snapshot_dbt_project(base / "dbt_project", home)

    uid = uuid.uuid4().hex[:10]
    db_name = f"pdgov_deploy_{uid}"
    redis_db = 1 + int(uid, 16) % 15
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    password = secrets.token_urlsafe(16)
    dep = Deployment(
        airflow_home=base / "airflow",
        pdgov_home=home,
        sql_alchemy_conn=f"postgresql+psycopg2://postgres@127.0.0.1:5432/{db_name}",
        broker_url=f"{REDIS}/{redis_db}",
        jwt_secret=secrets.token_hex(32),
        hmac_key=TEST_KEY,
        queue=f"pdgov_{uid}",
        api_port=free_port(),
        worker_log_port=free_port(),
        # A plain loopback relay: without these extras SmtpHook speaks SMTPS to it (SSL WRONG_VERSION_NUMBER)
        # and the incident's messages stay pending.
        smtp_conn=f"smtp://127.0.0.1:{smtp.port}?disable_ssl=true&disable_tls=true&from_email=pdgov%40pdgov.test",
        dbt_project_dir=dbt_dir,
        # Only what this test triggers may run: no run for "the latest interval" on unpause.
        extra={"AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False", "PDGOV_TASK_RETRIES": "0",
               # The city's 301 workbooks are shared among processes; the demo's six would not be.
               # Two workers here run that path inside a Celery worker's task process.
               "PDGOV_EXPORT_WORKERS": "2",
               # Where the §45 report, the escalation and a WebIR incident's 勞保局 report go: all
               # required, a missing one fails the run (docs/incidents.md).
               "AIRFLOW_VAR_PDGOV_CONTACT_WINDOW": "window@pdgov.test",
               "AIRFLOW_VAR_PDGOV_ESCALATION_TO": "head@pdgov.test",
               "AIRFLOW_VAR_PDGOV_BLI_CONTACT": "bli@pdgov.test",
               # Two cores shared by many processes: the worker's calls to the execution API may take
               # longer than the default 5 s (a ReadTimeout failed start_run before it ran).
               "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60"},
    )
    cluster = LocalCluster(dep, log_dir=base / "logs", worker_name=f"pdgov_{uid}")
    create_database(PG_ADMIN, db_name)
    api = AirflowApi(dep.api_url, "admin", password)
    try:
        cluster.prepare(admin_password=password)
        cluster.start("api-server", "scheduler", "dag-processor", "celery-worker")
        try:
            api.wait_ready(alive=cluster.check_alive)
            dag = api.wait_dag(DAG_ID, alive=cluster.check_alive)
        except Exception as e:
            # A DAG that never appears says why only in the components' logs: show them here.
            raise RuntimeError(f"{e}\n{cluster.tail_logs()}") from e
        api.unpause(DAG_ID)
        yield {"dep": dep, "cluster": cluster, "api": api, "dag": dag, "state": {}}
    finally:
        api.close()
        cluster.stop()
        smtp.stop()
        drop_database(PG_ADMIN, db_name)
        r = redis.Redis.from_url(f"{REDIS}/{redis_db}")
        r.flushdb()
        r.close()


def _wait(d, count: int) -> list[dict]:
    try:
        return d["api"].wait_runs(DAG_ID, count, RUN_TIMEOUT, alive=d["cluster"].check_alive)
    except Exception as e:
        raise AssertionError(f"{e}\n{d['cluster'].tail_logs()}") from e


def _ledger(d, run_id: str) -> dict:
    import duckdb

    con = duckdb.connect(str(d["dep"].pdgov_home / "warehouse" / "pdgov.duckdb"), read_only=True)
    try:
        cur = con.execute("SELECT * FROM main.run_ledger WHERE run_id = ?", [run_id])
        rec = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], rec, strict=True)) if rec else {}
    finally:
        con.close()


def _overlaps(tis: list[dict]) -> list[tuple[str, str]]:
    """Pairs of warehouse-pool task instances that ran at the same time (must be none)."""
    spans = sorted(
        (datetime.fromisoformat(t["start_date"]), datetime.fromisoformat(t["end_date"]), t["task_id"])
        for t in tis if t.get("pool") == "pdgov_warehouse" and t.get("start_date") and t.get("end_date")
    )
    return [(a[2], b[2]) for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1]]


def test_dag_is_deployed_with_one_active_run(deployment):
    # Backfilled days run in order, one writer at a time, only if the DAG allows one active run.
    assert deployment["dag"]["max_active_runs"] == 1
    assert deployment["dag"]["is_paused"] is True  # paused at creation: nothing runs before a steward says so


def test_nightly_triggered_through_the_rest_api_succeeds(deployment):
    api = deployment["api"]
    run = api.trigger(DAG_ID, RUN_AT, conf={"triggered_by": "deployment-test"})
    t0 = time.monotonic()
    runs = _wait(deployment, 1)
    assert [r["state"] for r in runs] == ["success"], runs
    run_id = run["dag_run_id"]
    tis = api.task_instances(DAG_ID, run_id)
    assert tis and all(t["state"] == "success" for t in tis), [(t["task_id"], t["state"]) for t in tis]
    assert {t["queue"] for t in tis} == {deployment["dep"].queue}  # every task went through our Celery queue
    assert not _overlaps(tis)
    ledger = _ledger(deployment, run_id)
    assert ledger["status"] == "success" and str(ledger["logical_date"]) == AS_OF
    exports_log = "\n".join(f.read_text(errors="replace") for f in
                             (deployment["dep"].airflow_home / "logs").rglob("*write_exports*/*.log"))
    # PDGOV_EXPORT_WORKERS=2: two processes for the agencies' workbooks and one for the city's
    assert "workbooks in" in exports_log and "(3 processes)" in exports_log, exports_log[-3000:]
    deployment["state"].update(run_once=fingerprint(deployment["dep"].pdgov_home / "warehouse" / "pdgov.duckdb"),
                               seconds=time.monotonic() - t0, tasks=len(tis))
    print(f"pdgov_nightly through Celery: {len(tis)} tasks in {time.monotonic() - t0:.0f}s")


@pytest.mark.skipif(os.environ.get("PDGOV_DEPLOYMENT_BACKFILL") != "1",
                    reason="a second full night through Celery (~5 min): run with PDGOV_DEPLOYMENT_BACKFILL=1")
def test_backfilled_day_equals_the_day_run_once(deployment):
    once = deployment["state"].get("run_once")
    if once is None:
        pytest.skip("needs the triggered run of test_nightly_triggered_through_the_rest_api_succeeds")
    cluster, api = deployment["cluster"], deployment["api"]
    # A steward re-runs the night of AS_OF (the window is inclusive, in Taipei time).
    cluster.airflow("backfill", "create", "--dag-id", DAG_ID,
                    "--from-date", f"{AS_OF}T00:00:00+08:00", "--to-date", f"{AS_OF}T23:59:59+08:00",
                    "--reprocess-behavior", "completed")
    deadline = time.monotonic() + 120
    while not any(r["run_type"] == "backfill" or r["state"] != "success" for r in api.dag_runs(DAG_ID)):
        assert time.monotonic() < deadline, "the backfill created no run"
        time.sleep(3)
    runs = _wait(deployment, 1)
    assert all(r["state"] == "success" for r in runs), runs
    backfilled = [r for r in runs if r["run_type"] == "backfill"] or runs
    for r in backfilled:
        tis = api.task_instances(DAG_ID, r["dag_run_id"])
        assert not _overlaps(tis)
        assert _ledger(deployment, r["dag_run_id"])["status"] == "success"
    again = fingerprint(deployment["dep"].pdgov_home / "warehouse" / "pdgov.duckdb")
    assert diff(once, again) == {}


def test_incident_scope_confirmed_through_the_hitl_api(deployment):
    """Seed 002 §44-45 in two steps on the deployment: the run sends the report and then asks, in
    Airflow's Required Actions, for a person to confirm the scope; the answer given through the HITL
    REST API is recorded (who, when, via hitl) and releases the notices."""
    import duckdb

    from pdgov import clock
    from pdgov.incidents.run import CONFIRM_OPTION, LATER_OPTION

    api, cluster = deployment["api"], deployment["cluster"]
    if deployment["state"].get("run_once") is None:
        pytest.skip("needs the warehouse of test_nightly_triggered_through_the_rest_api_succeeds")
    dag_id = "pdgov_incident"
    api.wait_dag(dag_id, alive=cluster.check_alive)
    api.unpause(dag_id)
    conf = {"incident_id": "INC-HITL", "reporter": "資訊局資安科", "reporter_contact": "soc@pdgov.test",
            "known_at": f"{clock.now():%Y-%m-%d %H:%M:%S}", "method": "設備疑遭入侵", "location": "各機關",
            "description": "FACE8 疑有後門", "scope_model": "FACE8", "scope_dataset": "punches",
            "containment": "同型號設備全面停用"}
    run_id = api.trigger(dag_id, None, conf=conf, run_id="incident_hitl")["dag_run_id"]
    try:
        api.wait_task_state(dag_id, run_id, "confirm_scope", {"awaiting_input", "deferred"}, 15 * 60,
                            alive=cluster.check_alive)
        detail = api.hitl_detail(dag_id, run_id, "confirm_scope")
        assert detail["options"] == [CONFIRM_OPTION, LATER_OPTION] and detail["defaults"] == [LATER_OPTION]
        assert "INC-HITL" in detail["subject"] and "當事人" in detail["body"]
        answered = api.hitl_respond(dag_id, run_id, "confirm_scope", [CONFIRM_OPTION])
        assert answered["chosen_options"] == [CONFIRM_OPTION]
        runs = api.wait_runs(dag_id, 1, 15 * 60, alive=cluster.check_alive)
    except Exception as e:
        raise AssertionError(f"{e}\n{cluster.tail_logs()}") from e
    assert [r["state"] for r in runs] == ["success"], runs
    states = {t["task_id"]: t["state"] for t in api.task_instances(dag_id, run_id)}
    assert states["release_notices"] == "success" and states["confirm_scope"] == "success", states
    con = duckdb.connect(str(deployment["dep"].pdgov_home / "warehouse" / "pdgov.duckdb"), read_only=True)
    try:
        rec = con.execute("SELECT confirmed_by, via FROM main.incident_confirmations "
                          "WHERE incident_id = 'INC-HITL'").fetchall()
        emails = con.execute("SELECT count(email) FROM main.incident_scope WHERE incident_id = 'INC-HITL'").fetchone()[0]
        sent = dict(con.execute("SELECT kind, count(*) FROM main.notification_outbox WHERE incident_id = 'INC-HITL' "
                                "AND status = 'sent' GROUP BY ALL").fetchall())
        log = con.execute("SELECT scope_confirmed_by, scope_confirmed_via FROM main.incidents_log "
                          "WHERE incident_id = 'INC-HITL'").fetchall()
    finally:
        con.close()
    assert rec == [("admin", "hitl")] == log
    assert emails > 0 and sent == {"report": 1, "subject_notice": emails}
