"""``pdgov run``: one nightly run on the embedded default, through the real DAG.

It manages an ``AIRFLOW_HOME`` under ``PDGOV_HOME`` (SQLite metadata, examples off, telemetry
off, low parallelism for a 2-core machine), creates the warehouse pool, and calls
``airflow dags test pdgov_nightly <date>`` — the same code path the scheduler runs, in one
process. The run ledger, not the CLI's exit code, says whether the night succeeded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from pdgov import clock
from pdgov.config import (
    DAGS_DIR,
    DBT_PROJECT_DIR,
    HMAC_VARIABLE,
    PLUGINS_DIR,
    WAREHOUSE_POOL,
    Paths,
    paths,
    secrets_dir,
)

DAG_ID = "pdgov_nightly"


class RunFailed(RuntimeError):
    pass


def telemetry_off_env() -> dict[str, str]:
    """Every usage-data switch of the stack, off (Airflow, Cosmos, dbt, Scarf-based SDKs)."""
    return {
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "DO_NOT_TRACK": "1",
        "SCARF_NO_ANALYTICS": "true",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "AIRFLOW__OPENLINEAGE__DISABLED": "True",
    }


def airflow_env(p: Paths | None = None) -> dict[str, str]:
    p = p or paths()
    ah = p.airflow_home
    env = dict(os.environ)
    env.update(telemetry_off_env())
    env.update({
        "PDGOV_HOME": str(p.home),
        "AIRFLOW_HOME": str(ah),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": clock.TIMEZONE,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{ah / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(ah / "logs"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "PDGOV_DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
    })
    # Embedded default: mail goes to a loopback SMTP relay if one listens; otherwise the outbox
    # keeps the messages waiting (nothing is lost) until a real smtp_default is configured.
    env.setdefault("AIRFLOW_CONN_SMTP_DEFAULT", "smtp://127.0.0.1:8025")
    env.setdefault("AIRFLOW_VAR_PDGOV_CONTACT_WINDOW", "pdpo-contact@mail.taipei.example")
    # A person waits at the terminal: retry once, quickly, instead of the scheduler's 2 × 5 min.
    env.setdefault("PDGOV_TASK_RETRIES", "1")
    env.setdefault("PDGOV_RETRY_DELAY_SECONDS", "5")
    key_var = "AIRFLOW_VAR_" + HMAC_VARIABLE.upper()
    if not env.get(key_var):
        if env.get("PDGOV_HMAC_KEY"):
            env[key_var] = env["PDGOV_HMAC_KEY"]
        else:
            key_file = secrets_dir() / "hmac.key"
            if key_file.exists():
                env[key_var] = key_file.read_text().strip()
    return env


def _airflow(args: list[str], env: dict[str, str], check: bool = True, quiet: bool = False) -> int:
    exe = Path(sys.executable).with_name("airflow")
    cmd = [str(exe) if exe.exists() else "airflow", *args]
    out = subprocess.DEVNULL if quiet else None
    rc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT if quiet else None).returncode
    if check and rc != 0:
        raise RunFailed(f"`airflow {' '.join(args)}` exited with {rc}")
    return rc


def ensure_manifest() -> Path:
    """Cosmos renders the DAG from dbt's manifest; rebuild it when the project is newer."""
    from pdgov.transform.dbt import parse_manifest

    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    # Folders count too: a file moved or deleted (``git mv``) keeps its own time, its folder's changes.
    newest = max(
        (f.stat().st_mtime for d in ("models", "seeds", "tests", "macros")
         for f in [DBT_PROJECT_DIR / d, *(DBT_PROJECT_DIR / d).rglob("*")]),
        default=0.0,
    )
    newest = max(newest, (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        print("pdgov: parsing the dbt project (manifest for Cosmos)", flush=True)
        parse_manifest()
    return manifest


def prepare(p: Paths | None = None) -> dict[str, str]:
    """Create the managed AIRFLOW_HOME, its metadata DB and the warehouse pool (idempotent)."""
    p = (p or paths()).ensure()
    p.airflow_home.mkdir(parents=True, exist_ok=True)
    env = airflow_env(p)
    if not env.get("AIRFLOW_VAR_" + HMAC_VARIABLE.upper()):
        raise RunFailed(
            f"no pseudonymisation key: set the Airflow variable {HMAC_VARIABLE} "
            "(AIRFLOW_VAR_PDGOV_HMAC_KEY) or run `pdgov demo` once to create a local key"
        )
    ensure_manifest()
    marker = p.airflow_home / ".pdgov-migrated"
    if not marker.exists():
        print(f"pdgov: creating Airflow metadata (SQLite) in {p.airflow_home}", flush=True)
        _airflow(["db", "migrate"], env, quiet=True)
        marker.touch()
    _airflow(["pools", "set", WAREHOUSE_POOL, "1", "DuckDB allows one writer: one task at a time"],
             env, quiet=True)
    return env


def run(logical_date: date) -> dict:
    """One nightly run for ``logical_date``; returns the run's ledger row."""
    p = paths()
    env = prepare(p)
    print(f"pdgov: running {DAG_ID} for {logical_date} (PDGOV_HOME={p.home})", flush=True)
    _airflow(["dags", "test", DAG_ID, logical_date.isoformat()], env, check=False)
    row = last_run(p, logical_date)
    if row is None:
        raise RunFailed(f"{DAG_ID} for {logical_date} left no run ledger row: see the log above")
    if row["status"] != "success":
        raise RunFailed(f"{DAG_ID} for {logical_date} finished with status {row['status']}: {row.get('detail')}")
    return row


def last_run(p: Paths, logical_date: date) -> dict | None:
    import duckdb

    if not p.warehouse.exists():
        return None
    con = duckdb.connect(str(p.warehouse), read_only=True)
    try:
        cur = con.execute(
            """SELECT * FROM main.run_ledger WHERE logical_date = ?
               ORDER BY started_at DESC LIMIT 1""",
            [logical_date],
        )
        rec = cur.fetchone()
        if rec is None:
            return None
        return dict(zip([d[0] for d in cur.description], rec, strict=True))
    finally:
        con.close()
