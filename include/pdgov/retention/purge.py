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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pdgov import clock
from pdgov.config import paths
from pdgov.retention import files as fileops
from pdgov.retention.rules import LANDING_SOURCE, ROW_KEYS, Rule, load_rules, rules_table_exists

log = logging.getLogger("pdgov.retention")
METHOD = ("DELETE in one transaction from every table holding the rows; due lines emptied from archived "
          "and quarantined files; warehouse copied into a fresh file (COPY FROM DATABASE) that replaced "
          "the old one")
# Tables the purge maintains itself: never scanned as "derived copies".
OWN_TABLES = {("main", "deletion_evidence"), ("main", "legal_holds"), ("main", "deletion_deadlines"),
              ("main", "retention_rules")}
CRASH_ENV = "PDGOV_RETENTION_CRASH_AT"  # test hook: exit the process abruptly at a named step


class RetentionRefused(RuntimeError):
    """The purge will not run as asked (models not built for this date, share guard, clock)."""


@dataclass
class PeriodPlan:
    rule: Rule
    agency_code: str
    period_start: date
    rows: int
    files: list[dict] = field(default_factory=list)

    @property
    def period_end(self) -> date:
        nxt = (self.period_start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return nxt - timedelta(days=1)

    def evidence_id(self, run_id: str) -> str:
        key = f"{run_id}|{self.rule.dataset}|{self.agency_code}|{self.period_start}"
        return hashlib.md5(key.encode()).hexdigest()


@dataclass
class Plan:
    as_of: date
    periods: list[PeriodPlan]
    totals: dict[str, int]  # dataset -> rows in its table
    held_rows: dict[tuple[str, str], int]  # (dataset, agency) -> due rows kept by a hold
    file_actions: list[dict]  # {path (relative to home), action: delete|blank, lines, sha256, dataset}

    def rows_by_dataset(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.periods:
            out[p.rule.dataset] = out.get(p.rule.dataset, 0) + p.rows
        return out


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        log.error("pdgov: retention: simulated crash at %s", name)
        os._exit(97)


def max_share() -> float:
    return float(os.environ.get("PDGOV_RETENTION_MAX_SHARE", "0.25"))


def guard_min_rows() -> int:
    return int(os.environ.get("PDGOV_RETENTION_GUARD_MIN_ROWS", "1000"))


def journal_path() -> Path:
    return paths().warehouse_dir / "retention_journal.json"


# ---------------------------------------------------------------- planning

# Datasets with an active hold, refreshed at the start of planning and of deleting: without a
# hold the EXISTS test is left out of the SQL, which makes the scans of a city warehouse cheap.
_held_datasets: set[str] = set()


def _refresh_holds(con: duckdb.DuckDBPyConnection) -> None:
    _held_datasets.clear()
    _held_datasets.update(r[0] for r in con.execute(
        "SELECT DISTINCT dataset FROM main.legal_holds WHERE released_at IS NULL").fetchall())


def _held_sql(rule: Rule, alias: str = "t") -> str:
    if rule.dataset not in _held_datasets:
        return "FALSE"
    return (f"EXISTS (SELECT 1 FROM main.legal_holds h WHERE h.released_at IS NULL AND h.dataset = '{rule.dataset}' "
            f"AND h.agency_code = {_qualify(rule.agency_expr, alias)} "
            f"AND CAST({alias}.{rule.anchor_column} AS DATE) BETWEEN h.period_start AND h.period_end)")


def _qualify(expr: str, alias: str) -> str:
    return expr if expr.startswith("'") else f"{alias}.{expr}"


def _due_sql(rule: Rule, cutoff: date, alias: str = "t") -> str:
    # `anchor < DATE 'c'` equals `CAST(anchor AS DATE) < DATE 'c'` for a timestamp anchor (midnight
    # of the cutoff day), but leaves the column bare, so DuckDB skips row groups by their min/max.
    return (f"{alias}.{rule.anchor_column} IS NOT NULL AND {alias}.{rule.anchor_column} < DATE '{cutoff}' "
            f"AND NOT {_held_sql(rule, alias)}")


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchall()}


def _base_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [(s, t) for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND NOT temporary ORDER BY 1, 2").fetchall()]


def enforced_rules(con: duckdb.DuckDBPyConnection) -> list[Rule]:
    tables = set(_base_tables(con))
    out = []
    for r in load_rules(con):
        if not r.enforced or (r.table_schema, r.table_name) not in tables:
            continue
        if r.anchor_column not in _columns(con, r.table_schema, r.table_name):
            continue
        out.append(r)
    return out


def make_plan(con: duckdb.DuckDBPyConnection, as_of: date) -> Plan:
    p = paths()
    periods: list[PeriodPlan] = []
    totals: dict[str, int] = {}
    held_rows: dict[tuple[str, str], int] = {}
    actions: list[dict] = []
    _refresh_holds(con)
    for rule in enforced_rules(con):
        cutoff = rule.cutoff(as_of)
        t = rule.table
        totals[rule.dataset] = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for agency, n in con.execute(
            f"""SELECT {_qualify(rule.agency_expr, 't')}, count(*) FROM {t} t
                WHERE t.{rule.anchor_column} IS NOT NULL AND t.{rule.anchor_column} < DATE '{cutoff}'
                AND {_held_sql(rule)} GROUP BY 1"""
        ).fetchall():
            held_rows[(rule.dataset, agency)] = n
        by_key: dict[tuple[str, date], PeriodPlan] = {}
        for agency, start, n in con.execute(
            f"""SELECT {_qualify(rule.agency_expr, 't')}, CAST(date_trunc('month', t.{rule.anchor_column}) AS DATE),
                       count(*) FROM {t} t WHERE {_due_sql(rule, cutoff)} GROUP BY 1, 2 ORDER BY 1, 2"""
        ).fetchall():
            pp = PeriodPlan(rule, agency, start, n)
            by_key[(agency, start)] = pp
            periods.append(pp)
        source = LANDING_SOURCE.get(rule.dataset)
        if source is None or not by_key:
            continue
        if "_file_sha256" in _columns(con, rule.table_schema, rule.table_name):
            actions += _archive_actions(con, rule, cutoff, source, by_key, p.home)
    for rule in enforced_rules(con):
        source = LANDING_SOURCE.get(rule.dataset)
        if source:
            actions += _quarantine_actions(con, rule, rule.cutoff(as_of), source, p.home)
    return Plan(as_of, periods, totals, held_rows, actions)


def _archive_actions(con, rule: Rule, cutoff: date, source: str, by_key: dict, home: Path) -> list[dict]:
    t = rule.table
    actions = []
    rows = con.execute(
        f"""SELECT t._file_sha256,
                   count(*) FILTER (WHERE {_due_sql(rule, cutoff)}) AS n_due,
                   count(*) AS n_all,
                   list(t._line_no ORDER BY t._line_no) FILTER (WHERE {_due_sql(rule, cutoff)}) AS lines,
                   list(DISTINCT {_qualify(rule.agency_expr, 't')} || '|' ||
                        CAST(CAST(date_trunc('month', t.{rule.anchor_column}) AS DATE) AS VARCHAR))
                        FILTER (WHERE {_due_sql(rule, cutoff)}) AS keys
            FROM {t} t
            WHERE t._file_sha256 IN (SELECT DISTINCT d._file_sha256 FROM {t} d WHERE {_due_sql(rule, cutoff, 'd')})
            GROUP BY 1"""
    ).fetchall()
    folder = home / "archive" / source
    for sha, n_due, n_all, lines, keys in rows:
        matches = sorted(folder.glob(f"{(sha or '')[:16]}__*")) if sha else []
        for path in matches:
            if path.name.endswith(".pdgov-tmp"):
                continue
            whole = n_due == n_all
            action = {"dataset": rule.dataset, "path": str(path.relative_to(home)), "sha256": sha,
                      "action": "delete" if whole else "blank", "lines": [] if whole else list(lines),
                      "rows": n_due, "kind": "archive"}
            actions.append(action)
            for k in keys:
                agency, start = k.split("|")
                pp = by_key.get((agency, date.fromisoformat(start)))
                if pp is not None:
                    pp.files.append({"path": action["path"], "sha256": sha, "action": action["action"]})
    return actions


def _quarantine_actions(con, rule: Rule, cutoff: date, source: str, home: Path) -> list[dict]:
    folder = home / "quarantine" / source
    if not folder.is_dir():
        return []
    holds = con.execute(
        "SELECT agency_code, period_start, period_end FROM main.legal_holds WHERE released_at IS NULL AND dataset = ?",
        [rule.dataset]).fetchall()

    def held(agency: str | None, d: date) -> bool:
        return any((agency is None or agency == a) and s <= d <= e for a, s, e in holds)

    actions = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.endswith((".rejections.txt", ".pdgov-tmp")):
            continue
        due, total = fileops.due_lines_by_date(path, cutoff, held)
        if not due:
            continue
        whole = len(due) == total
        actions.append({"dataset": rule.dataset, "path": str(path.relative_to(home)), "sha256": None,
                        "action": "delete" if whole else "blank", "lines": [] if whole else due,
                        "rows": len(due), "kind": "quarantine"})
    return actions


# ---------------------------------------------------------------- safety checks

def _check_preconditions(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date, override: bool) -> None:
    if not rules_table_exists(con):
        raise RetentionRefused("the models have not been built (no main.retention_rules): no purge without them")
    tables = set(_base_tables(con))
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


# ---------------------------------------------------------------- execution

def _derived_tables(con: duckdb.DuckDBPyConnection, rule: Rule) -> list[tuple[str, str, str]]:
    """Other base tables holding copies of the rule's rows: (schema, table, how to match)."""
    out: list[tuple[str, str, str]] = []
    if rule.dataset not in LANDING_SOURCE:
        return out  # records of the pipeline itself live in one table only
    key = ROW_KEYS.get(rule.dataset)
    for schema, table in _base_tables(con):
        if (schema, table) == (rule.table_schema, rule.table_name) or (schema, table) in OWN_TABLES:
            continue
        if schema == "raw":
            continue  # raw tables are systems of record of their own rules
        cols = _columns(con, schema, table)
        if rule.anchor_column in cols and (not rule.agency_column or rule.agency_column in cols):
            out.append((schema, table, "anchor"))
        elif key and key in cols:
            out.append((schema, table, "key"))
    return out


def _delete_rows(con: duckdb.DuckDBPyConnection, plan: Plan, run_id: str) -> list[dict]:
    """One transaction: rows, derived copies, evidence, deadline statuses."""
    now = clock.now()
    evidence: list[dict] = []
    done_rules: dict[str, Rule] = {pp.rule.dataset: pp.rule for pp in plan.periods}
    touched: dict[str, dict[str, int]] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        _refresh_holds(con)
        for dataset, rule in done_rules.items():
            cutoff = rule.cutoff(plan.as_of)
            counts: dict[str, int] = {}
            key = ROW_KEYS.get(dataset)
            derived = _derived_tables(con, rule)
            if key and any(how == "key" for _, _, how in derived):
                con.execute("DROP TABLE IF EXISTS _pdgov_due_keys")
                con.execute(f"CREATE TEMP TABLE _pdgov_due_keys AS SELECT DISTINCT t.{key} AS k FROM {rule.table} t "
                            f"WHERE {_due_sql(rule, cutoff)}")
            for schema, table, how in derived:
                if how == "anchor":
                    n = con.execute(f"DELETE FROM {schema}.{table} t WHERE {_due_sql(rule, cutoff)}").fetchone()[0]
                else:
                    n = con.execute(f"DELETE FROM {schema}.{table} WHERE {key} IN (SELECT k FROM _pdgov_due_keys)"
                                    ).fetchone()[0]
                if n:
                    counts[f"{schema}.{table}"] = n
            n = con.execute(f"DELETE FROM {rule.table} t WHERE {_due_sql(rule, cutoff)}").fetchone()[0]
            counts[rule.table] = n
            touched[dataset] = counts
        for pp in plan.periods:
            ev = {
                "evidence_id": pp.evidence_id(run_id), "run_id": run_id, "dataset": pp.rule.dataset,
                "agency_code": pp.agency_code, "rule_id": pp.rule.rule_id, "period_start": pp.period_start,
                "period_end": pp.period_end, "cutoff": pp.rule.cutoff(plan.as_of), "rows_deleted": pp.rows,
                "tables_touched": json.dumps(touched.get(pp.rule.dataset, {}), ensure_ascii=False),
                "files_deleted": sum(1 for f in pp.files if f["action"] == "delete"),
                "files_rewritten": sum(1 for f in pp.files if f["action"] == "blank"),
                "files": json.dumps(pp.files, ensure_ascii=False), "method": METHOD, "as_of_date": plan.as_of,
                "deleted_at": now,
            }
            evidence.append(ev)
        quarantine = [a for a in plan.file_actions if a["kind"] == "quarantine"]
        for a in quarantine:
            # Quarantined rows never reached a table: their evidence is the file action itself.
            ev_id = hashlib.md5(f"{run_id}|{a['path']}".encode()).hexdigest()
            rule = next(r for r in enforced_rules(con) if r.dataset == a["dataset"])
            evidence.append({
                "evidence_id": ev_id, "run_id": run_id, "dataset": a["dataset"], "agency_code": _agency_of(a["path"]),
                "rule_id": rule.rule_id, "period_start": None, "period_end": None,
                "cutoff": rule.cutoff(plan.as_of), "rows_deleted": 0, "tables_touched": "{}",
                "files_deleted": int(a["action"] == "delete"), "files_rewritten": int(a["action"] == "blank"),
                "files": json.dumps([{"path": a["path"], "action": a["action"], "lines_removed": a["rows"]}],
                                    ensure_ascii=False),
                "method": METHOD, "as_of_date": plan.as_of, "deleted_at": now,
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
        _crash_point("before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return evidence


def _agency_of(path: str) -> str:
    m = fileops._AGENCY.search(Path(path).name.split("__", 1)[-1])
    from pdgov.retention.rules import CITY_AGENCY

    return m.group(1) if m else CITY_AGENCY


def _apply_file_actions(actions: list[dict], home: Path) -> dict[str, int]:
    done = {"deleted": 0, "rewritten": 0}
    for i, a in enumerate(actions):
        path = home / a["path"]
        if a["action"] == "delete":
            if fileops.delete_file(path):
                done["deleted"] += 1
            if a["kind"] == "quarantine":
                fileops.delete_file(path.with_name(path.name + ".rejections.txt"))
        else:
            if fileops.blank_lines(path, a["lines"]):
                done["rewritten"] += 1
            if path.exists() and fileops.data_lines_left(path) == 0:
                fileops.delete_file(path)
        if i == 0:
            _crash_point("mid_files")
    return done


def _purge_old_exports(home: Path, run_id: str) -> list[str]:
    """Workbooks of earlier runs are derived files of data that is now gone (seed 004 §11(3)2)."""
    if os.environ.get("PDGOV_RETENTION_KEEP_OLD_EXPORTS"):
        return []
    exports = home / "exports"
    removed = []
    if exports.is_dir():
        for d in sorted(exports.iterdir()):
            if d.name == run_id:
                continue
            if d.is_dir():
                shutil.rmtree(d)
            else:
                d.unlink()
            removed.append(str(d.relative_to(home)))
    return removed


def rebuild_warehouse(db: Path) -> float:
    """Copy the warehouse into a fresh file and put it in place; returns seconds taken.

    Must run while no other process holds the file (the DAG's one-slot pool guarantees it).
    """
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
        # The warehouse's memory limit and temp dir: unconfigured, DuckDB's cache grew to 16.6 GB
        # while copying the city's 7.8 GB file.
        configure(con, db.parent / "tmp")
        # ZSTD is never chosen for the warehouse's columns (pragma_storage_info: DICT_FSST strings,
        # bit-packed numbers), yet DuckDB tries it on every segment it writes: not trying it makes
        # the city's copy ~2 s faster (37.7 s → 35.4 s, same bytes written; 2026-12-01).
        con.execute("SET disabled_compression_methods = 'zstd'")
        con.execute("CHECKPOINT")
        src = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH '{new.as_posix()}' AS pdgov_fresh")
        con.execute(f"COPY FROM DATABASE \"{src}\" TO pdgov_fresh")
        con.execute("DETACH pdgov_fresh")
    finally:
        con.close()
    wal = db.with_name(db.name + ".wal")
    if wal.exists():  # the old file's log would be replayed into the new one: fold it in first
        duckdb.connect(str(db)).close()
    _crash_point("mid_swap")
    with open(new, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(new, db)
    fileops.fsync_dir(db.parent)
    if wal.exists():
        wal.unlink()
    return time.monotonic() - t0


def _write_journal(run_id: str, plan: Plan, evidence_ids: list[str]) -> None:
    body = {"run_id": run_id, "as_of": plan.as_of.isoformat(), "evidence_ids": evidence_ids,
            "file_actions": plan.file_actions, "written_at": clock.now().isoformat()}
    fileops.write_atomic(journal_path(), json.dumps(body, ensure_ascii=False).encode("utf-8"))


def recover() -> dict[str, Any] | None:
    """Finish a purge a crash interrupted; None when there was nothing to finish."""
    j = journal_path()
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
        result["files"] = _apply_file_actions(body["file_actions"], p.home)
        result["rebuild_seconds"] = rebuild_warehouse(p.warehouse)
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
        _write_journal(run_id, plan, evidence_ids)
        _crash_point("after_journal")
        t0 = time.monotonic()
        evidence = _delete_rows(con, plan, run_id)
        summary["delete_seconds"] = round(time.monotonic() - t0, 3)
    _crash_point("after_commit")
    t0 = time.monotonic()
    summary["files_done"] = _apply_file_actions(plan.file_actions, p.home)
    summary["files_seconds"] = round(time.monotonic() - t0, 3)
    personal = any(pp.rule.dataset in LANDING_SOURCE for pp in plan.periods)
    summary["exports_removed"] = _purge_old_exports(p.home, run_id) if personal else []
    summary["rebuild_seconds"] = round(rebuild_warehouse(p.warehouse), 3)
    summary["rebuilt"] = True
    summary["evidence_rows"] = len(evidence)
    journal_path().unlink(missing_ok=True)
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
        agency = _agency_of(a["path"])
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
