"""The pandera gate: the contract's pandera schema (Ibis backend) run inside DuckDB on the rows a
load has just written, before they are committed: the last check a file passes.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pdgov.contracts import Contract

log = logging.getLogger("pdgov.ingest")


#: The pandera gate checks low-cardinality columns on their distinct values from this many rows on:
#: on a large file that is far cheaper than a check of every row, but each distinct-value validation
#: is a query of its own, which a small batch (a few thousand rows) pays for nothing.
GATE_DISTINCT_FROM_ROWS = 100_000


def pandera_gate(con, contract: Contract, shas: list[str], loaded_at: datetime, n_rows: int) -> str | None:
    """The contract's pandera schema (Ibis backend, so it runs as SQL inside DuckDB on the rows
    just written, uncommitted) as the last gate: None when the files' rows pass, else why not.
    From ``GATE_DISTINCT_FROM_ROWS`` rows on, low-cardinality columns are checked on their distinct
    values (``pandera_gate_schemas``); below, the whole schema runs on the rows in fewer queries."""
    import ibis
    from pandera.errors import SchemaError, SchemaErrors

    from pdgov.contracts import pandera_gate_schemas, pandera_schema

    ib = ibis.duckdb.from_connection(con)
    t = ib.table(contract.table, database="raw")
    rows = t.filter(t._file_sha256.isin(shas) & (t._loaded_at == loaded_at))
    if n_rows >= GATE_DISTINCT_FROM_ROWS:
        row_schema, value_schemas = pandera_gate_schemas(contract.source)
    else:
        row_schema, value_schemas = pandera_schema(contract.source), {}
    failures: list[str] = []  # every part runs, so the reason names every failed check
    for schema, table in [(row_schema, rows), *((s, rows.select(c).distinct()) for c, s in value_schemas.items())]:
        try:
            schema.validate(table, lazy=True)
        except (SchemaErrors, SchemaError) as exc:
            log.warning("pdgov: %s: pandera contract failed: %s", contract.source, " ".join(str(exc).split())[:500])
            failures += [_failed_check(e) for e in getattr(exc, "schema_errors", [exc])]
    return f"contract (pandera) check failed: {'; '.join(failures)}"[:400] if failures else None


def _failed_check(err) -> str:
    """``column: check`` of one pandera error, e.g. ``punched_at: not_nullable`` (no failing values:
    they may be pseudonyms; the log has pandera's whole message)."""
    check = err.check if isinstance(err.check, str) else (getattr(err.check, "error", None) or err.check.name)
    return f"{getattr(err.schema, 'name', None) or '-'}: {check}"


def warm_up(source: str) -> None:
    """Import ibis and pandera's Ibis backend (about a second) on another thread while the
    first file loads: DuckDB releases the GIL while it reads, so the gate is ready when the load
    ends instead of starting its imports then. The gate itself imports the same modules; Python's
    import lock makes it wait for this thread if it is not done. It starts only once the first
    file is hashed: imports hold the GIL, and hashing beside them was several times slower,
    while the load itself runs without the GIL."""
    import threading

    def warm() -> None:
        try:
            import ibis.backends.duckdb  # noqa: F401

            from pdgov.contracts import pandera_gate_schemas

            pandera_gate_schemas(source)
        except Exception:  # noqa: BLE001 — only a head start; the gate imports again and reports errors
            log.debug("pdgov: warming the pandera gate failed", exc_info=True)

    threading.Thread(target=warm, name="pdgov-warm-pandera", daemon=True).start()
