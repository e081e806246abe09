"""The deployment tests cannot pass by not running: without PostgreSQL and Redis they fail, unless
the run opts out on purpose (``PDGOV_SKIP_DEPLOYMENT=1``).

The services are made unreachable with the network guard (``tests/support/netguard``: the two
loopback ports look closed), and the real deployment test modules run in a pytest of their own;
they stop at the service check, before anything heavy.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, netguard_env

TESTS = ["tests/deployment/test_dbt_postgres.py",
         "tests/deployment/test_deployment.py::test_dag_is_deployed_with_one_active_run"]


def _pytest(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PDGOV_SKIP_DEPLOYMENT"}
    env.update(netguard_env(tmp_path / "home"), PDGOV_NETGUARD_CLOSED_PORTS="5432,6379", **extra)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", *TESTS],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_missing_services_fail_the_deployment_tests(tmp_path):
    run = _pytest(tmp_path)
    assert run.returncode == 1, run.stdout[-3000:]
    assert "2 errors" in run.stdout and "skipped" not in run.stdout, run.stdout[-3000:]  # in a fixture: errors
    assert "PostgreSQL is not reachable on 127.0.0.1:5432" in run.stdout
    assert "PDGOV_SKIP_DEPLOYMENT=1" in run.stdout


def test_an_explicit_opt_out_skips_them_and_says_why(tmp_path):
    run = _pytest(tmp_path, PDGOV_SKIP_DEPLOYMENT="1")
    assert run.returncode == 0 and "2 skipped" in run.stdout, run.stdout[-3000:]
    assert "skipped because PDGOV_SKIP_DEPLOYMENT=1" in run.stdout
