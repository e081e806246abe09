"""``pdgov run``: one nightly run on the embedded default, through the real DAG.

It manages an ``AIRFLOW_HOME`` under ``PDGOV_HOME`` (SQLite metadata, examples off, telemetry
off, low parallelism for a 2-core machine), creates the warehouse pool, and calls
``airflow dags test pdgov_nightly <date>`` — the same code path the scheduler runs, in one
process. The night succeeded only if that command exited 0, every task of the DAG run it
created succeeded, and the run ledger's row *for that run* says success.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
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
from pdgov.run_progress import (
    TAIL_LINES,
    RunWatch,
    failed_tasks,
    format_task,
    run_tasks,
    state_counts,
    task_states,
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
    # Where a missed four-hour report escalates (the unit's head / 上級) and where a WebIR-related
    # incident is reported at once (勞保局, seed 004 §12(10)): required, so the demo has placeholders.
    env.setdefault("AIRFLOW_VAR_PDGOV_ESCALATION_TO", "pdpo-head@mail.taipei.example")
    env.setdefault("AIRFLOW_VAR_PDGOV_BLI_CONTACT", "webir-incident@bli.example")
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
    """dbt's parse of the project (``target/``), rebuilt when the project is newer: the night's dbt tasks
    start from its partial-parse file, and the tests read the manifest."""
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
        print("pdgov: parsing the dbt project", flush=True)
        parse_manifest()
    return manifest


def ensure_metadata(p: Paths, env: dict[str, str]) -> None:
    """The managed AIRFLOW_HOME's metadata database, created once (``pdgov run`` and ``pdgov ui`` share it)."""
    p.airflow_home.mkdir(parents=True, exist_ok=True)
    marker = p.airflow_home / ".pdgov-migrated"
    if not marker.exists():
        print(f"pdgov: creating Airflow metadata (SQLite) in {p.airflow_home}", flush=True)
        _airflow(["db", "migrate"], env, quiet=True)
        marker.touch()


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
    ensure_metadata(p, env)
    _airflow(["pools", "set", WAREHOUSE_POOL, "1", "DuckDB allows one writer: one task at a time"],
             env, quiet=True)
    return env


def run_log_path(p: Paths, logical_date: date) -> Path:
    """Where one invocation's full Airflow output goes (the terminal gets one line per task)."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    return p.home / "logs" / f"pdgov_run_{logical_date.isoformat()}_{stamp}.log"


def run(logical_date: date, verbose: bool = False, echo: Callable[[str], None] | None = None) -> dict:
    """One nightly run for ``logical_date``; returns the run's ledger row.

    Raises ``RunFailed`` unless the DAG run this call started finished, every task in it
    succeeded and the ledger row of *that* run says so: a run that dies before ``start_run``
    (an import error, a locked metadata database) must not pass for the night before it.
    """
    say = echo or (lambda text: print(text, flush=True))
    p = paths()
    env = prepare(p)
    env["PYTHONUNBUFFERED"] = "1"  # the task lines come as tasks end, not when a buffer fills
    log_path = run_log_path(p, logical_date)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    say(f"pdgov: running {DAG_ID} for {logical_date} (PDGOV_HOME={p.home})")
    say(f"pdgov: full Airflow log: {log_path}")
    watch = RunWatch(report=None if verbose else (lambda end, done, total: say(format_task(end, done, total))),
                     read_tasks=run_tasks(p.airflow_home, DAG_ID))
    exe = Path(sys.executable).with_name("airflow")
    cmd = [str(exe) if exe.exists() else "airflow", "dags", "test", DAG_ID, logical_date.isoformat()]
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True, encoding="utf-8", errors="replace", bufsize=1) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            watch.feed(line)
            if verbose:
                sys.stdout.write(line)
        rc = proc.wait()
    return check_run(p, logical_date, rc, watch, log_path, say)


def check_run(p: Paths, logical_date: date, rc: int, watch: RunWatch, log_path: Path,
              say: Callable[[str], None]) -> dict:
    """The ledger row of the run ``watch`` saw created, or ``RunFailed`` naming what failed."""
    where = f"full log: {log_path}"
    if watch.run_id is None:
        tail = "\n".join(f"    {ln[:240]}" for ln in watch.tail[-TAIL_LINES:])
        why = "".join(f"\n  DAG file did not import: {e}" for e in watch.import_errors)
        raise RunFailed(f"{DAG_ID} for {logical_date}: no DAG run was started (`airflow dags test` exited {rc})"
                        f"{why}\n  last lines of the log:\n{tail}\n  {where}")
    states = task_states(p.airflow_home, DAG_ID, watch.run_id)
    if states:
        say(f"pdgov: {len(states)} tasks: {state_counts(states)}")
    failed = failed_tasks(states, watch.ended)
    problems = [f"`airflow dags test` exited {rc}"] if rc != 0 else []
    try:
        row = ledger_row(p, watch.run_id)
    except Exception as exc:  # noqa: BLE001 - a ledger that cannot be read proves nothing
        row = None
        problems.append(f"the run ledger cannot be read ({str(exc)[:300]})")
    else:
        if row is None:
            problems.append("the run left no ledger row (start_run did not record it)")
    if row is not None and row["status"] != "success":
        problems.append(f"its ledger row says {row['status']}")
    if not problems and not failed:
        return row
    if not failed and states:
        failed = [t for t, s in states.items() if s not in ("success", "skipped")][:5]
    lines = [f"{DAG_ID} for {logical_date} failed (run {watch.run_id}): "
             + (f"failed task{'s' if len(failed) > 1 else ''}: {', '.join(failed)}; " if failed else "")
             + "; ".join(problems)]
    if failed:
        lines.append(f"  last lines of {failed[0]}'s log:")
        lines += [f"    {ln}" for ln in watch.last_lines(failed[0])] or ["    (no log lines)"]
    lines.append(f"  {where}")
    raise RunFailed("\n".join(lines))


def ledger_row(p: Paths, run_id: str) -> dict | None:
    """The run ledger's row for ``run_id`` (not the newest row of a date: that may be another run's)."""
    import duckdb

    if not p.warehouse.exists():
        return None
    con = duckdb.connect(str(p.warehouse), read_only=True)
    try:
        cur = con.execute("SELECT * FROM main.run_ledger WHERE run_id = ?", [run_id])
        rec = cur.fetchone()
        if rec is None:
            return None
        return dict(zip([d[0] for d in cur.description], rec, strict=True))
    finally:
        con.close()
