"""The agencies' deletion tasks: end of use and evidence recorded by command, refused when wrong.

Seed 004 §11(2)2 (WebIR results deleted within one month after use ends) and §11(3)3 (evidence kept).
The warehouse tables the commands check are written by hand here; the mart itself is built by the
nights test (tests/retention/test_retention_nights.py) and checked by the singular test
``retention_webir_results_due_one_month_after_use``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import pdgov_env
from support.bytescan import query


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "pdgov"), "retention", *args], env=pdgov_env(home),
                          capture_output=True, text=True, timeout=300)


def test_end_of_use_and_task_done(tmp_path):
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    con = duckdb.connect(str(home / "warehouse" / "pdgov.duckdb"))
    # As the models leave it: int_webir_queries is a view (intermediate models are), whose agency is the roster's.
    con.execute("CREATE TABLE main.queries (agency_code VARCHAR, case_no VARCHAR)")
    con.execute("INSERT INTO main.queries VALUES ('379130000C', '115勞字第0012號')")
    con.execute("CREATE VIEW main.int_webir_queries AS SELECT * FROM main.queries")
    con.execute("CREATE TABLE main.agency_deletion_tasks (task_id VARCHAR, agency_code VARCHAR)")
    con.execute("INSERT INTO main.agency_deletion_tasks VALUES ('t-dev-1', '379150000G')")
    con.close()

    ok = _cli(home, "end-of-use", "--agency", "379130000C", "--case", "115勞字第0012號", "--date", "2026-10-31",
              "--by", "勞工科 張小姐")
    assert ok.returncode == 0, ok.stderr
    again = _cli(home, "end-of-use", "--agency", "379130000C", "--case", "115勞字第0012號", "--date", "2026-10-30")
    assert again.returncode == 0  # a correction replaces the day
    assert query(home, "SELECT use_ended_on::VARCHAR, count(*) OVER () FROM main.webir_result_use_ends") == [
        ("2026-10-30", 1)]
    other = _cli(home, "end-of-use", "--agency", "379000000A", "--case", "115勞字第0012號", "--date", "2026-10-30")
    assert other.returncode == 2 and "no WebIR query of agency 379000000A carries case number" in other.stderr
    future = _cli(home, "end-of-use", "--agency", "379130000C", "--case", "115勞字第0012號", "--date", "2099-01-01")
    assert future.returncode == 2 and "in the future" in future.stderr

    done = _cli(home, "task-done", "t-dev-1", "--on", "2026-11-20", "--by", "人事室 陳先生", "--ref", "廠商刪除證明115-07")
    assert done.returncode == 0 and "task t-dev-1 of 379150000G done on 2026-11-20" in done.stdout, done.stderr
    assert query(home, "SELECT agency_code, done_on::VARCHAR, confirmed_by, evidence_ref FROM main.deletion_task_evidence"
                 ) == [("379150000G", "2026-11-20", "人事室 陳先生", "廠商刪除證明115-07")]
    unknown = _cli(home, "task-done", "t-nope", "--on", "2026-11-20", "--by", "x", "--ref", "y")
    assert unknown.returncode == 2 and "no deletion task t-nope" in unknown.stderr
    blank = _cli(home, "task-done", "t-dev-1", "--on", "2026-11-20", "--by", "x", "--ref", " ")
    assert blank.returncode == 2 and "--ref" in blank.stderr
