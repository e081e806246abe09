"""docker/ stays consistent with the pins and with the settings the deployment test runs.

No container engine runs here, so the image and compose file cannot be exercised; instead
these tests fail the moment the Dockerfile's base image, the installed constraints, or the
compose environment drift from pyproject.toml, constraints.txt and pdgov.deploy.settings.
"""

from __future__ import annotations

import re
import sys
import tomllib

import pytest
import yaml

from pdgov.config import REPO_ROOT, WAREHOUSE_POOL
from pdgov.deploy.settings import DEPLOYMENT_KEYS, DOCKER_DIR, SHARED_ENV_FILE, shared_env

AIRFLOW_SERVICES = {
    "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
    "airflow-triggerer", "airflow-worker",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for dep in deps:
        m = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^;\s]+)", dep)
        if m:
            pins[_norm(m.group(1))] = m.group(3)
    return pins


def _constraints() -> dict[str, str]:
    out = {}
    for line in (REPO_ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            out[_norm(name.strip())] = version.strip()
    return out


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER_DIR / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (DOCKER_DIR / "Dockerfile").read_text()


def test_base_image_is_the_pinned_airflow_on_our_python(dockerfile):
    airflow = _pyproject_pins()["apache-airflow"]
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    froms = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.M)
    assert froms == [f"apache/airflow:{airflow}-python{py}"]


def test_image_installs_the_tested_stack_under_constraints(dockerfile):
    assert re.search(r"COPY[^\n]*\bconstraints\.txt\b", dockerfile)
    assert re.search(r"pip install[^\n]*-c\s+\S*constraints\.txt[^\n]*-e\s+/opt/pdgov", dockerfile)


def test_every_pyproject_pin_is_in_constraints_at_the_same_version():
    pins, constraints = _pyproject_pins(), _constraints()
    drift = {n: (v, constraints.get(n)) for n, v in pins.items() if constraints.get(n) != v}
    assert not drift, f"pyproject pin vs constraints.txt (regenerate constraints.txt): {drift}"


def test_compose_runs_every_component_on_the_shared_settings(compose):
    services = compose["services"]
    assert AIRFLOW_SERVICES | {"postgres", "redis"} <= services.keys()
    commands = {name: str(services[name]["command"]) for name in AIRFLOW_SERVICES}
    assert commands["airflow-apiserver"] == "api-server"
    assert commands["airflow-scheduler"] == "scheduler"
    assert commands["airflow-dag-processor"] == "dag-processor"
    assert commands["airflow-triggerer"] == "triggerer"
    assert commands["airflow-worker"].startswith("celery worker")
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["image"] == f"pdgov:{tomllib.loads((REPO_ROOT / 'pyproject.toml').read_text())['project']['version']}"
        assert svc["build"]["dockerfile"] == "docker/Dockerfile"
        assert svc["env_file"] == [SHARED_ENV_FILE.name]
        # The per-deployment half sets exactly the names the deployment test sets.
        assert set(svc["environment"]) == set(DEPLOYMENT_KEYS), name
        assert "pdgov_home:/opt/pdgov/var" in svc["volumes"]
        assert svc["environment"]["PDGOV_HOME"] == "/opt/pdgov/var"


def test_compose_backends_are_postgres_and_redis(compose):
    env = compose["x-airflow-common"]["environment"]
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert shared_env()["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    # The worker listens on the queue tasks are sent to.
    worker = str(compose["services"]["airflow-worker"]["command"])
    assert f"--queues {env['AIRFLOW__OPERATORS__DEFAULT_QUEUE']}" in worker


def test_init_creates_the_one_slot_warehouse_pool(compose):
    init = str(compose["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in init
    assert re.search(rf"airflow pools set {WAREHOUSE_POOL} 1\b", init)


def test_no_secret_is_committed():
    example = (DOCKER_DIR / ".env.example").read_text()
    for key in ("AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY", "PDGOV_HMAC_KEY"):
        assert re.search(rf"^{key}=$", example, flags=re.M), f"{key} must be empty in .env.example"
    assert ".env" in (DOCKER_DIR / ".gitignore").read_text().split()
    leaky = [k for k in shared_env() if any(w in k for w in ("SECRET", "PASSWORD", "KEY", "_CONN"))]
    assert not leaky, f"per-deployment values do not belong in {SHARED_ENV_FILE.name}: {leaky}"
