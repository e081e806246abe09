"""One source of truth for how a production pdgov deployment is configured.

The city runs Airflow as a service: CeleryExecutor, metadata in PostgreSQL, the Celery broker
on Redis. The values that are the same everywhere live in ``docker/airflow.env`` (compose loads
it with ``env_file``); the values that differ per deployment (hosts, ports, secrets, paths) are
the fields of :class:`Deployment`, and ``docker/compose.yaml`` sets exactly the same names
(``DEPLOYMENT_KEYS``) from its ``.env``. The deployment test runs real Airflow processes with
``Deployment(...).env()``; a consistency test checks compose against these names, so the two
cannot drift apart silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pdgov.config import DAGS_DIR, DBT_PROJECT_DIR, HMAC_VARIABLE, PLUGINS_DIR, REPO_ROOT

DOCKER_DIR = REPO_ROOT / "docker"
SHARED_ENV_FILE = DOCKER_DIR / "airflow.env"

#: Variables every deployment must set itself (compose: ``x-airflow-common.environment``).
DEPLOYMENT_KEYS: tuple[str, ...] = (
    "AIRFLOW_HOME",
    "PDGOV_HOME",
    "PDGOV_DBT_PROJECT_DIR",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__OPERATORS__DEFAULT_QUEUE",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__API__PORT",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT",
    "AIRFLOW_VAR_" + HMAC_VARIABLE.upper(),
    "AIRFLOW_CONN_SMTP_DEFAULT",
)

#: The Airflow pool that serialises every task opening the DuckDB warehouse (one writer).
WAREHOUSE_POOL_SLOTS = 1


def shared_env(path: Path = SHARED_ENV_FILE) -> dict[str, str]:
    """Parse ``docker/airflow.env`` the way compose's ``env_file`` does (KEY=VALUE, # comments)."""
    env: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: not KEY=VALUE: {raw!r}")
        env[key.strip()] = value.strip()
    return env


@dataclass(frozen=True)
class Deployment:
    """The per-deployment half of the configuration; ``env()`` adds the shared half."""

    airflow_home: Path
    pdgov_home: Path
    sql_alchemy_conn: str  # postgresql+psycopg2://user@host:5432/db
    broker_url: str  # redis://host:6379/N
    jwt_secret: str
    hmac_key: str
    queue: str = "default"
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    worker_log_port: int = 8793
    fernet_key: str = ""
    smtp_conn: str = "smtp://127.0.0.1:8025"
    users: str = "admin:admin"
    dags_folder: Path = DAGS_DIR
    plugins_folder: Path = PLUGINS_DIR
    dbt_project_dir: Path = DBT_PROJECT_DIR
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    @property
    def result_backend(self) -> str:
        # Celery keeps task results in the metadata database: one fewer moving part than Redis.
        return "db+" + self.sql_alchemy_conn

    def env(self) -> dict[str, str]:
        """Every variable an Airflow component of this deployment needs, as strings."""
        env = shared_env()
        env.update({
            "AIRFLOW_HOME": str(self.airflow_home),
            "PDGOV_HOME": str(self.pdgov_home),
            "PDGOV_DBT_PROJECT_DIR": str(self.dbt_project_dir),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(self.plugins_folder),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.sql_alchemy_conn,
            "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": self.result_backend,
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            "AIRFLOW__API__SECRET_KEY": self.jwt_secret,
            "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": self.users,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_port),
            "AIRFLOW_VAR_" + HMAC_VARIABLE.upper(): self.hmac_key,
            "AIRFLOW_CONN_SMTP_DEFAULT": self.smtp_conn,
        })
        missing = set(DEPLOYMENT_KEYS) - env.keys()
        assert not missing, f"Deployment.env() lacks {sorted(missing)}"
        env.update(self.extra)
        return env
