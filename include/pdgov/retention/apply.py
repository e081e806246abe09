"""Carrying out a purge plan: the rows and their derived copies deleted in one transaction with
their evidence, the due lines taken out of archived and quarantined files, the exports of earlier
runs removed, and the warehouse copied into a fresh file, because DuckDB keeps deleted strings in
the old one (seed 002 §24: deleted data must not be restorable).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import duckdb

from pdgov import clock, punch_months
from pdgov.retention import files as fileops
from pdgov.retention.journal import crash_point
from pdgov.retention.plan import Plan, agency_of, base_tables, columns, due_sql, enforced_rules, refresh_holds
from pdgov.retention.rules import COPIED_DATASETS, ROW_KEYS, Rule

METHOD = ("DELETE in one transaction from every table holding the rows; closed months' Parquet files "
          "written again without them and the old files removed; due lines emptied from archived "
          "and quarantined files; warehouse copied into a fresh file (COPY FROM DATABASE) that replaced "
          "the old one")
# Tables the purge maintains itself: never scanned as "derived copies".
OWN_TABLES = {("main", "deletion_evidence"), ("main", "legal_holds"), ("main", "deletion_deadlines"),
              ("main", "retention_rules"), ("main", "deletion_proposals")}


def _derived_tables(con: duckdb.DuckDBPyConnection, rule: Rule) -> list[tuple[str, str, str]]:
    """Other base tables holding copies of the rule's rows: (schema, table, how to match)."""
    out: list[tuple[str, str, str]] = []
    if rule.dataset not in COPIED_DATASETS:
        return out  # records of the pipeline itself, and the audit findings, live in one table only
    key = ROW_KEYS.get(rule.dataset)
    for schema, table in base_tables(con):
        if (schema, table) == (rule.table_schema, rule.table_name) or (schema, table) in OWN_TABLES:
            continue
        if schema == "raw":
            continue  # raw tables are systems of record of their own rules
        cols = columns(con, schema, table)
        if rule.anchor_column in cols and (not rule.agency_column or rule.agency_column in cols):
            out.append((schema, table, "anchor"))
        elif key and key in cols:
            out.append((schema, table, "key"))
    return out


def delete_rows(con: duckdb.DuckDBPyConnection, plan: Plan, run_id: str,
                deleted_keys: dict[str, list[str]] | None = None) -> list[dict]:
    """One transaction: rows, derived copies, evidence, deadline statuses.

    ``deleted_keys`` (when given) receives the row keys deleted (``query_key`` → values), so the
    governance history can redact what it names of them after the commit (seed 002 §24).
    """
    now = clock.now()
    evidence: list[dict] = []
    done_rules: dict[str, Rule] = {pp.rule.dataset: pp.rule for pp in plan.periods}
    touched: dict[str, dict[str, int]] = {}
    from pdgov.retention import approvals

    approved = approvals.approval_of(con)
    by_rule: dict[str, approvals.Approval] = {}
    for (rule_id, _start), a in sorted(approved.items(), key=lambda kv: kv[1].approved_at):
        by_rule[rule_id] = a  # the latest approval of the rule stands for its quarantine lines
    batches: dict[str, int] = {}
    month_files: dict[date, list[dict]] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        refresh_holds(con)
        for dataset, rule in done_rules.items():
            cutoff = rule.cutoff(plan.as_of)
            counts: dict[str, int] = {}
            key = ROW_KEYS.get(dataset)
            derived = _derived_tables(con, rule)
            if key and any(how == "key" for _, _, how in derived):
                con.execute("DROP TABLE IF EXISTS _pdgov_due_keys")
                con.execute(f"CREATE TEMP TABLE _pdgov_due_keys AS SELECT DISTINCT t.{key} AS k FROM {rule.table} t "
                            f"WHERE {due_sql(rule, cutoff)}")
            if key and deleted_keys is not None:
                deleted_keys.setdefault(key, []).extend(r[0] for r in con.execute(
                    f"SELECT DISTINCT t.{key} FROM {rule.table} t WHERE {due_sql(rule, cutoff)}").fetchall())
            for schema, table, how in derived:
                if how == "anchor":
                    n = con.execute(f"DELETE FROM {schema}.{table} t WHERE {due_sql(rule, cutoff)}").fetchone()[0]
                else:
                    n = con.execute(f"DELETE FROM {schema}.{table} WHERE {key} IN (SELECT k FROM _pdgov_due_keys)"
                                    ).fetchone()[0]
                if n:
                    counts[f"{schema}.{table}"] = n
            n = con.execute(f"DELETE FROM {rule.table} t WHERE {due_sql(rule, cutoff)}").fetchone()[0]
            counts[rule.table] = n
            if rule.table == "raw.punches":
                # closed months: each month file holding due rows is written again without them
                for f in punch_months.rewrite(con, due_sql(rule, cutoff), months_before=cutoff):
                    counts[punch_months.VIEW] = counts.get(punch_months.VIEW, 0) + f["rows"]
                    month_files.setdefault(f["month"], []).append(f)
            touched[dataset] = counts
        for pp in plan.periods:
            a = approved.get((pp.rule.rule_id, pp.period_start))
            if a is None:  # make_plan limits the plan to approved periods: this would be a bug
                raise RuntimeError(f"no approval for {pp.rule.rule_id} {pp.period_start}: refusing to delete")
            batches[a.batch_id] = batches.get(a.batch_id, 0) + pp.rows
            if pp.rule.table == "raw.punches":
                pp.files.extend({"path": f["path"], "sha256": f["sha256"], "action": f["action"]}
                                for f in month_files.get(pp.period_start, []))
            ev = {
                "evidence_id": pp.evidence_id(run_id), "run_id": run_id, "dataset": pp.rule.dataset,
                "agency_code": pp.agency_code, "rule_id": pp.rule.rule_id, "period_start": pp.period_start,
                "period_end": pp.period_end, "cutoff": pp.rule.cutoff(plan.as_of), "rows_deleted": pp.rows,
                "tables_touched": json.dumps(touched.get(pp.rule.dataset, {}), ensure_ascii=False),
                "files_deleted": sum(1 for f in pp.files if f["action"] == "delete"),
                "files_rewritten": sum(1 for f in pp.files if f["action"] == "blank"),
                "files": json.dumps(pp.files, ensure_ascii=False), "method": METHOD, "as_of_date": plan.as_of,
                "deleted_at": now, "batch_id": a.batch_id, "approved_by": a.approved_by,
                "approved_at": a.approved_at, "approval_ref": a.approval_ref,
            }
            evidence.append(ev)
        quarantine = [a for a in plan.file_actions if a["kind"] == "quarantine"]
        for a in quarantine:
            # Quarantined rows never reached a table: their evidence is the file action itself.
            ev_id = hashlib.md5(f"{run_id}|{a['path']}".encode()).hexdigest()
            rule = next(r for r in enforced_rules(con) if r.dataset == a["dataset"])
            ap = by_rule.get(rule.rule_id)
            evidence.append({
                "evidence_id": ev_id, "run_id": run_id, "dataset": a["dataset"], "agency_code": agency_of(a["path"]),
                "rule_id": rule.rule_id, "period_start": None, "period_end": None,
                "cutoff": rule.cutoff(plan.as_of), "rows_deleted": 0, "tables_touched": "{}",
                "files_deleted": int(a["action"] == "delete"), "files_rewritten": int(a["action"] == "blank"),
                "files": json.dumps([{"path": a["path"], "action": a["action"], "lines_removed": a["rows"]}],
                                    ensure_ascii=False),
                "method": METHOD, "as_of_date": plan.as_of, "deleted_at": now,
                "batch_id": ap.batch_id if ap else None, "approved_by": ap.approved_by if ap else None,
                "approved_at": ap.approved_at if ap else None, "approval_ref": ap.approval_ref if ap else None,
            })
        if evidence:
            # one set-based statement each (a city night has thousands of periods)
            import pyarrow as pa

            ev_tbl = pa.Table.from_pylist(evidence)  # noqa: F841 - read by DuckDB's replacement scan
            cols = ", ".join(evidence[0].keys())
            con.execute(f"INSERT OR REPLACE INTO main.deletion_evidence ({cols}) SELECT {cols} FROM ev_tbl")
            done = pa.Table.from_pylist(  # noqa: F841
                [{"dataset": pp.rule.dataset, "agency_code": pp.agency_code, "period_start": pp.period_start,
                  "n": pp.rows} for pp in plan.periods]
                or [{"dataset": "", "agency_code": "", "period_start": plan.as_of, "n": 0}])
            # a night deletes before its models run: they rebuild the statuses (and the table)
            if ("main", "deletion_deadlines") in set(base_tables(con)):
                con.execute(
                    """UPDATE main.deletion_deadlines d SET
                           rows_deleted = d.rows_deleted + done.n,
                           rows_remaining = greatest(d.rows_remaining - done.n, 0),
                           rows_past_retention = greatest(d.rows_past_retention - done.n, 0),
                           last_deleted_at = ?,
                           status = CASE WHEN d.rows_remaining - done.n <= 0 THEN 'deleted' ELSE d.status END
                       FROM done
                       WHERE d.dataset = done.dataset AND d.agency_code = done.agency_code
                         AND d.period_start = done.period_start""",
                    [now],
                )
        approvals.mark_deleted(con, batches, run_id, now)
        crash_point("before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return evidence


def apply_file_actions(actions: list[dict], home: Path) -> dict[str, int]:
    done = {"deleted": 0, "rewritten": 0}
    for i, a in enumerate(actions):
        path = home / a["path"]
        if a["action"] == "delete":
            if fileops.delete_file(path):
                done["deleted"] += 1
            if a["kind"] == "quarantine":
                fileops.delete_file(path.with_name(path.name + ".rejections.txt"))
        else:
            if fileops.blank_lines(path, a["lines"], a.get("sheet")):
                done["rewritten"] += 1
            if path.exists() and fileops.data_lines_left(path, a.get("sheet")) == 0:
                fileops.delete_file(path)
        if i == 0:
            crash_point("mid_files")
    return done


def purge_old_exports(home: Path, as_of: date) -> list[str]:
    """Workbook folders past their own rule (five years from their night: seed 002 §39, seed 004 §12(11)).

    Past workbooks are records, not copies of the deleted data: a purge never removes them wholesale
    (it used to remove every earlier folder on each deleting night). What they name of a person
    whose data is deleted is redacted in history and the night rendered again (``pdgov.history``).
    """
    from pdgov.history.keep import expire_exports

    return expire_exports(home, as_of)


def rebuild_warehouse(db: Path) -> float:
    """Copy the warehouse into a fresh file and put it in place; returns seconds taken.

    Never under another process's open handle: the writer lock is held from before the copy until
    the new file is in place, so a reader or writer outside Airflow's pool waits and then opens the
    new file — not the old one, whose writes the swap would throw away.
    """
    from pdgov import writer_lock

    with writer_lock.hold():
        return _rebuild(db)


def _rebuild(db: Path) -> float:
    import time

    t0 = time.monotonic()
    from pdgov.warehouse import configure, release_inprocess_dbt

    release_inprocess_dbt()  # dbt-duckdb must not keep writing to the file being replaced
    new = db.with_name(db.name + ".new")
    for stale in (new, new.with_name(new.name + ".wal")):
        if stale.exists():
            stale.unlink()
    con = duckdb.connect(str(db))
    try:
        # The warehouse's memory limit and temp dir: unconfigured, DuckDB's cache grew to about twice
        # the size of the city's warehouse file while copying it.
        configure(con, db.parent / "tmp")
        # ZSTD is never chosen for the warehouse's columns (pragma_storage_info: DICT_FSST strings,
        # bit-packed numbers), yet DuckDB tries it on every segment it writes: not trying it makes
        # the copy faster and writes the same bytes.
        con.execute("SET disabled_compression_methods = 'zstd'")
        con.execute("CHECKPOINT")
        punch_months.sweep(con)  # month files replaced or left by a crash: no committed row lists them
        src = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH '{new.as_posix()}' AS pdgov_fresh")
        con.execute(f"COPY FROM DATABASE \"{src}\" TO pdgov_fresh")
        con.execute("DETACH pdgov_fresh")
    finally:
        con.close()
    wal = db.with_name(db.name + ".wal")
    if wal.exists():  # the old file's log would be replayed into the new one: fold it in first
        duckdb.connect(str(db)).close()
    crash_point("mid_swap")
    with open(new, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(new, db)
    fileops.fsync_dir(db.parent)
    if wal.exists():
        wal.unlink()
    return time.monotonic() - t0
