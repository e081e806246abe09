"""dbt outside Airflow: used by ``pdgov`` commands, tests and the docs task.

Airflow runs the models through Cosmos (one ``dbt build`` task per layer); this module runs the same
project in-process with dbt's programmatic runner. Artefacts go under ``PDGOV_HOME`` so
that parallel homes (tests, backfills) never share a ``target/`` directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path

from pdgov import writer_lock
from pdgov.config import DBT_PROJECT_DIR, paths


class DbtError(RuntimeError):
    pass


def dbt_env() -> dict[str, str | None]:
    """Environment every dbt invocation gets (None: removed for the call): no usage statistics leave
    the machine, and the as-of day comes from the call's own ``--vars``, never from a
    ``PDGOV_AS_OF`` the process may hold (the night's dbt tasks set that one, macro pdgov_as_of)."""
    p = paths()
    return {
        "PDGOV_HOME": str(p.home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "PDGOV_AS_OF": None,
    }


@contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set ``values`` for one dbt invocation, then restore the caller's environment.

    dbt reads its settings from the process environment, but they must not outlive the call: a
    ``DBT_PROJECT_DIR`` left behind makes every later dbt command in the process (or a child it
    starts, such as a deployment's Airflow components) use this checkout's project whatever its
    working directory says.
    """
    saved = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def dbt_vars(logical_date: date | None = None, run_id: str | None = None) -> str:
    import json

    v: dict[str, str] = {}
    if logical_date is not None:
        v["as_of_date"] = logical_date.isoformat()
    if run_id is not None:
        v["run_id"] = run_id
    return json.dumps(v)


def run(args: list[str], *, target_path: Path | None = None, log_path: Path | None = None) -> object:
    """Invoke dbt in-process; raise :class:`DbtError` naming what failed."""
    from dbt.cli.main import dbtRunner

    p = paths()
    target = target_path or p.dbt_target
    logs = log_path or p.dbt_logs
    target.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    full = [
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target),
        "--log-path", str(logs),
    ]
    # dbt-duckdb opens the warehouse itself: the same lock as pdgov's own door (not to parse,
    # which reads no data: `make setup` must leave the default home untouched).
    with writer_lock.hold() if args[:1] != ["parse"] else nullcontext(), _environment(dbt_env()):
        res = dbtRunner().invoke(full)
    if not res.success:
        failed = []
        result = getattr(res, "result", None)
        for r in getattr(result, "results", None) or []:
            status = str(getattr(r, "status", ""))
            if status.lower() in {"error", "fail", "runtimeerror"}:
                failed.append(f"{r.node.name}: {r.message}")
        detail = "; ".join(failed) or str(res.exception)
        raise DbtError(f"dbt {' '.join(args)} failed: {detail}")
    return res.result


def build(logical_date: date, run_id: str = "manual", select: list[str] | None = None) -> object:
    args = ["build", "--vars", dbt_vars(logical_date, run_id)]
    if select:
        args += ["--select", *select]
    return run(args)


def generate_docs() -> Path:
    """Write the lineage docs auditors read to ``PDGOV_HOME/dbt/docs``.

    The docs describe the project — models, columns and their zh-TW terms, tests, lineage — and the
    warehouse's catalog, not one night: they are parsed without the night's vars, so dbt's partial
    parse stays valid from one night to the next, and not compiled (the SQL they show is each model's
    source). On the demo the night's vars forced a full re-parse and compiling every model and test
    again took 7 of the task's 12 s; now the task takes ~1 s. ``docs generate --no-compile`` reads the
    manifest ``parse`` wrote into the same folder.
    """
    p = paths()
    run(["parse"], target_path=p.docs)
    run(["docs", "generate", "--no-compile"], target_path=p.docs)
    return p.docs / "index.html"


def parse_manifest() -> Path:
    """(Re)write ``dbt_project/target/`` (manifest and partial parse), where the night's dbt tasks start from.

    The manifest belongs to the checkout, not to a ``PDGOV_HOME``: its logs stay in the project
    too, so ``make setup`` leaves the default home untouched and ``pdgov demo`` finds it empty.
    """
    os.environ.setdefault("PDGOV_HOME", str(paths().home))
    target = DBT_PROJECT_DIR / "target"
    run(["parse"], target_path=target, log_path=DBT_PROJECT_DIR / "logs")
    return target / "manifest.json"
