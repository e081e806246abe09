"""Running the ingest in-process and reading the warehouse back, for the ingest tests."""

from __future__ import annotations

from datetime import date

import duckdb

RUN_DATE = date(2026, 11, 2)


def query(pdgov_home, sql: str) -> list[tuple]:
    """Rows of ``sql`` from the test warehouse, opened read-only (the ingest has closed it)."""
    con = duckdb.connect(str(pdgov_home.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def ingest(source: str) -> dict:
    """One source's landing folder through ``ingest_source``, as the nightly task runs it."""
    from pdgov.ingest.run import ingest_source

    return ingest_source(source, "t", RUN_DATE)


def xlsx(rows: list[list]) -> bytes:
    """A real workbook (openpyxl) with ``rows`` on its one sheet, as bytes."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
