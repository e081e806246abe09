"""The raw schema: one table per source, written by the ingest only (docs/architecture.md).

Each raw table holds the contract's columns as the warehouse keeps them (national IDs as keyed
HMACs and masks, never the IDs themselves) and the lineage of every row.
"""

from __future__ import annotations

from datetime import date

from pdgov.contracts import Contract

#: Every raw row's lineage: its file (by content hash), its line there (header = 1) and its load.
#: The file's name and the run that loaded it are the ledger's (``main.ingest_files``, by
#: ``file_sha256``), once per file: stored on every row they were a large part of each night's
#: purge copy of the city's punches.
LINEAGE = "_file_sha256 VARCHAR, _line_no INTEGER, _loaded_at TIMESTAMP"


#: Columns an earlier version stored per row, dropped from existing warehouses on first use.
RETIRED_LINEAGE = ("_source_file", "_run_id")


RAW_DDL = {
    "punches": "agency_code VARCHAR, employee_no VARCHAR, punched_at TIMESTAMP, device_id VARCHAR, method VARCHAR",
    "devices": ("device_id VARCHAR, agency_code VARCHAR, model VARCHAR, vendor VARCHAR, brand VARCHAR, "
                "brand_country VARCHAR, origin_country VARCHAR, mainboard_origin VARCHAR, chip_vendor VARCHAR, "
                "modalities VARCHAR, intranet BOOLEAN, connection VARCHAR, protocol VARCHAR, ncc_listed BOOLEAN, "
                "moda_reported BOOLEAN, committee_status VARCHAR, in_service_since DATE, record_capacity BIGINT, "
                "storage_location VARCHAR, purchased_on DATE, retired_on DATE"),
    "webir_queries": ("query_key VARCHAR, agency_code VARCHAR, account VARCHAR, queried_at TIMESTAMP, op_code VARCHAR, "
                      "subject_hmac VARCHAR, subject_masked VARCHAR, case_no VARCHAR, reason VARCHAR, result VARCHAR"),
    "webir_accounts": ("account VARCHAR, employee_no VARCHAR, agency_code VARCHAR, role VARCHAR, status VARCHAR, "
                       "created_at DATE, last_used_at TIMESTAMP, employment VARCHAR, snapshot_date DATE"),
    "roster": ("agency_code VARCHAR, employee_no VARCHAR, national_id_hmac VARCHAR, national_id_masked VARCHAR, "
               "name VARCHAR, email VARCHAR, employment VARCHAR, left_on DATE"),
    "incidents": ("incident_id VARCHAR, reporter VARCHAR, reporter_contact VARCHAR, known_at TIMESTAMP, method VARCHAR, "
                  "location VARCHAR, description VARCHAR, scope_model VARCHAR, scope_device_ids VARCHAR, "
                  "scope_agency_code VARCHAR, scope_dataset VARCHAR, scope_from TIMESTAMP, scope_to TIMESTAMP, "
                  "containment VARCHAR"),
    "committee_decisions": ("device_id VARCHAR, model VARCHAR, decision VARCHAR, meeting_date DATE, doc_no VARCHAR, "
                            "agency_code VARCHAR, note VARCHAR"),
    "webir_audit_findings": ("query_key VARCHAR, result VARCHAR, note VARCHAR, auditor VARCHAR, audited_on DATE, "
                             "agency_code VARCHAR, audit_month DATE"),
}

#: Columns a later version added to a raw table, with their type: an existing warehouse gains them on
#: first use (``ensure_raw_tables``); the loader inserts by name, so their place in the table is free.
ADDED_COLUMNS = {"devices": (("purchased_on", "DATE"), ("retired_on", "DATE")),
                 "roster": (("employment", "VARCHAR"), ("left_on", "DATE"))}


def ensure_raw_tables(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for table, cols in RAW_DDL.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{table} ({cols}, {LINEAGE})")
    # One catalog query for every table (this runs for each source, each night): usually nothing.
    for table, col in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND column_name IN "
            f"({', '.join('?' * len(RETIRED_LINEAGE))}) AND table_name IN (SELECT table_name FROM duckdb_tables() "
            "WHERE schema_name = 'raw') ORDER BY 1, 2", list(RETIRED_LINEAGE)).fetchall():  # not the views
        con.execute(f"ALTER TABLE raw.{table} DROP COLUMN {col}")
    for table, cols in ADDED_COLUMNS.items():
        for col, kind in cols:
            con.execute(f"ALTER TABLE raw.{table} ADD COLUMN IF NOT EXISTS {col} {kind}")
    from pdgov import punch_months

    punch_months.refresh_view(con)  # raw.punches_closed: the closed months' files (empty at first)


def carries_ids(contract: Contract) -> bool:
    return any(c.kind == "national_id" for c in contract.columns)


def output_select(contract: Contract, src: str, lineage: str, logical_date: date) -> str:
    """The raw table's columns, in order, computed from the typed rows ``src`` (docs/architecture.md)."""
    if contract.source == "webir":
        # The key does not depend on the agency: a log may or may not name it (SPEC §2 lists no
        # agency column; dbt derives it from the account roster), and the same query must keep one key.
        return f"""SELECT md5(concat_ws('|', account, strftime(queried_at, '%Y-%m-%d %H:%M:%S'),
                        op_code, subject_hmac, coalesce(case_no, ''))) AS query_key, agency_code, account, queried_at,
                        op_code, subject_hmac, subject_masked, case_no, reason, result, {lineage}
                     FROM (SELECT *, query_date + query_time AS queried_at, _pd_hmac(subject_id) AS subject_hmac,
                           substr(subject_id, 1, 3) || '****' || substr(subject_id, 8, 3) AS subject_masked FROM {src})"""
    if contract.source == "roster":
        return f"""SELECT agency_code, employee_no, _pd_hmac(national_id) AS national_id_hmac,
                        substr(national_id, 1, 3) || '****' || substr(national_id, 8, 3) AS national_id_masked,
                        name, email, employment, left_on, {lineage} FROM {src}"""
    if contract.source == "webir_accounts":
        return f"""SELECT account, employee_no, agency_code, role, status, created_at, last_used_at, employment,
                        coalesce(snapshot_date, DATE '{logical_date.isoformat()}') AS snapshot_date, {lineage}
                     FROM {src}"""
    return f"SELECT {', '.join(c.name for c in contract.columns)}, {lineage} FROM {src}"
