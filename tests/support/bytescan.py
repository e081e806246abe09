"""Where deleted values could still be read: every table of the warehouse and every file's bytes.

Seed 002 §24 asks that deleted personal data cannot be restored or recombined. ``scan_files`` reads
every file under a PDGOV_HOME as bytes, the members of zip packages (xlsx) and the values of
Parquet files (the closed punch months) too; ``scan_tables``
casts every column of every table and view of the warehouse to text and looks for the values.
"""

from __future__ import annotations

import zipfile
from pathlib import Path


def scan_files(home: Path, needles: list[bytes]) -> dict[bytes, list[str]]:
    """Each needle found in any file under ``home`` (and inside zip members): needle -> files."""
    found: dict[bytes, list[str]] = {n: [] for n in needles}
    for f in sorted(home.rglob("*")):
        if not f.is_file():
            continue
        blobs = [f.read_bytes()]
        if f.suffix == ".parquet":  # compressed pages: read the values themselves
            blobs += [_parquet_text(f)]
        if zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as z:
                blobs += [z.read(n) for n in z.namelist()]
        for n in needles:
            if any(n in b for b in blobs):
                found[n].append(str(f.relative_to(home)))
    return {n: v for n, v in found.items() if v}


def _parquet_text(path: Path) -> bytes:
    """Every value of a Parquet file (a closed month of punches) as text, one row per line."""
    import duckdb

    con = duckdb.connect()
    try:
        rows = con.execute(f"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM read_parquet('{path.as_posix()}')").fetchall()
    finally:
        con.close()
    return "\n".join("\t".join("" if v is None else v for v in r) for r in rows).encode("utf-8")


def query(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Read the warehouse of ``home`` (read-only, closed again at once)."""
    import duckdb

    con = duckdb.connect(str(home / "warehouse" / "pdgov.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scan_tables(warehouse: Path, needles: list[str]) -> dict[str, list[str]]:
    """Each needle found as a substring of any column of any table or view: needle -> schema.table.column."""
    import duckdb

    found: dict[str, list[str]] = {n: [] for n in needles}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cols = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() ORDER BY 1, 2, 3").fetchall()
        for schema, table, column in cols:
            for n in needles:
                hit = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE CAST("{column}" AS VARCHAR) LIKE ?',
                    [f"%{n}%"]).fetchone()[0]
                if hit:
                    found[n].append(f"{schema}.{table}.{column}")
    finally:
        con.close()
    return {n: v for n, v in found.items() if v}
