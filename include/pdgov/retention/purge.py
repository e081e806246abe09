"""Enforcing `deletion_deadlines`: due data is gone from the warehouse and every file that held it.

Seed 002 §24 asks that deleted personal data cannot be "restored or recombined". DuckDB keeps
deleted strings in the database file after ``DELETE`` + ``CHECKPOINT`` (and even after a table
rebuild and ``VACUUM``), so deleting rows is not enough: after the deletions the warehouse is
copied into a fresh file (``ATTACH`` + ``COPY FROM DATABASE``) that replaces the old one. Seed
004 §11(3)2 extends the deletion to backups and derived files: the archived deliveries and the
quarantine copies lose the due lines too, and exports of earlier runs are removed.

Order of one purge, and why a crash anywhere is safe:

1. a *journal* (``warehouse/retention_journal.json``: evidence ids and the file actions, never
   data) is written and fsynced;
2. one DuckDB transaction deletes the rows from every table that holds them, writes
   ``deletion_evidence`` and marks the periods ``deleted`` — before or after, never between;
3. the file actions run (each atomic and idempotent);
4. the warehouse is copied into ``pdgov.duckdb.new``, fsynced and renamed over the old file;
5. the journal is removed.

The next run finds a leftover journal and finishes the job: if the evidence of step 2 is in the
warehouse it redoes steps 3–4, otherwise the transaction never committed and it just replans.

The steps live beside this module: ``plan`` (what is due, read-only: the dry run), ``apply``
(steps 2-4) and ``journal`` (steps 1 and 5); ``recover`` here finishes an interrupted purge.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import date, timedelta
from typing import Any

import duckdb

from pdgov import clock
from pdgov.config import paths
from pdgov.retention import apply, journal
from pdgov.retention import files as fileops
from pdgov.retention.plan import Plan, agency_of, base_tables, make_plan
from pdgov.retention.rules import LANDING_SOURCE, rules_table_exists

log = logging.getLogger("pdgov.retention")


class RetentionRefused(RuntimeError):
    """The purge will not run as asked (models not built for this date, share guard, clock)."""


def max_share() -> float:
    return float(os.environ.get("PDGOV_RETENTION_MAX_SHARE", "0.25"))


def guard_min_rows() -> int:
    return int(os.environ.get("PDGOV_RETENTION_GUARD_MIN_ROWS", "1000"))


def _check_preconditions(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date, override: bool) -> None:
    if not rules_table_exists(con):
        raise RetentionRefused("the models have not been built (no main.retention_rules): no purge without them")
    tables = set(base_tables(con))
    if ("main", "deletion_deadlines") not in tables:
        raise RetentionRefused("the models have not been built (no main.deletion_deadlines): no purge without them")
    built_for = con.execute("SELECT max(as_of_date) FROM main.deletion_deadlines").fetchone()[0]
    if built_for is not None and built_for != as_of:
        raise RetentionRefused(
            f"deletion_deadlines was built as of {built_for}, not {as_of}: tonight's models did not run; "
            "no purge on a night whose models failed")
    status = con.execute("SELECT status FROM main.run_ledger WHERE run_id = ?", [run_id]).fetchone()
    if status and status[0] == "failed":
        raise RetentionRefused(f"run {run_id} is marked failed: no purge")
    today = clock.today()
    if as_of > today + timedelta(days=1) and not override:
        raise RetentionRefused(
            f"logical date {as_of} is in the future (today is {today} in Taipei): a wrong clock must not "
            "delete data; pass the override if this is intended")


def _check_share(plan: Plan, override: bool) -> None:
    if override:
        return
    limit, floor = max_share(), guard_min_rows()
    too_much = []
    for dataset, n in plan.rows_by_dataset().items():
        total = plan.totals.get(dataset, 0)
        if total and n >= floor and n / total > limit:
            too_much.append(f"{dataset}: {n} of {total} rows ({n / total:.0%})")
    if too_much:
        raise RetentionRefused(
            f"the purge would delete more than {limit:.0%} of a dataset ({'; '.join(too_much)}). "
            "If the logical date is right, run `pdgov retention --date D --override-share`, or raise "
            "PDGOV_RETENTION_MAX_SHARE")


def recover() -> dict[str, Any] | None:
    """Finish a purge a crash interrupted; None when there was nothing to finish."""
    j = journal.journal_path()
    if not j.exists():
        return None
    p = paths()
    body = json.loads(j.read_text(encoding="utf-8"))
    new = p.warehouse.with_name(p.warehouse.name + ".new")
    if new.exists():
        new.unlink()
    from pdgov.warehouse import release_inprocess_dbt

    release_inprocess_dbt()
    con = duckdb.connect(str(p.warehouse))
    try:
        ids = body.get("evidence_ids") or []
        committed = bool(ids) and con.execute(
            f"SELECT count(*) FROM main.deletion_evidence WHERE evidence_id IN ({', '.join('?' * len(ids))})", ids
        ).fetchone()[0] > 0
    finally:
        con.close()
    result: dict[str, Any] = {"run_id": body["run_id"], "committed": committed}
    if committed:
        result["files"] = apply.apply_file_actions(body["file_actions"], p.home)
        result["rebuild_seconds"] = apply.rebuild_warehouse(p.warehouse)
    j.unlink()
    fileops.fsync_dir(j.parent)
    log.warning("pdgov: retention: finished the interrupted purge of run %s (%s)", body["run_id"],
                "redone files and rebuild" if committed else "it had not committed; replanned")
    return result


def enforce(run_id: str, logical_date: date, dry_run: bool = False, override: bool = False) -> dict:
    """Delete every due or overdue row not under a legal hold, everywhere it is kept.

    Returns a summary (counts only). ``dry_run`` plans and reports without changing anything;
    ``override`` lifts the share guard and the future-date check (an operator's explicit choice).
    """
    from pdgov import writer_lock

    # The whole purge is one writer: the recovery, the delete, the files and the swap.
    with writer_lock.hold(shared=dry_run):
        return _enforce(run_id, logical_date, dry_run, override)


def _enforce(run_id: str, logical_date: date, dry_run: bool, override: bool) -> dict:
    from pdgov.warehouse import connect

    p = paths()
    recovered = None if dry_run else recover()
    summary: dict[str, Any] = {"run_id": run_id, "as_of": logical_date.isoformat(), "dry_run": dry_run,
                               "recovered": recovered}
    import time

    t0 = time.monotonic()
    with connect(read_only=dry_run) as con:
        _check_preconditions(con, run_id, logical_date, override)
        plan = make_plan(con, logical_date)
        summary.update(_summarise(plan))
        summary["plan_seconds"] = round(time.monotonic() - t0, 3)
        _check_share(plan, override)
        if dry_run or (not plan.periods and not plan.file_actions):
            summary["rebuilt"] = False
            return summary
        evidence_ids = [pp.evidence_id(run_id) for pp in plan.periods] + [
            hashlib.md5(f"{run_id}|{a['path']}".encode()).hexdigest()
            for a in plan.file_actions if a["kind"] == "quarantine"]
        journal.write_journal(run_id, plan, evidence_ids)
        journal.crash_point("after_journal")
        t0 = time.monotonic()
        evidence = apply.delete_rows(con, plan, run_id)
        summary["delete_seconds"] = round(time.monotonic() - t0, 3)
    journal.crash_point("after_commit")
    t0 = time.monotonic()
    summary["files_done"] = apply.apply_file_actions(plan.file_actions, p.home)
    summary["files_seconds"] = round(time.monotonic() - t0, 3)
    personal = any(pp.rule.dataset in LANDING_SOURCE for pp in plan.periods)
    summary["exports_removed"] = apply.purge_old_exports(p.home, logical_date) if personal else []
    summary["rebuild_seconds"] = round(apply.rebuild_warehouse(p.warehouse), 3)
    summary["rebuilt"] = True
    summary["evidence_rows"] = len(evidence)
    journal.journal_path().unlink(missing_ok=True)
    fileops.fsync_dir(p.warehouse_dir)
    log.info("pdgov: retention: deleted %s rows, %s files, rebuilt in %.2fs", summary["rows_to_delete"],
             summary["files_done"], summary["rebuild_seconds"])
    return summary


def _summarise(plan: Plan) -> dict[str, Any]:
    per: dict[tuple[str, str, str], dict[str, int]] = {}
    for pp in plan.periods:
        k = (pp.rule.rule_id, pp.rule.dataset, pp.agency_code)
        d = per.setdefault(k, {"periods": 0, "rows": 0, "held_rows": 0, "files_delete": 0, "files_rewrite": 0})
        d["periods"] += 1
        d["rows"] += pp.rows
    rule_of = {pp.rule.dataset: pp.rule.rule_id for pp in plan.periods}
    for (dataset, agency), n in plan.held_rows.items():
        rule_id = rule_of.get(dataset) or dataset
        d = per.setdefault((rule_id, dataset, agency),
                           {"periods": 0, "rows": 0, "held_rows": 0, "files_delete": 0, "files_rewrite": 0})
        d["held_rows"] += n
    for a in plan.file_actions:
        agency = agency_of(a["path"])
        rule_id = rule_of.get(a["dataset"]) or a["dataset"]
        d = per.setdefault((rule_id, a["dataset"], agency),
                           {"periods": 0, "rows": 0, "held_rows": 0, "files_delete": 0, "files_rewrite": 0})
        d["files_delete" if a["action"] == "delete" else "files_rewrite"] += 1
    rows = [{"rule_id": r, "dataset": ds, "agency_code": ag, **v} for (r, ds, ag), v in sorted(per.items())]
    return {
        "rows_to_delete": sum(pp.rows for pp in plan.periods),
        "rows_by_dataset": plan.rows_by_dataset(),
        "rows_held": sum(plan.held_rows.values()),
        "files_to_delete": sum(1 for a in plan.file_actions if a["action"] == "delete"),
        "files_to_rewrite": sum(1 for a in plan.file_actions if a["action"] == "blank"),
        "by_rule_agency": rows,
    }


def format_plan(summary: dict) -> str:
    """The dry run's table: per rule and agency, what would go (and what a hold keeps)."""
    head = ("rule_id", "dataset", "agency_code", "periods", "rows", "held_rows", "files_delete", "files_rewrite")
    rows = [[str(r[h]) for h in head] for r in summary.get("by_rule_agency", [])]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    out = [f"retention as of {summary['as_of']}" + (" (dry run: nothing changed)" if summary.get("dry_run") else ""),
           line, "-" * len(line)]
    out += ["  ".join(c.rjust(w) if i >= 3 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            for r in rows]
    out.append(f"total: {summary['rows_to_delete']} rows to delete, {summary['rows_held']} held, "
               f"{summary['files_to_delete']} files to delete, {summary['files_to_rewrite']} to rewrite")
    return "\n".join(out)
