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

Deletion waits for a signed approval (seed 002 §21, ``approvals``): only approved batches are
planned. A night splits the purge around its models: ``delete_approved`` (steps 1-3, before the
models, so every derived table is rebuilt without the rows) and ``finish`` (after them: proposes
tonight's due batches, then steps 3-5 through ``recover``). ``enforce`` (the manual door) does both
with a ``dbt run`` of the affected tables between.

The steps live beside this module: ``plan`` (what is due, read-only: the dry run), ``apply``
(steps 2-4) and ``journal`` (steps 1 and 5); ``recover`` here finishes an interrupted purge.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from datetime import date, timedelta
from typing import Any

import duckdb

from pdgov import clock, punch_months
from pdgov.config import paths
from pdgov.retention import apply, approvals, journal
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
    _check_run(con, run_id, as_of, override)


def _check_run(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date, override: bool) -> None:
    """The checks that need no models: the run has not failed and the clock is not in the future."""
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


def deletion_bases(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """rule_id -> why the data is deleted (PDPA art. 11(3): the period ended), from the rules seed."""
    from pdgov.retention.rules import load_rules

    return {r.rule_id: r.deletion_basis for r in load_rules(con)}


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
    log.info("pdgov: retention: finished the purge of run %s (%s)", body["run_id"],
             "files and fresh-file copy" if committed else "it had not committed; replanned")
    return result


def enforce(run_id: str, logical_date: date, dry_run: bool = False, override: bool = False) -> dict:
    """Delete every approved due row not under a legal hold, everywhere it is kept; propose the rest.

    The manual door (``pdgov retention --date D``) on a warehouse whose models are built: delete the
    approved batches, rebuild the dbt tables built from the deleted data (no model runs after it),
    propose tonight's due batches, then copy the warehouse into a fresh file. Returns a summary
    (counts only). ``dry_run`` plans and reports without changing anything; ``override`` lifts the
    share guard and the future-date check (an operator's explicit choice).
    """
    from pdgov import writer_lock

    # The whole purge is one writer: the recovery, the delete, the files and the swap.
    with writer_lock.hold(shared=dry_run):
        if dry_run:
            return _delete(run_id, logical_date, True, override, models_built=True)
        summary = _delete(run_id, logical_date, False, override, models_built=True)
        if summary.get("deleted_tables"):
            t0 = time.monotonic()
            summary["models_rebuilt"] = rebuild_models(summary["deleted_tables"], logical_date, run_id)
            summary["models_seconds"] = round(time.monotonic() - t0, 3)
        summary.update(_finish(run_id, logical_date))
        return summary


def delete_approved(run_id: str, logical_date: date, override: bool = False) -> dict:
    """Nightly, before the models: delete the approved batches from the tables and files.

    The models that run next rebuild every derived table without the rows, and ``finish`` (after
    them) copies the warehouse into a fresh file, so neither a derived table nor a freed block of
    the old file keeps a deleted value (seed 002 §24). The journal stays until that copy is done.

    Then the punches of months now closed leave ``raw.punches`` for their month files
    (``pdgov.punch_months``), so a later deletion rewrites a month, not the whole warehouse.
    """
    from pdgov import writer_lock
    from pdgov.warehouse import connect

    with writer_lock.hold():
        summary = _delete(run_id, logical_date, False, override, models_built=False)
        t0 = time.monotonic()
        with connect() as con:
            summary["months_closed"] = punch_months.close_months(con, logical_date)
        summary["months_closed"]["seconds"] = round(time.monotonic() - t0, 3)
        return summary


def finish(run_id: str, logical_date: date) -> dict:
    """Nightly, after the models: propose tonight's due batches, then finish tonight's deletion
    (its file actions again, idempotent, and the fresh-file copy) if one happened."""
    from pdgov import writer_lock

    with writer_lock.hold():
        return _finish(run_id, logical_date)


def _finish(run_id: str, logical_date: date) -> dict:
    from pdgov.warehouse import connect

    out: dict[str, Any] = {}
    with connect() as con:
        _check_preconditions(con, run_id, logical_date, override=True)
        approvals.ensure_tables(con)
        due = make_plan(con, logical_date, files=False)  # everything due, approved or not
        out["proposals"] = approvals.propose(con, due, run_id, deletion_bases(con))
        out["proposals"]["overdue_mailed"] = approvals.queue_overdue_mail(con, run_id)
    t0 = time.monotonic()
    done = recover()
    out["rebuilt"] = bool(done and done.get("committed"))
    if out["rebuilt"]:
        out["rebuild_seconds"] = round(time.monotonic() - t0, 3)
        log.info("pdgov: retention: warehouse copied into a fresh file in %.2fs", out["rebuild_seconds"])
    return out


def rebuild_models(tables: list[str], as_of: date, run_id: str) -> list[str]:
    """Rebuild the dbt tables built from ``tables`` (schema.table) that exist in the warehouse.

    Only the manual door needs it: a night deletes before its models run. An aggregate such as
    ``int_register_punch_people`` (one row per person, no punch date) keeps a person whose punches
    were all deleted until it is rebuilt.
    """
    from pdgov.transform import dbt
    from pdgov.warehouse import connect, release_inprocess_dbt

    manifest_path = paths().dbt_target / "manifest.json"
    if not manifest_path.exists():
        return []
    m = json.loads(manifest_path.read_text(encoding="utf-8"))
    wanted = {t.lower() for t in tables}
    start = [k for k, n in m.get("sources", {}).items() if f"{n['schema']}.{n['name']}".lower() in wanted]
    seen: set[str] = set()
    todo = list(start)
    while todo:
        for child in m["child_map"].get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    with connect(read_only=True) as con:
        existing = {(s.lower(), t.lower()) for s, t in base_tables(con)}
    names = sorted(
        n["name"] for k, n in m["nodes"].items()
        if k in seen and n.get("resource_type") == "model"
        and n.get("config", {}).get("materialized") in ("table", "incremental")
        and (str(n.get("schema", "main")).lower(), str(n.get("alias") or n["name"]).lower()) in existing)
    if names:
        dbt.run(["run", "--vars", dbt.dbt_vars(as_of, run_id), "--select", *names])
        release_inprocess_dbt()
    return names


def _delete(run_id: str, logical_date: date, dry_run: bool, override: bool, models_built: bool) -> dict:
    from pdgov.warehouse import connect

    p = paths()
    recovered = None if dry_run else recover()
    summary: dict[str, Any] = {"run_id": run_id, "as_of": logical_date.isoformat(), "dry_run": dry_run,
                               "recovered": recovered}
    t0 = time.monotonic()
    with connect(read_only=dry_run) as con:
        if not rules_table_exists(con) and not models_built:
            summary.update(_summarise(Plan(logical_date, [], {}, {}, [])), rebuilt=False)
            return summary  # a first night: nothing was ever proposed, so nothing is approved
        if models_built:
            _check_preconditions(con, run_id, logical_date, override)
        else:
            _check_run(con, run_id, logical_date, override)
        windows = approvals.windows(con) if approvals.tables_exist(con) else {}
        if not windows and not dry_run:  # nothing approved: nothing to plan (most nights)
            summary.update(_summarise(Plan(logical_date, [], {}, {}, [])), rebuilt=False)
            return summary
        plan = make_plan(con, logical_date, windows)
        summary.update(_summarise(plan))
        if dry_run:
            summary["awaiting_approval"] = approvals.pending(con)
        summary["plan_seconds"] = round(time.monotonic() - t0, 3)
        _check_share(plan, override)
        if dry_run or (not plan.periods and not plan.file_actions):
            summary["rebuilt"] = False
            return summary
        approvals.ensure_tables(con)
        evidence_ids = [pp.evidence_id(run_id) for pp in plan.periods] + [
            hashlib.md5(f"{run_id}|{a['path']}".encode()).hexdigest()
            for a in plan.file_actions if a["kind"] == "quarantine"]
        journal.write_journal(run_id, plan, evidence_ids)
        journal.crash_point("after_journal")
        t0 = time.monotonic()
        deleted_keys: dict[str, list[str]] = {}
        evidence = apply.delete_rows(con, plan, run_id, deleted_keys)
        punch_months.sweep(con)  # the month files' versions holding the deleted rows
        summary["delete_seconds"] = round(time.monotonic() - t0, 3)
    journal.crash_point("after_commit")
    if any(deleted_keys.values()):
        # Past nights' history rows (and their workbooks) keep the record but lose the person (#22).
        from pdgov.history.redact import redact

        summary["history_nights_redacted"] = [d.isoformat() for d in redact(deleted_keys)]
    t0 = time.monotonic()
    summary["files_done"] = apply.apply_file_actions(plan.file_actions, p.home)
    summary["files_seconds"] = round(time.monotonic() - t0, 3)
    personal = any(pp.rule.dataset in LANDING_SOURCE for pp in plan.periods)
    summary["exports_removed"] = apply.purge_old_exports(p.home, logical_date) if personal else []
    summary["deleted_tables"] = sorted({pp.rule.table for pp in plan.periods})
    summary["evidence_rows"] = len(evidence)
    summary["rebuilt"] = False  # the fresh-file copy comes in ``finish``, after the models
    log.info("pdgov: retention: deleted %s approved rows, %s files", summary["rows_to_delete"], summary["files_done"])
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
    waiting = summary.get("awaiting_approval") or []
    if waiting:
        out.append(f"awaiting approval (not deleted until approved, seed 002 §21): {len(waiting)} batch(es): "
                   + ", ".join(b["batch_id"] for b in waiting[:10]) + (" …" if len(waiting) > 10 else ""))
    return "\n".join(out)
