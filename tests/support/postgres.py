"""Copy the warehouse's sources into PostgreSQL, so the dbt project can run on a second adapter.

When the city outgrows one machine, the dbt project must not be tied to DuckDB. To prove it,
the tables dbt reads as sources (the ``raw`` schema written by the ingest, and the operational
tables in ``main``) are copied into a PostgreSQL database with psycopg2 ``COPY`` — DuckDB's
postgres extension would need a download — and ``dbt build --target postgres`` runs there.
Only table *definitions and rows* move; no model is built here.
"""

from __future__ import annotations

import io
from pathlib import Path

_PG_TYPES = {
    "VARCHAR": "text", "BOOLEAN": "boolean", "INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint",
    "DOUBLE": "double precision", "FLOAT": "real", "DATE": "date", "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz", "HUGEINT": "numeric", "UUID": "uuid", "JSON": "jsonb",
}


def pg_type(duck_type: str) -> str:
    t = duck_type.upper()
    if t.startswith("DECIMAL"):
        return "numeric"
    return _PG_TYPES.get(t, "text")


def source_tables(con) -> list[tuple[str, str]]:
    """(schema, table) of every base table dbt may read as a source: raw.* and main's operational ones."""
    return con.execute(
        """SELECT table_schema, table_name FROM information_schema.tables
           WHERE table_type = 'BASE TABLE'
             AND (table_schema = 'raw' OR (table_schema = 'main' AND table_name IN (
                  'ingest_rejections', 'ingest_files', 'run_ledger', 'deletion_evidence',
                  'legal_holds', 'notification_outbox', 'incidents_log', 'incident_confirmations',
                  'incident_response_log', 'deletion_proposals', 'webir_result_use_ends',
                  'deletion_task_evidence')))
           ORDER BY 1, 2"""
    ).fetchall()


def copy_sources(warehouse: Path, dsn: str) -> dict[str, int]:
    """Create the source tables in PostgreSQL (replacing them) and COPY their rows; return row counts."""
    import duckdb
    import psycopg2
    from psycopg2 import sql

    duck = duckdb.connect(str(warehouse), read_only=True)
    pg = psycopg2.connect(dsn)
    counts: dict[str, int] = {}
    try:
        with pg, pg.cursor() as cur:
            for schema, table in source_tables(duck):
                cols = duck.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", [schema, table]
                ).fetchall()
                cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE").format(
                    sql.Identifier(schema), sql.Identifier(table)))
                cur.execute(sql.SQL("CREATE TABLE {}.{} ({})").format(
                    sql.Identifier(schema), sql.Identifier(table),
                    sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(pg_type(t)))
                                       for c, t in cols)))
                buf = io.StringIO()
                df = duck.execute(f'SELECT * FROM "{schema}"."{table}"').df()
                df.to_csv(buf, index=False, header=False, na_rep="\\N")
                buf.seek(0)
                cur.copy_expert(sql.SQL("COPY {}.{} FROM STDIN WITH (FORMAT csv, NULL '\\N')").format(
                    sql.Identifier(schema), sql.Identifier(table)).as_string(pg), buf)
                counts[f"{schema}.{table}"] = len(df)
    finally:
        duck.close()
        pg.close()
    return counts
