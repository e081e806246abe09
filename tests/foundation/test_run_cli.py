"""What `pdgov run` prints and when it says the night succeeded (issues 20 and 21).

The session's demo run is the quiet terminal a newcomer sees; two short real runs that fail
early check that a failure is never reported as the previous night's success.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import BIN, pdgov_cli, pdgov_env

pytestmark = pytest.mark.slow
TASK_LINE = re.compile(r"^\s+\[\s*(\d+)/(\d+)\] (\S+)\s+(\w+)\s+(\d+\.\d) s$")


def test_a_demo_night_prints_one_line_per_task(demo_run):
    if not demo_run.run_output:
        pytest.skip("PDGOV_TEST_REUSE_DEMO: the run's terminal output was not kept")
    lines = demo_run.run_output.splitlines()
    tasks = [TASK_LINE.match(ln) for ln in lines]
    tasks = [m for m in tasks if m]
    total = int(tasks[0].group(2))
    assert len(lines) < 100, f"{len(lines)} lines for {total} tasks"  # issue 20: under 100 lines a demo night
    assert len(tasks) == total, "every task has its line"
    done = [int(m.group(1)) for m in tasks]
    assert done == sorted(set(done)) and done[-1] == total, "a progress count over every task, one task a line"
    assert {m.group(4) for m in tasks} == {"success"}
    assert {m.group(3) for m in tasks} >= {"start_run", "ingest_punches", "dbt_staging", "dbt_seeds", "dbt_models",
                                           "write_exports", "finish_run"}
    assert f"{total} tasks: {total} success" in demo_run.run_output
    # The whole Airflow log is in a file under PDGOV_HOME, and it is the whole log.
    (log_line,) = [ln for ln in lines if "full Airflow log:" in ln]
    log = Path(log_line.split("full Airflow log:", 1)[1].strip())
    assert log.is_relative_to(demo_run.home) and log.is_file()
    text = log.read_text(encoding="utf-8")
    assert len(text.splitlines()) > 10 * len(lines)
    assert text.count("[DAG TEST] end task") == total
    assert re.search(r"pdgov: run \S+ success in \d+s", demo_run.run_output)


def _home_after_a_good_night(demo_run, tmp_path: Path) -> Path:
    """A PDGOV_HOME whose ledger holds a successful run for the demo date, and a metadata DB
    already migrated (copied from the demo run: `airflow db migrate` would cost half a minute)."""
    from pdgov.warehouse import connect

    home = tmp_path / "pdgov_home"
    shutil.copytree(demo_run.home / "airflow", home / "airflow", ignore=shutil.ignore_patterns("logs"))
    db = home / "warehouse" / "pdgov.duckdb"
    # PDGOV_HOME too, not only the file: the writer lock lives in the home (without it a fresh clone's
    # ./var got a warehouse/writer.lock, and `make demo` after `make test` refused that home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PDGOV_HOME", str(home))
        with connect(path=db) as con:
            con.execute("INSERT INTO main.run_ledger (run_id, logical_date, triggered_by, started_at, finished_at, "
                        "status, files, rows_in, rows_rejected) VALUES ('manual__the_night_before', ?, 'manual:test', "
                        "?, ?, 'success', 27, 14073, 3)",
                        [demo_run.run_date, datetime(2026, 11, 2, 2), datetime(2026, 11, 2, 2, 1)])
    return home


def test_a_run_whose_dag_does_not_import_fails(demo_run, tmp_path):
    """The night dies before start_run: the newest ledger row of the date is the previous run's
    success, and `pdgov run` used to print it and exit 0."""
    home = _home_after_a_good_night(demo_run, tmp_path)
    proc = pdgov_cli(home, "run", "--date", demo_run.run_date.isoformat(), check=False,
                     PDGOV_TASK_RETRIES="not-a-number")  # the DAG file cannot import
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "success" not in proc.stdout.replace("pdgov: running", ""), out
    assert "no DAG run was started" in out and "pdgov_nightly.py" in out, out
    assert "invalid literal for int()" in out, "the import error itself is shown"


def test_a_run_that_cannot_open_the_warehouse_names_the_failed_task(demo_run, tmp_path):
    """start_run fails (another process holds DuckDB's lock): the run must fail, name start_run and
    show the end of its log — not the ledger's earlier success for the same date."""
    home = _home_after_a_good_night(demo_run, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
                               "time.sleep(600)", str(home / "warehouse" / "pdgov.duckdb")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        proc = subprocess.run([str(BIN / "pdgov"), "run", "--date", demo_run.run_date.isoformat()],
                              env=pdgov_env(home, PDGOV_TASK_RETRIES="0"), capture_output=True, text=True, timeout=600)
    finally:
        holder.kill()
        holder.wait()
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert re.search(r"failed tasks?: start_run", proc.stderr), out
    assert "last lines of start_run's log" in proc.stderr and "Could not set lock" in proc.stderr, out
    assert re.search(r"\[\s*1/\d+\] start_run\s+failed", proc.stdout), out
