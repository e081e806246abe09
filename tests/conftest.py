"""Shared fixtures: a private PDGOV_HOME per test, and one real demo run per session.

The demo run is the expensive one (synthetic data, then ``pdgov run`` through the real
``airflow dags test``); tests that only read its warehouse and workbooks share it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEST_KEY = "pdgov-test-key-not-for-production-0123456789abcdef"
DEMO_RUN_DATE = date(2026, 11, 2)
DEMO_SEED = 7


def artifacts_dir() -> Path:
    """Where tests keep what a person should look at (printed pages, screenshots): ``$PDGOV_TEST_ARTIFACTS``,
    else ``test-artifacts/`` in the checkout. pytest names the folder at the end of the run."""
    return Path(os.environ.get("PDGOV_TEST_ARTIFACTS") or REPO / "test-artifacts")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    d = artifacts_dir()
    d.mkdir(parents=True, exist_ok=True)
    return d


def pytest_terminal_summary(terminalreporter):
    d = artifacts_dir()
    if d.is_dir() and any(d.iterdir()):
        terminalreporter.write_line(f"pdgov test artifacts (printed pages, screenshots): {d}")


@pytest.fixture
def pdgov_home(tmp_path, monkeypatch):
    """A fresh PDGOV_HOME with a test key, for tests that drive the package in-process."""
    from pdgov.config import Paths

    home = tmp_path / "pdgov_home"
    monkeypatch.setenv("PDGOV_HOME", str(home))
    monkeypatch.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    monkeypatch.setenv("PDGOV_SECRETS_DIR", str(tmp_path / "secrets"))
    return Paths(home).ensure()


def pdgov_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PDGOV_HOME": str(home),
        "PDGOV_HMAC_KEY": TEST_KEY,
        "PDGOV_SECRETS_DIR": str(home.parent / "secrets"),
    })
    env.update(extra)
    return env


NETGUARD = REPO / "tests" / "support" / "netguard"


def netguard_env(home: Path) -> dict[str, str]:
    """Run with outbound network blocked (``tests/support/netguard``), refusals logged beside ``home``."""
    path = os.pathsep.join(p for p in (str(NETGUARD), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "PDGOV_NETGUARD_LOG": str(home.parent / "netguard.log")}


def pdgov_cli(home: Path, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess:
    """Run the installed ``pdgov`` command as a user would."""
    proc = subprocess.run(
        [str(BIN / "pdgov"), *args], env=pdgov_env(home, **extra), cwd=REPO,
        capture_output=True, text=True, timeout=1800,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"pdgov {' '.join(args)} exited {proc.returncode}\n--- stdout\n{proc.stdout[-6000:]}"
            f"\n--- stderr\n{proc.stderr[-6000:]}"
        )
    return proc


@dataclass
class DemoRun:
    home: Path
    manifest: dict
    run_output: str
    run_date: date
    #: pid of the run's ``pdgov`` process, and what a second ``pdgov run`` started during it got
    run_pid: int | None = None
    second_run: subprocess.CompletedProcess | None = None
    #: what the network guard saw in every process of the run (``netguard_env``)
    netguard_log: Path | None = None

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.home / "warehouse" / "pdgov.duckdb"), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """Synthetic demo data, then one real nightly run through Airflow, shared by the session.

    For iterating on a test, ``PDGOV_TEST_REUSE_DEMO=<PDGOV_HOME of an earlier demo run>`` reuses
    that home instead of running the night again (CI never sets it).
    """
    reuse = os.environ.get("PDGOV_TEST_REUSE_DEMO")
    if reuse:
        home = Path(reuse)
        return DemoRun(home=home, manifest=json.loads((home / "synth_manifest.json").read_text(encoding="utf-8")),
                       run_output="", run_date=DEMO_RUN_DATE)
    home = tmp_path_factory.mktemp("demo") / "pdgov_home"
    end = date.fromordinal(DEMO_RUN_DATE.toordinal() - 1)
    pdgov_cli(home, "synth", "--scale", "demo", "--seed", str(DEMO_SEED), "--end", end.isoformat())
    manifest = json.loads((home / "synth_manifest.json").read_text(encoding="utf-8"))
    run, pid, second = _run_while_a_second_run_tries(home, DEMO_RUN_DATE)
    return DemoRun(home=home, manifest=manifest, run_output=run.stdout + run.stderr, run_date=DEMO_RUN_DATE,
                   run_pid=pid, second_run=second, netguard_log=Path(netguard_env(home)["PDGOV_NETGUARD_LOG"]))


def _run_while_a_second_run_tries(home: Path, run_date: date) -> tuple[subprocess.CompletedProcess, int, object]:
    """``pdgov run`` with outbound network blocked; once it holds the warehouse, a second ``pdgov run``
    of the same night that may wait one second (``tests/foundation/test_writer_lock.py`` reads what
    it was told)."""
    import time

    args = [str(BIN / "pdgov"), "run", "--date", run_date.isoformat()]
    out, err = home.parent / "run.stdout", home.parent / "run.stderr"
    with out.open("w") as fo, err.open("w") as fe:
        guard = netguard_env(home)
        proc = subprocess.Popen(args, env=pdgov_env(home, **guard), cwd=REPO, stdout=fo, stderr=fe, text=True)
        second = None
        lock = home / "warehouse" / "writer.lock"
        while proc.poll() is None and second is None:
            try:
                held = lock.exists() and json.loads(lock.read_text() or "{}").get("pid") == proc.pid
            except ValueError:
                held = False  # caught mid-write
            if held:
                second = pdgov_cli(home, *args[1:], check=False, PDGOV_LOCK_WAIT_SECONDS="1", **guard)
            else:
                time.sleep(0.2)
        proc.wait(timeout=1800)
    run = subprocess.CompletedProcess(args, proc.returncode, out.read_text(), err.read_text())
    if run.returncode != 0:
        raise AssertionError(f"pdgov run exited {run.returncode}\n--- stdout\n{run.stdout[-6000:]}"
                             f"\n--- stderr\n{run.stderr[-6000:]}")
    return run, proc.pid, second
