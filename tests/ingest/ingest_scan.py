"""Looking for national IDs in clear under PDGOV_HOME: every file by bytes (zip packages such as
xlsx unzipped), every text column of the warehouse by substring — in each way the ID may have been
typed (upper or lower case, half- or full-width; UTF-8 or Big5)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb


def fullwidth(text: str) -> str:
    """ASCII letters and digits as their full-width forms (Ａ１２…)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def spellings(nid: str) -> list[str]:
    return sorted({nid, nid.lower(), fullwidth(nid), fullwidth(nid.lower())})


def _forms(nid: str) -> list[bytes]:
    return [b for s in spellings(nid) for b in (s.encode("utf-8"), s.encode("cp950", "ignore")) if b]


def _contents(home: Path):
    """(file, bytes) of every file under ``home``, and of every member of a zip package (xlsx)."""
    for f in (p for p in home.rglob("*") if p.is_file()):
        yield f, f.read_bytes()
        if zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as z:
                yield from ((f, z.read(n)) for n in z.namelist())


def ids_in_files(home: Path, ids: list[str]) -> list[str]:
    """'<id> in <file>' for every ID found in clear in any file under ``home``."""
    return [f"{nid} in {f.relative_to(home)}" for f, blob in _contents(home) for nid in ids
            if any(form in blob for form in _forms(nid))]


def ids_in_tables(warehouse: Path, ids: list[str]) -> list[str]:
    """'<id> in <schema.table.column>' for every ID found in any text column of the warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = []
        cols = con.execute("SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                           "WHERE data_type = 'VARCHAR' AND NOT internal").fetchall()
        for schema, table, col in cols:
            for nid in ids:
                forms = spellings(nid)
                hit = con.execute(f'SELECT count(*) FROM "{schema}"."{table}" WHERE '  # noqa: S608
                                  + " OR ".join(f'contains("{col}", ?)' for _ in forms), forms).fetchone()[0]
                if hit:
                    found.append(f"{nid} in {schema}.{table}.{col}")
        return found
    finally:
        con.close()
