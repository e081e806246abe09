"""Run the real Airflow 3 components of a pdgov deployment as local processes.

The same components compose starts in containers — api-server, scheduler, dag-processor,
Celery worker (and triggerer) — started here as plain processes on the machine's PostgreSQL
and Redis, for the deployment tests. It only proves the configuration works: production runs
under compose or systemd, which restart what dies.

Every process gets its own session (process group), so stopping the cluster ends the task
subprocesses the worker forked, and nothing else on the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pdgov.config import WAREHOUSE_POOL
from pdgov.deploy.settings import WAREHOUSE_POOL_SLOTS, Deployment

#: dbt settings that name a project or its output; a caller's must not reach another project's dbt.
CALLER_DBT_LOCATION = ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR", "DBT_TARGET_PATH")

COMPONENTS: dict[str, list[str]] = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer"],
    "celery-worker": ["celery", "worker"],
}


def airflow_exe() -> str:
    exe = Path(sys.executable).with_name("airflow")
    return str(exe) if exe.exists() else "airflow"


def _admin(admin_dsn: str, statement: str, name: str) -> None:
    """Run one database-level statement (outside a transaction, as PostgreSQL requires)."""
    import psycopg2
    from psycopg2 import sql

    con = psycopg2.connect(admin_dsn)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql.SQL(statement).format(sql.Identifier(name)))
    finally:
        con.close()


def create_database(admin_dsn: str, name: str) -> None:
    """Create an empty PostgreSQL database (the metadata DB of one deployment)."""
    _admin(admin_dsn, "CREATE DATABASE {}", name)


def drop_database(admin_dsn: str, name: str) -> None:
    """Drop it again, ending any session still attached (FORCE: PostgreSQL 13+)."""
    _admin(admin_dsn, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


@dataclass
class LocalCluster:
    """Airflow components of one :class:`Deployment`, as processes with logs under ``log_dir``."""

    deployment: Deployment
    log_dir: Path
    base_env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    worker_name: str = "pdgov"
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = dict(self.base_env)
        # Nothing from the caller's own Airflow (e.g. `pdgov run`'s SQLite home) may leak in.
        # Nor the caller's dbt location: dbt prefers DBT_PROJECT_DIR to the project Cosmos names.
        for k in [k for k in env if k.startswith(("AIRFLOW__", "AIRFLOW_VAR_", *CALLER_DBT_LOCATION))]:
            del env[k]
        env.update(self.deployment.env())
        return env

    def airflow(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """One ``airflow`` CLI call against this deployment (e.g. ``backfill create``)."""
        proc = subprocess.run([airflow_exe(), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} exited {proc.returncode}:\n"
                               f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        return proc

    def prepare(self, admin_password: str) -> None:
        """Migrate the metadata DB, create the warehouse pool, set the admin's password."""
        import json

        self.deployment.airflow_home.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        pw_file = self.deployment.airflow_home / "simple_auth_manager_passwords.json.generated"
        users = [u.split(":")[0] for u in self.deployment.users.split(",") if u]
        pw_file.write_text(json.dumps(dict.fromkeys(users, admin_password)) + "\n")
        pw_file.chmod(0o600)
        self.airflow("db", "migrate")
        self.airflow("pools", "set", WAREHOUSE_POOL, str(WAREHOUSE_POOL_SLOTS),
                     "DuckDB allows one writer: one task at a time")

    def start(self, *components: str) -> None:
        for name in components or ("api-server", "scheduler", "dag-processor", "celery-worker"):
            args = list(COMPONENTS[name])
            if name == "celery-worker":
                args += ["--queues", self.deployment.queue, "--concurrency", "2",
                         "--celery-hostname", f"{self.worker_name}@%h"]
            log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
            self.procs[name] = subprocess.Popen(
                [airflow_exe(), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
            log.close()

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"Airflow components died: {dead}; logs in {self.log_dir}\n" + self.tail_logs())

    def tail_logs(self, chars: int = 3000) -> str:
        """The end of each component's log, and of the dag-processor's per-file logs (parse errors)."""
        files = sorted(self.log_dir.glob("*.log"))
        files += sorted((self.deployment.airflow_home / "logs" / "dag_processor").rglob("*.log"))
        out = []
        for f in files:
            out.append(f"--- {f}\n" + f.read_text(errors="replace")[-chars:])
        return "\n".join(out)

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM each component's process group, then SIGKILL what is left after ``grace``."""
        for p in self.procs.values():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for p in self.procs.values():
            # The group may outlive its leader (forked task runners): kill the group regardless.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.procs.clear()

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
