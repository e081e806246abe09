"""Retention rules: one seed (`dbt_project/seeds/retention/retention_rules.csv`) for dbt and the purge.

The purge reads the rules from the warehouse table dbt built from the seed, so the deadlines a
committee sees and the deletions that happen come from the same rows. Before dbt has ever run
(e.g. a steward placing a hold on a fresh warehouse) the CSV itself is read.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date

import duckdb

from pdgov.config import DBT_PROJECT_DIR
from pdgov.contracts import AUDIT_SAMPLE_SHEET

RULES_CSV = DBT_PROJECT_DIR / "seeds" / "retention" / "retention_rules.csv"
CITY_AGENCY = "379000000A"  # records of the city-wide pipeline itself are the city government's
# Which landing source's archive/quarantine folders hold the files a dataset's rows came from.
LANDING_SOURCE = {"punches": "punches", "webir_queries": "webir", "webir_audit_findings": "webir_audit_results"}
# Datasets whose rows dbt copies into other tables (incremental models, snapshots): the purge deletes the
# copies too, matched by anchor and agency or by ROW_KEYS. Not the audit findings: their anchor is a load
# time (`_loaded_at`, which every raw table has) and their key is a sampled query's, shared with the log.
COPIED_DATASETS = {"punches", "webir_queries"}
# The sheet of an archived workbook that holds a dataset's rows (line numbers count in it), when a
# delivery is a workbook of many sheets: the auditor returns the whole committee workbook.
DATA_SHEET = {"webir_audit_findings": AUDIT_SAMPLE_SHEET}
# Columns that identify a row of a dataset in derived tables that lack its anchor date.
ROW_KEYS = {"webir_queries": "query_key"}


@dataclass(frozen=True)
class Rule:
    rule_id: str
    dataset: str
    dataset_zh: str
    table_schema: str
    table_name: str
    anchor_column: str
    agency_column: str
    retain_months: int
    enforced: bool
    legal_basis: str
    # Approved periods as [start, end) ranges with the agencies approved (pdgov.retention.approvals);
    # None: no restriction (the proposal's view of everything due); (): nothing approved, nothing goes.
    windows: tuple[tuple[date, date, tuple[str, ...]], ...] | None = None
    deletion_basis: str = ""

    @property
    def table(self) -> str:
        return f"{self.table_schema}.{self.table_name}"

    def agency_sql(self, alias: str = "t") -> str:
        """The agency a row counts under: its agency column, or the city's when the column is empty
        or the row has none (a WebIR log may name no agency: SPEC §2). ``int_retention_held_days``
        counts rows the same way, so a proposal, its approval window and the rows deleted agree."""
        if not self.agency_column:
            return f"'{CITY_AGENCY}'"
        return f"coalesce({alias}.{self.agency_column}, '{CITY_AGENCY}')"

    def cutoff(self, as_of: date) -> date:
        """Anchor dates before this day have passed their retention on ``as_of``."""
        from pdgov.clock import add_months

        return add_months(as_of, -self.retain_months)


def _rule(row: dict) -> Rule:
    return Rule(
        rule_id=row["rule_id"], dataset=row["dataset"], dataset_zh=row.get("dataset_zh") or "",
        table_schema=row.get("table_schema") or "", table_name=row.get("table_name") or "",
        anchor_column=row.get("anchor_column") or "", agency_column=row.get("agency_column") or "",
        retain_months=int(row["retain_months"]),
        enforced=str(row["enforced"]).strip().lower() in ("true", "1", "t", "yes"),
        legal_basis=row.get("legal_basis") or "", deletion_basis=row.get("deletion_basis") or "",
    )


def rules_table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'retention_rules'"
    ).fetchone()[0])


def load_rules(con: duckdb.DuckDBPyConnection | None = None) -> list[Rule]:
    if con is not None and rules_table_exists(con):
        cur = con.execute("SELECT * FROM main.retention_rules ORDER BY rule_id")
        names = [d[0] for d in cur.description]
        return [_rule({k: ("" if v is None else v) for k, v in zip(names, r, strict=True)}) for r in cur.fetchall()]
    with open(RULES_CSV, encoding="utf-8", newline="") as fh:
        return [_rule(r) for r in csv.DictReader(fh)]
