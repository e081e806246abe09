"""Planning a purge: the rows past their rule's cutoff and under no legal hold, per dataset,
agency and month, and the archived and quarantined files that hold them.

Read-only: a dry run prints the plan, and the purge carries out exactly that plan.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pdgov.config import paths
from pdgov.retention import files as fileops
from pdgov.retention.rules import DATA_SHEET, LANDING_SOURCE, Rule, load_rules


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


# Datasets with an active hold, refreshed at the start of planning and of deleting: without a
# hold the EXISTS test is left out of the SQL, which makes the scans of a city warehouse cheap.
_held_datasets: set[str] = set()


def refresh_holds(con: duckdb.DuckDBPyConnection) -> None:
    _held_datasets.clear()
    _held_datasets.update(r[0] for r in con.execute(
        "SELECT DISTINCT dataset FROM main.legal_holds WHERE released_at IS NULL").fetchall())


def _held_sql(rule: Rule, alias: str = "t") -> str:
    if rule.dataset not in _held_datasets:
        return "FALSE"
    return (f"EXISTS (SELECT 1 FROM main.legal_holds h WHERE h.released_at IS NULL AND h.dataset = '{rule.dataset}' "
            f"AND h.agency_code = {rule.agency_sql(alias)} "
            f"AND CAST({alias}.{rule.anchor_column} AS DATE) BETWEEN h.period_start AND h.period_end)")


def due_sql(rule: Rule, cutoff: date, alias: str = "t") -> str:
    # `anchor < DATE 'c'` equals `CAST(anchor AS DATE) < DATE 'c'` for a timestamp anchor (midnight
    # of the cutoff day), but leaves the column bare, so DuckDB skips row groups by their min/max.
    return (f"{alias}.{rule.anchor_column} IS NOT NULL AND {alias}.{rule.anchor_column} < DATE '{cutoff}' "
            f"AND {_approved_sql(rule, alias)} AND NOT {_held_sql(rule, alias)}")


def _approved_sql(rule: Rule, alias: str = "t") -> str:
    """Only approved periods go (seed 002 §21): the anchor inside one of the rule's approved ranges."""
    if rule.windows is None:
        return "TRUE"
    if not rule.windows:
        return "FALSE"
    col, agency = f"{alias}.{rule.anchor_column}", rule.agency_sql(alias)

    def one(s: date, e: date, codes: tuple[str, ...]) -> str:
        inside = ", ".join("'" + c.replace("'", "''") + "'" for c in codes) or "NULL"
        return f"({col} >= DATE '{s}' AND {col} < DATE '{e}' AND {agency} IN ({inside}))"

    return "(" + " OR ".join(one(s, e, a) for s, e, a in rule.windows) + ")"


def relation(con: duckdb.DuckDBPyConnection, rule: Rule) -> str:
    """What to read for a rule's rows: its table, and for punches the closed months' files too."""
    if rule.table == "raw.punches" and con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'raw' "
            "AND view_name = 'punches_closed'").fetchone()[0]:
        from pdgov.punch_months import PUNCHES_ALL

        return PUNCHES_ALL
    return rule.table


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchall()}


def base_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [(s, t) for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND NOT temporary ORDER BY 1, 2").fetchall()]


def enforced_rules(con: duckdb.DuckDBPyConnection,
                   windows: dict[str, tuple] | None = None) -> list[Rule]:
    """The rules the purge applies; with ``windows`` each is limited to its approved periods."""
    tables = set(base_tables(con))
    out = []
    for r in load_rules(con):
        if not r.enforced or (r.table_schema, r.table_name) not in tables:
            continue
        if r.anchor_column not in columns(con, r.table_schema, r.table_name):
            continue
        out.append(r if windows is None else replace(r, windows=windows.get(r.rule_id, ())))
    return out


def make_plan(con: duckdb.DuckDBPyConnection, as_of: date,
              windows: dict[str, tuple] | None = None, files: bool = True) -> Plan:
    """What is due on ``as_of``; with ``windows`` only the approved periods, without ``files`` no
    archive/quarantine scan (the nightly proposal needs the counts only)."""
    p = paths()
    periods: list[PeriodPlan] = []
    totals: dict[str, int] = {}
    held_rows: dict[tuple[str, str], int] = {}
    actions: list[dict] = []
    refresh_holds(con)
    rules = enforced_rules(con, windows)
    for rule in rules:
        cutoff = rule.cutoff(as_of)
        t = relation(con, rule)
        totals[rule.dataset] = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for agency, n in con.execute(
            f"""SELECT {rule.agency_sql('t')}, count(*) FROM {t} t
                WHERE t.{rule.anchor_column} IS NOT NULL AND t.{rule.anchor_column} < DATE '{cutoff}'
                AND {_held_sql(rule)} GROUP BY 1"""
        ).fetchall():
            held_rows[(rule.dataset, agency)] = n
        by_key: dict[tuple[str, date], PeriodPlan] = {}
        for agency, start, n in con.execute(
            f"""SELECT {rule.agency_sql('t')}, CAST(date_trunc('month', t.{rule.anchor_column}) AS DATE),
                       count(*) FROM {t} t WHERE {due_sql(rule, cutoff)} GROUP BY 1, 2 ORDER BY 1, 2"""
        ).fetchall():
            pp = PeriodPlan(rule, agency, start, n)
            by_key[(agency, start)] = pp
            periods.append(pp)
        source = LANDING_SOURCE.get(rule.dataset)
        if source is None or not by_key or not files:
            continue
        if "_file_sha256" in columns(con, rule.table_schema, rule.table_name):
            actions += _archive_actions(con, rule, cutoff, source, by_key, p.home)
    for rule in rules if files else []:
        source = LANDING_SOURCE.get(rule.dataset)
        if source:
            actions += _quarantine_actions(con, rule, rule.cutoff(as_of), source, p.home)
    return Plan(as_of, periods, totals, held_rows, actions)


def _archive_actions(con, rule: Rule, cutoff: date, source: str, by_key: dict, home: Path) -> list[dict]:
    t = relation(con, rule)
    actions = []
    rows = con.execute(
        f"""SELECT t._file_sha256,
                   count(*) FILTER (WHERE {due_sql(rule, cutoff)}) AS n_due,
                   count(*) AS n_all,
                   list(t._line_no ORDER BY t._line_no) FILTER (WHERE {due_sql(rule, cutoff)}) AS lines,
                   list(DISTINCT {rule.agency_sql('t')} || '|' ||
                        CAST(CAST(date_trunc('month', t.{rule.anchor_column}) AS DATE) AS VARCHAR))
                        FILTER (WHERE {due_sql(rule, cutoff)}) AS keys
            FROM {t} t
            WHERE t._file_sha256 IN (SELECT DISTINCT d._file_sha256 FROM {t} d WHERE {due_sql(rule, cutoff, 'd')})
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
                      "rows": n_due, "kind": "archive", "sheet": DATA_SHEET.get(rule.dataset)}
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
        if rule.windows is not None and not any(s <= d < e and (agency is None or agency in codes)
                                                for s, e, codes in rule.windows):
            return True  # not approved: kept like a held line
        return any((agency is None or agency == a) and s <= d <= e for a, s, e in holds)

    actions = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.endswith((".rejections.txt", ".pdgov-tmp")):
            continue
        due, total = fileops.due_lines_by_date(path, cutoff, held, DATA_SHEET.get(rule.dataset))
        if not due:
            continue
        whole = len(due) == total
        actions.append({"dataset": rule.dataset, "path": str(path.relative_to(home)), "sha256": None,
                        "action": "delete" if whole else "blank", "lines": [] if whole else due,
                        "rows": len(due), "kind": "quarantine", "sheet": DATA_SHEET.get(rule.dataset)})
    return actions


def agency_of(path: str) -> str:
    m = fileops._AGENCY.search(Path(path).name.split("__", 1)[-1])
    from pdgov.retention.rules import CITY_AGENCY

    return m.group(1) if m else CITY_AGENCY
