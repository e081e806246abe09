"""The purge's journal, so that a crash anywhere in a purge is finished by the next run.

Before anything is deleted, the evidence ids and the file actions (never data) are written to
``warehouse/retention_journal.json`` and fsynced; the journal is removed when the purge is done,
and ``pdgov.retention.purge.recover`` finishes a purge that left one. ``crash_point`` is the hook
the crash tests use to stop a purge at a named step.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pdgov import clock
from pdgov.config import paths
from pdgov.retention import files as fileops
from pdgov.retention.plan import Plan

log = logging.getLogger("pdgov.retention")


CRASH_ENV = "PDGOV_RETENTION_CRASH_AT"  # test hook: exit the process abruptly at a named step


def crash_point(name: str) -> None:
    from pdgov.crash import crash_point as crash

    crash(name, env=CRASH_ENV)


def journal_path() -> Path:
    return paths().warehouse_dir / "retention_journal.json"


def write_journal(run_id: str, plan: Plan, evidence_ids: list[str]) -> None:
    body = {"run_id": run_id, "as_of": plan.as_of.isoformat(), "evidence_ids": evidence_ids,
            "file_actions": plan.file_actions, "written_at": clock.now().isoformat()}
    fileops.write_atomic(journal_path(), json.dumps(body, ensure_ascii=False).encode("utf-8"))
