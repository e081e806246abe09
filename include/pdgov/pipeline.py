"""The nightly run's steps as plain functions; ``dags/pdgov_nightly.py`` only wires them.

Each step opens the warehouse itself and closes it before returning, so that Airflow's
one-slot pool ``pdgov_warehouse`` is all it takes to keep DuckDB's single writer rule.
Imports of the domain packages happen inside the functions: the DAG file imports this
module at parse time, and parsing must stay cheap. Every step takes the run's as-of day as the
DAG renders it (``pdgov.clock.AS_OF``, a ``YYYY-MM-DD`` string) or as a date.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from pdgov import clock

log = logging.getLogger("pdgov")


def triggered_by(dag_run: Any) -> str:
    """``<run type>:<who>`` for the run ledger: the user who triggered the run, or the
    ``triggered_by`` of its conf, or the scheduler."""
    who = getattr(dag_run, "triggering_user_name", None) or (dag_run.conf or {}).get("triggered_by")
    return f"{dag_run.run_type}:{who or 'scheduler'}"


def start_run(run_id: str, as_of: date | str, triggered_by: str,
              data_interval_start: datetime | None, data_interval_end: datetime | None) -> None:
    from pdgov.config import paths
    from pdgov.warehouse import connect

    paths().ensure()
    with connect() as con:
        con.execute("DELETE FROM main.run_ledger WHERE run_id = ?", [run_id])
        con.execute(
            """INSERT INTO main.run_ledger (run_id, logical_date, triggered_by, data_interval_start,
               data_interval_end, started_at, status, files, rows_in, rows_rejected)
               VALUES (?, ?, ?, ?, ?, ?, 'running', 0, 0, 0)""",
            [run_id, clock.as_of(as_of), triggered_by,
             clock.local(data_interval_start), clock.local(data_interval_end), clock.now()],
        )
    log.info("pdgov: run %s for %s started (triggered by %s)", run_id, clock.as_of(as_of), triggered_by)


def ingest(source: str, run_id: str, as_of: date | str) -> dict[str, Any]:
    from pdgov.ingest.run import ingest_source

    result = ingest_source(source, run_id, clock.as_of(as_of))
    log.info(
        "pdgov: ingest %s: %s files loaded, %s refused, %s already loaded; %s rows in, %s rows rejected",
        source, result.get("files", 0), result.get("files_rejected", 0), result.get("files_skipped", 0),
        result.get("rows_in", 0), result.get("rows_rejected", 0),
    )
    return _jsonable(result)


def delete_approved(run_id: str, as_of: date | str) -> dict[str, Any]:
    """Before the models: delete the batches a person approved (seed 002 §21), so that tonight's
    models rebuild every derived table without them (seed 002 §24)."""
    from pdgov.retention.purge import delete_approved as delete

    result = delete(run_id, clock.as_of(as_of))
    log.info("pdgov: retention: approved deletions: %s", json.dumps(_jsonable(result), ensure_ascii=False)[:2000])
    return _jsonable(result)


def enforce_retention(run_id: str, as_of: date | str) -> dict[str, Any]:
    """After the models: propose tonight's due batches for approval and, if ``delete_approved``
    deleted anything tonight, copy the warehouse into a fresh file."""
    from pdgov.retention.purge import finish

    result = finish(run_id, clock.as_of(as_of))
    log.info("pdgov: retention: %s", json.dumps(_jsonable(result), ensure_ascii=False)[:2000])
    return _jsonable(result)


def write_exports(run_id: str, as_of: date | str) -> list[str]:
    from pdgov.exports.workbooks import write_all
    from pdgov.history.store import record
    from pdgov.ui import snapshot

    # The night's governance outputs become dated records first (pdgov.history, docs/history.md).
    log.info("pdgov: history: %s", record(run_id, clock.as_of(as_of)))
    written = [str(p) for p in write_all(run_id, clock.as_of(as_of))]
    log.info("pdgov: exports: %d workbooks written", len(written))
    # The dashboard reads this copy, never the warehouse a night may be holding (pdgov.ui.snapshot).
    log.info("pdgov: dashboard snapshot in %s", snapshot.write(run_id, clock.as_of(as_of)))
    return written


def process_notifications(run_id: str, as_of: date | str) -> dict[str, Any]:
    from pdgov.notifications.outbox import process

    result = process(run_id, clock.as_of(as_of))
    log.info("pdgov: notifications: %s", json.dumps(_jsonable(result), ensure_ascii=False))
    return _jsonable(result)


def generate_docs(run_id: str, as_of: date | str) -> str:
    from pdgov.transform.dbt import generate_docs as gen

    index = gen()  # the project's docs, not the night's (why: pdgov.transform.dbt.generate_docs)
    log.info("pdgov: dbt docs (lineage) at %s for run %s (%s)", index, run_id, clock.as_of(as_of))
    return str(index)


def finish_run(run_id: str, failed_tasks: list[str]) -> dict[str, Any]:
    """Close the run's ledger row (SPEC §5: files, hashes, rows in and out)."""
    from pdgov.warehouse import connect

    with connect() as con:
        files, rows_in, rows_rejected = con.execute(
            """SELECT count(*), coalesce(sum(rows_in), 0), coalesce(sum(rows_rejected), 0)
               FROM main.ingest_files WHERE run_id = ?""",
            [run_id],
        ).fetchone()
        detail = {
            "files": [
                {"source": s, "file_name": n, "sha256": h, "status": st, "rows_in": ri, "rows_rejected": rr}
                for s, n, h, st, ri, rr in con.execute(
                    """SELECT source, file_name, file_sha256, status, rows_in, rows_rejected
                       FROM main.ingest_files WHERE run_id = ? ORDER BY source, file_name""",
                    [run_id],
                ).fetchall()
            ],
            "failed_tasks": failed_tasks,
        }
        status = "failed" if failed_tasks else "success"
        con.execute(
            """UPDATE main.run_ledger SET finished_at = ?, status = ?, files = ?, rows_in = ?,
               rows_rejected = ?, detail = ? WHERE run_id = ?""",
            [clock.now(), status, files, rows_in, rows_rejected, json.dumps(detail, ensure_ascii=False), run_id],
        )
    summary = {"run_id": run_id, "status": status, "files": files, "rows_in": rows_in,
               "rows_rejected": rows_rejected}
    log.info("pdgov: run finished: %s", summary)
    return summary


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str, ensure_ascii=False))
