"""A content fingerprint of the warehouse, to prove a re-run or backfill changed nothing.

Idempotency means: running a day again leaves the same data. Each table is reduced to its row
count and an order-independent sum of row hashes, leaving out only what names the run itself
(run ids, load timestamps) — those must differ between two runs and say nothing about the data.
The run ledger is left out entirely: one row per run is its purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Exclusions:
    """What a comparison leaves out: columns (by name, in every table), whole tables, and rows
    (``{table: SQL filter of the rows kept}``). A test that proves equality states its own, so
    that widening them is a visible change to that test, not a quiet one here."""

    columns: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()
    rows: dict[str, str] = field(default_factory=dict)


#: Columns that record which run or when, not what: they differ between two equal runs.
RUN_COLUMNS = frozenset({
    "run_id", "_run_id", "_loaded_at", "loaded_at", "started_at", "finished_at", "ended_at",
    "generated_at", "exported_at", "purged_at", "enqueued_at", "processed_at", "recorded_at",
    "dbt_run_id", "export_path", "export_dir", "path", "last_run_id", "first_seen_at", "updated_at",
})
#: Tables whose rows are one per run (the ledger of runs, not data), status views rebuilt from
#: the outbox each night (the second run of a day sees the messages the first run queued), and
#: the work tables of the punches' de-duplication: the keys its latest build decided again (none on
#: a re-run) and how far raw has been decided (a load time).
PER_RUN_TABLES = frozenset({"main.run_ledger", "main.incident_clock", "main.base_punches_superseded__touched",
                            "main.base_punches_superseded__state"})
#: Rows that describe the runs rather than the data, in tables that are otherwise data: the run
#: ledger's own retention row counts the ledger's rows, i.e. one more after every run.
PER_RUN_ROWS = {"main.deletion_deadlines": "dataset <> 'run_ledger'"}
#: A day run again, or backfilled, against the day run once (the deployment test's comparison).
RERUN = Exclusions(columns=RUN_COLUMNS, tables=PER_RUN_TABLES, rows=PER_RUN_ROWS)


def fingerprint(warehouse: Path, exclude: Exclusions = RERUN) -> dict[str, tuple[int, int]]:
    """``{schema.table: (rows, sum of row hashes)}`` for every base table, read-only."""
    import duckdb

    from pdgov.warehouse import configure

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        configure(con, warehouse.parent / "tmp")  # it reads every row of every table
        tables = con.execute(
            """SELECT table_schema, table_name FROM information_schema.tables
               WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('information_schema', 'pg_catalog')
               ORDER BY 1, 2"""
        ).fetchall()
        out: dict[str, tuple[int, int]] = {}
        for schema, table in tables:
            name = f"{schema}.{table}"
            if name in exclude.tables:
                continue
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                "ORDER BY ordinal_position", [schema, table]).fetchall() if c.lower() not in exclude.columns]
            row = ", ".join(f'"{c}"' for c in cols) or "1"
            rows, total = con.execute(
                f'SELECT count(*), coalesce(sum(hash(row({row}))::HUGEINT), 0) FROM "{schema}"."{table}" '
                f"WHERE {exclude.rows.get(name, 'true')}"
            ).fetchone()
            out[name] = (int(rows), int(total))
        return out
    finally:
        con.close()


def diff(a: dict[str, tuple[int, int]], b: dict[str, tuple[int, int]]) -> dict[str, tuple]:
    """Tables whose fingerprint differs (or exists on one side only)."""
    return {k: (a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)}
