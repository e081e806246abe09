"""Deletions pdgov cannot do itself: the agencies do them, pdgov gives the deadline and keeps the proof.

Two kinds of personal data live outside the warehouse:

* **WebIR query results** (查詢所得資料) the agencies keep: seed 004 §11(2)2 — deleted within one
  month after their use ends. The end of use is a fact only the agency knows (the case is closed),
  so its steward records it: ``pdgov retention end-of-use --agency A --case 案號 --date D``
  (``main.webir_result_use_ends``). The deadline is that date plus one month.
* **Biometric templates** held on the attendance devices: the register's catalogue
  (``personal_data_file_catalog``: 停用設備或離職時即刪除, 設備端刪除特徵值並出具證明) — on a device
  that is prohibited or rejected, and of staff who left, they are deleted on the device.

The mart ``agency_deletion_tasks`` turns both into one task per device (or per case) for the
agency. The agency sends back what it did: ``pdgov retention task-done TASK --by NAME --on D
--ref 文號`` (``main.deletion_task_evidence``), kept five years like the purge's own evidence.

Why a command and not a landing source: these are a handful of decisions a named person takes
(who, when, under which document), like a legal hold, not a system's export; a command records the
person and refuses an unknown task at once, where a file would be found wrong only at night.
"""

from __future__ import annotations

import getpass
from datetime import date

import duckdb

from pdgov import clock
from pdgov.warehouse import table_exists

DDL = [
    """CREATE TABLE IF NOT EXISTS main.webir_result_use_ends (
        agency_code VARCHAR, case_no VARCHAR, use_ended_on DATE, note VARCHAR,
        recorded_by VARCHAR, recorded_at TIMESTAMP, PRIMARY KEY (agency_code, case_no))""",
    """CREATE TABLE IF NOT EXISTS main.deletion_task_evidence (
        task_id VARCHAR PRIMARY KEY, agency_code VARCHAR, done_on DATE, confirmed_by VARCHAR,
        evidence_ref VARCHAR, note VARCHAR, recorded_at TIMESTAMP)""",
]


class TaskError(ValueError):
    """A record that cannot be kept as asked (unknown task or case, a date in the future)."""


def record_use_end(con: duckdb.DuckDBPyConnection, agency: str, case_no: str, ended: date,
                   note: str | None, by: str | None) -> None:
    """The agency's use of a case's WebIR results ended on ``ended``; recording it again corrects it."""
    if ended > clock.today():
        raise TaskError(f"end of use {ended} is in the future: record it when the use has ended")
    # The querying agency is the roster's (int_webir_queries, seed 004 §6): a log need not name it.
    known = con.execute(
        "SELECT count(*) FROM main.int_webir_queries WHERE agency_code = ? AND case_no = ?", [agency, case_no]
    ).fetchone()[0] if table_exists(con, "main", "int_webir_queries") else 1
    if not known:
        raise TaskError(f"no WebIR query of agency {agency} carries case number {case_no!r}")
    con.execute("DELETE FROM main.webir_result_use_ends WHERE agency_code = ? AND case_no = ?", [agency, case_no])
    con.execute("INSERT INTO main.webir_result_use_ends VALUES (?, ?, ?, ?, ?, ?)",
                [agency, case_no, ended, note, by or getpass.getuser(), clock.now()])


def record_done(con: duckdb.DuckDBPyConnection, task_id: str, done_on: date, by: str, ref: str,
                note: str | None) -> str:
    """The agency's evidence that it carried out a deletion task; returns the task's agency."""
    if not ref.strip() or not by.strip():
        raise TaskError("the evidence needs who did it (--by) and the document that proves it (--ref)")
    if done_on > clock.today():
        raise TaskError(f"done on {done_on} is in the future")
    row = con.execute("SELECT agency_code FROM main.agency_deletion_tasks WHERE task_id = ?", [task_id]
                      ).fetchone() if table_exists(con, "main", "agency_deletion_tasks") else None
    if row is None:
        raise TaskError(f"no deletion task {task_id}; the agency workbook's 刪除作業 sheet lists them")
    con.execute("DELETE FROM main.deletion_task_evidence WHERE task_id = ?", [task_id])
    con.execute("INSERT INTO main.deletion_task_evidence VALUES (?, ?, ?, ?, ?, ?, ?)",
                [task_id, row[0], done_on, by.strip(), ref.strip(), note, clock.now()])
    return row[0]
