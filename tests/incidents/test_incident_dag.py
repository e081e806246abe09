"""The ``pdgov_incident`` DAG through real Airflow (``airflow dags test`` with a conf), on a copy of
the incident tests' warehouse (real ingest and dbt), delivering to aiosmtpd on loopback.

On the embedded default nobody answers Airflow's Required Actions, so the run sends the report,
skips ``confirm_scope`` and ends; ``pdgov incident confirm`` then releases the notices."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_KEY, pdgov_cli

# ruff: noqa: F811 - fixtures imported from the support module, injected by name
from incident_support import LoopbackSmtp, incident_base, query  # noqa: F401

BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_incident_dag_declares_scopes_and_sends_in_one_run(incident_base, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy2(incident_base["home"] / "warehouse" / "pdgov.duckdb", home / "warehouse" / "pdgov.duckdb")
    monkeypatch.setenv("PDGOV_HOME", str(home))
    monkeypatch.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    monkeypatch.setenv("AIRFLOW_VAR_PDGOV_HMAC_KEY", TEST_KEY)
    from pdgov import clock
    from pdgov.runner import prepare

    smtp = LoopbackSmtp()
    smtp.start()
    try:
        env = {**prepare(), **smtp.connection_env(), "PDGOV_TASK_RETRIES": "0"}
        conf = {"incident_id": "INC-DAG", "reporter": "資訊局資安科", "reporter_contact": "soc@pdgov.test",
                "known_at": f"{clock.now():%Y-%m-%d %H:%M:%S}", "method": "設備疑遭入侵", "location": "各機關",
                "description": "FACE8 疑有後門", "scope_model": "FACE8", "scope_dataset": "punches",
                "containment": "同型號設備全面停用"}
        proc = subprocess.run([str(BIN / "airflow"), "dags", "test", "pdgov_incident", "-c", json.dumps(conf)],
                              env=env, capture_output=True, text=True, timeout=900)
        log = proc.stdout[-4000:] + proc.stderr[-4000:]
        assert proc.returncode == 0, log
        ids = dict(query(home, "SELECT message_id, incident_id FROM notification_outbox"))
        assert [r.subject[:10] for r in smtp.received if ids.get(r.message_id) == "INC-DAG"] == ["【個資事件通報】IN"], log
        assert "pdgov incident confirm INC-DAG" in proc.stdout + proc.stderr
        confirmed = pdgov_cli(home, "incident", "confirm", "INC-DAG", "--by", "政風室 陳主任",
                              **{k: v for k, v in smtp.connection_env().items()})
    finally:
        smtp.stop()
    people = query(home, "SELECT count(*) FROM incident_scope WHERE incident_id = 'INC-DAG'")[0][0]
    assert people == incident_base["manifest"]["planted"]["people_punched_on_implicated_model"] + 1 > 1, log
    suspended = {d for (d,) in query(home, "SELECT device_id FROM incident_suspension_list "
                                           "WHERE incident_id = 'INC-DAG'")}
    assert suspended == set(incident_base["manifest"]["planted"]["devices_of_implicated_model"])
    ids = dict(query(home, "SELECT message_id, incident_id FROM notification_outbox"))
    to_dag = [r for r in smtp.received if ids.get(r.message_id) == "INC-DAG"]
    emails = query(home, "SELECT count(email) FROM incident_scope WHERE incident_id = 'INC-DAG'")[0][0]
    assert len(to_dag) == emails + 1, confirmed.stdout[-3000:]
    assert len({r.message_id for r in smtp.received}) == len(smtp.received)
    assert query(home, "SELECT clock_status FROM incidents_log WHERE incident_id = 'INC-DAG'") == [("on_time",)]
