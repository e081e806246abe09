"""One pdgov writer at a time, with real processes: a second writer waits a bounded time or is told
who holds the warehouse, a night's tasks work under the lock their ``pdgov run`` holds, and the
retention swap never happens under another process's handle."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BIN, REPO, pdgov_env

HOLD = ["hold", "add", "--agency", "379000000A", "--dataset", "punches", "--from", "2021-01-01",
        "--to", "2021-01-31", "--reason", "北院 115 年度訴字第 9 號"]

# A writer that keeps the warehouse open: the door every pdgov step uses (pdgov.warehouse.connect).
HOLDER = """
import sys, time
from pdgov.warehouse import connect
with connect() as con:
    con.execute("CREATE TABLE IF NOT EXISTS main.busy (x INTEGER)")
    print("holding", flush=True)
    time.sleep(float(sys.argv[1]))
"""

# Retention's swap of the warehouse file, paused between the copy and the replace (the crash
# test's point "mid_swap"), long enough for another process to try the warehouse.
SWAPPER = """
import sys, time
from pathlib import Path
import pdgov.retention.apply as apply
from pdgov.config import paths
from pdgov.warehouse import connect

with connect() as con:
    con.execute("CREATE TABLE IF NOT EXISTS main.before_swap AS SELECT 1 AS x")
def pause(name):
    if name == "mid_swap":
        Path(sys.argv[1]).write_text("paused")
        time.sleep(float(sys.argv[2]))
apply.crash_point = pause
apply.rebuild_warehouse(paths().warehouse)
print("swapped", flush=True)
"""


def _start(home: Path, script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], env=pdgov_env(home), cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _pdgov(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "pdgov"), *args], env=pdgov_env(home, **env), cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def _holds(home: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(home / "warehouse" / "pdgov.duckdb"), read_only=True) as con:
        return con.execute("SELECT agency_code, reason FROM main.legal_holds").fetchall()


@pytest.fixture
def holder(tmp_path):
    home = tmp_path / "home"
    procs: list[subprocess.Popen] = []

    def start(seconds: float) -> subprocess.Popen:
        proc = _start(home, HOLDER, str(seconds))
        procs.append(proc)
        assert proc.stdout.readline().strip() == "holding", proc.stderr.read()
        return proc

    yield home, start
    for proc in procs:
        proc.kill()
        proc.communicate()


def test_a_second_writer_is_told_who_holds_the_warehouse(holder):
    home, start = holder
    busy = start(20)
    t0 = time.monotonic()
    refused = _pdgov(home, *HOLD, PDGOV_LOCK_WAIT_SECONDS="1")
    assert refused.returncode == 75, refused.stderr  # EX_TEMPFAIL: try again later
    assert time.monotonic() - t0 < 15, "bounded: it waited one second, not for the holder"
    message = refused.stderr
    assert f"(pid {busy.pid})" in message and "python" in message and " -c " in message, message
    assert "has held it since 20" in message and "PDGOV_LOCK_WAIT_SECONDS" in message, message
    assert "Conflicting lock" not in message and "Traceback" not in message


def test_a_second_writer_waits_for_the_first_and_then_writes(holder):
    home, start = holder
    first = start(4)
    t0 = time.monotonic()
    done = _pdgov(home, *HOLD, PDGOV_LOCK_WAIT_SECONDS="120")
    assert done.returncode == 0, done.stderr
    assert first.wait(timeout=5) == 0
    assert time.monotonic() - t0 > 2, "it waited for the holder"
    assert _holds(home) == [("379000000A", "北院 115 年度訴字第 9 號")]


def test_readers_are_told_too_instead_of_duckdbs_lock_error(holder):
    home, start = holder
    start(20)
    status = _pdgov(home, "incident", "status", PDGOV_LOCK_WAIT_SECONDS="0.5")
    assert status.returncode == 75 and "to read" in status.stderr, status.stderr


def test_no_swap_under_an_open_handle(tmp_path):
    """A writer that comes while retention swaps the file writes into the new file, not the old one."""
    home = tmp_path / "home"
    signal = tmp_path / "paused"
    swapper = _start(home, SWAPPER, str(signal), "4")
    try:
        deadline = time.monotonic() + 120
        while not signal.exists():
            assert swapper.poll() is None, swapper.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        hold = _pdgov(home, *HOLD, PDGOV_LOCK_WAIT_SECONDS="120")
        out, err = swapper.communicate(timeout=120)
    finally:
        swapper.kill()
    assert swapper.returncode == 0 and "swapped" in out, err
    assert hold.returncode == 0, hold.stderr
    assert _holds(home) == [("379000000A", "北院 115 年度訴字第 9 號")], "the hold was written into the old file"


def test_a_second_pdgov_run_during_a_run_is_told_who_holds_the_warehouse(demo_run):
    """While `pdgov run` runs `airflow dags test` (whose tasks open the warehouse all night under the
    run's lock), a second `pdgov run` of the same night gets a clear answer; the first one succeeds."""
    if demo_run.run_pid is None:
        pytest.skip("PDGOV_TEST_REUSE_DEMO: the demo run was not made in this session")
    second = demo_run.second_run
    assert second is not None, "the run never said it held the warehouse (warehouse/writer.lock)"
    assert second.returncode == 75, second.stdout[-2000:] + second.stderr[-2000:]
    assert f"`pdgov run --date {demo_run.run_date}` (pid {demo_run.run_pid}) has held it since" in second.stderr
    (status,) = demo_run.query("SELECT status FROM main.run_ledger WHERE logical_date = ? ORDER BY started_at "
                               "LIMIT 1", [demo_run.run_date])[0]
    assert status == "success"
