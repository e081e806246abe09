"""The dashboard's copy of a night: the marts it shows, as Parquet files beside that night's workbooks.

DuckDB lets one process hold the warehouse for writing and then refuses every other process, even
a read-only one, so a page that read the warehouse would fail whenever a night or an incident
declaration runs. The dashboard therefore reads a snapshot the ``write_exports`` task leaves in
``exports/<date>/dashboard/`` (one Parquet file per table it shows; Parquet takes no lock, any
number of web workers read it at once). One snapshot per night is also what lets the dashboard
show an earlier date as it was. The snapshot holds what the workbooks of that night hold (national
IDs only masked) and lives and goes with them.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

from pdgov.config import paths

SNAPSHOT_DIR = "dashboard"
# What the tiles read (see pdgov.ui.dashboard). A table the warehouse does not have is left out;
# webir_audit_findings and agency_deliveries appear once the models that build them exist.
TABLES = ("device_compliance", "deletion_deadlines", "webir_audit_samples", "webir_audit_findings",
          "webir_account_review", "incident_clock", "incident_summary", "agency_deliveries", "city_agencies")
ABOUT = "snapshot.json"


def snapshot_dir(as_of: date) -> Path:
    return paths().exports / as_of.isoformat() / SNAPSHOT_DIR


def write(run_id: str, logical_date: date) -> Path:
    """Copy the shown tables from the warehouse to ``exports/<date>/dashboard/``."""
    from pdgov.warehouse import connect

    with connect(read_only=True) as con:
        return write_from(con, run_id, logical_date,
                          written_at=datetime.now().astimezone().isoformat(timespec="seconds"))


def write_from(con, run_id: str, logical_date: date, **about_extra: str) -> Path:
    """Copy the shown tables ``con`` has (the warehouse, or a past night rebuilt from history) to
    ``exports/<date>/dashboard/``, replacing the night's earlier copy whole."""
    final = snapshot_dir(logical_date)
    tmp, old = final.with_name(f".{SNAPSHOT_DIR}.tmp"), final.with_name(f".{SNAPSHOT_DIR}.old")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    have = {t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    copied = []
    for table in TABLES:
        if table in have:
            target = (tmp / f"{table}.parquet").as_posix().replace("'", "''")
            con.execute(f"COPY (SELECT * FROM main.\"{table}\") TO '{target}' (FORMAT parquet)")
            copied.append(table)
    about = {"run_id": run_id, "logical_date": logical_date.isoformat(), "tables": copied, **about_extra}
    (tmp / ABOUT).write_text(json.dumps(about, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final
