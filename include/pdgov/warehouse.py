"""The only door to the DuckDB warehouse.

DuckDB lets one process hold the file for writing and then refuses every other process, even
read-only ones. pdgov therefore opens the warehouse per task and closes it when the task ends
(``with connect() as con``), and Airflow serialises the tasks through the one-slot pool
``pdgov_warehouse``; processes outside the pool queue on ``pdgov.writer_lock``. Operational tables that Python writes are created here so every task can
rely on them existing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pdgov import clock, writer_lock
from pdgov.config import paths
from pdgov.incidents.records import DDL as INCIDENT_DDL

OPS_DDL = [
    "CREATE SCHEMA IF NOT EXISTS raw",
    """CREATE TABLE IF NOT EXISTS main.run_ledger (
        run_id VARCHAR PRIMARY KEY, logical_date DATE, triggered_by VARCHAR,
        data_interval_start TIMESTAMP, data_interval_end TIMESTAMP,
        started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
        files INTEGER, rows_in BIGINT, rows_rejected BIGINT, detail JSON)""",
    """CREATE TABLE IF NOT EXISTS main.ingest_files (
        file_sha256 VARCHAR PRIMARY KEY, source VARCHAR, file_name VARCHAR, size_bytes BIGINT,
        status VARCHAR, rows_in BIGINT, rows_rejected BIGINT, archived_as VARCHAR,
        run_id VARCHAR, first_seen_at TIMESTAMP, loaded_at TIMESTAMP, notes VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS main.ingest_rejections (
        source VARCHAR, file_name VARCHAR, file_sha256 VARCHAR, line_no INTEGER,
        column_name VARCHAR, reason VARCHAR, run_id VARCHAR, rejected_at TIMESTAMP)""",
    # retention (pdgov.retention): legal holds stewards place, evidence the purge leaves
    """CREATE TABLE IF NOT EXISTS main.legal_holds (
        hold_id VARCHAR PRIMARY KEY, agency_code VARCHAR, dataset VARCHAR, period_start DATE,
        period_end DATE, reason VARCHAR, created_by VARCHAR, created_at TIMESTAMP,
        released_by VARCHAR, released_at TIMESTAMP, release_reason VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS main.deletion_evidence (
        evidence_id VARCHAR PRIMARY KEY, run_id VARCHAR, dataset VARCHAR, agency_code VARCHAR,
        rule_id VARCHAR, period_start DATE, period_end DATE, cutoff DATE, rows_deleted BIGINT,
        tables_touched VARCHAR, files_deleted INTEGER, files_rewritten INTEGER, files VARCHAR,
        method VARCHAR, as_of_date DATE, deleted_at TIMESTAMP)""",
    # incidents (pdgov.notifications): the outbox with its sent ledger, and the incident clock
    """CREATE TABLE IF NOT EXISTS main.notification_outbox (
        message_id VARCHAR PRIMARY KEY, incident_id VARCHAR, recipient VARCHAR, kind VARCHAR,
        agency_code VARCHAR, employee_no VARCHAR, subject VARCHAR, body VARCHAR, status VARCHAR,
        attempts INTEGER, last_error VARCHAR, queued_at TIMESTAMP, last_attempt_at TIMESTAMP,
        sent_at TIMESTAMP, run_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS main.incidents_log (
        incident_id VARCHAR PRIMARY KEY, known_at TIMESTAMP, report_due_at TIMESTAMP,
        report_sent_at TIMESTAMP, clock_status VARCHAR, escalated_at TIMESTAMP,
        authority_report_required BOOLEAN, authority_due_at TIMESTAMP, people INTEGER,
        records BIGINT, notices_queued INTEGER, notices_sent INTEGER, first_seen_at TIMESTAMP,
        updated_at TIMESTAMP, last_run_id VARCHAR)""",
    # messages the mail server refused for good (5xx): a person must reach them another way
    "ALTER TABLE main.incidents_log ADD COLUMN IF NOT EXISTS messages_failed INTEGER",
    # incidents (pdgov.incidents.records): the scope confirmation and the §43 checklist
    *INCIDENT_DDL,
]


def memory_limit() -> str:
    return os.environ.get("PDGOV_DUCKDB_MEMORY_LIMIT", "4GB")


def threads() -> int:
    return int(os.environ.get("PDGOV_DUCKDB_THREADS", str(os.cpu_count() or 2)))


def configure(con: duckdb.DuckDBPyConnection, temp_dir: Path) -> None:
    """Every connection to the warehouse gets the same limits: memory, threads, and a temp dir
    beside the warehouse (a connection without them may take 80 % of the machine's memory)."""
    con.execute(f"SET memory_limit='{memory_limit()}'")
    con.execute(f"SET threads={threads()}")
    con.execute(f"SET temp_directory='{temp_dir.as_posix()}'")
    con.execute(f"SET TimeZone='{clock.TIMEZONE}'")


def release_inprocess_dbt() -> None:
    """Close the DuckDB handle dbt-duckdb caches when dbt ran in this same process.

    ``airflow dags test`` (``pdgov run``) runs every task, Cosmos's dbt tasks included, in one
    process. DuckDB then refuses a second connection with another configuration, and a purge
    that swaps the database file must not leave dbt writing to the old one.
    """
    import sys

    mod = sys.modules.get("dbt.adapters.duckdb.connections")
    if mod is None:
        return
    manager = mod.DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


@contextmanager
def connect(read_only: bool = False, path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse, after pdgov's own lock (``pdgov.writer_lock``): shared to read, exclusive to
    write, so a second process waits for it, or is told who holds it, instead of DuckDB's raw error."""
    p = paths()
    db = path or p.warehouse
    db.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock.hold(shared=read_only):
        release_inprocess_dbt()
        try:
            con = duckdb.connect(str(db), read_only=read_only)
        except duckdb.ConnectionException:
            # Same process already holds the file read-write (see above): reading through it is safe.
            con = duckdb.connect(str(db))
        try:
            configure(con, p.warehouse_dir / "tmp")
            if not read_only:
                ensure_schema(con, db.parent)
            yield con
        finally:
            con.close()


def ensure_schema(con: duckdb.DuckDBPyConnection, warehouse_dir: Path | None = None) -> None:
    from pdgov.retention import approvals, tasks

    # retention's approvals (seed 002 §21) and the agencies' deletion tasks: in pdgov.retention
    for ddl in [*OPS_DDL, *approvals.DDL, *tasks.DDL]:
        con.execute(ddl)
    # closed punch months live in files beside the warehouse: the view reads this home's files
    from pdgov import punch_months

    punch_months.refresh_view(con, warehouse_dir)


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema=? AND table_name=?",
            [schema, name],
        ).fetchone()[0]
    )
