"""A small warehouse with the marts the workbooks read (SPEC §6 columns), built with DuckDB directly.

The workbook tests use it instead of a full pipeline run, so they stay fast and do not depend
on the models being built; values are chosen to exercise every rule (violations, formula-like
text, a national ID typed into free text, a missing mart).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

AGENCIES = ("379000000A", "379010000G")
CLEAR_ID = "A123456789"  # checksum-valid; must never appear in a workbook
FORMULA = "=HYPERLINK(\"http://evil\",\"x\")"
RUN_ID = "scheduled__2026-11-01T18:00:00+00:00"
STARTED = datetime(2026, 11, 2, 2, 0, 5)
SOURCE_SHA = "ab" * 32


NAMES = {"379000000A": "臺北市政府", "379010000G": "臺北市政府秘書處"}


def build(db: Path, *, skip: tuple[str, ...] = ("webir_account_review",), sample_rows: int = 30) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        _create(con, skip, sample_rows)
    finally:
        con.close()


def _create(con, skip: tuple[str, ...], sample_rows: int) -> None:
    a, b = AGENCIES
    twenty = ["business_process", "file_name", "responsible_unit", "custodian_unit", "storage_method", "file_type",
              "data_source", "legal_basis", "notice_duty", "purpose_codes", "category_codes", "data_items",
              "art6_items", "record_count", "internal_users", "external_users", "outsourcing", "retention_period",
              "destruction_method", "art17_published"]
    cols = ", ".join(f"{c} {'BIGINT' if c == 'record_count' else 'VARCHAR'}" for c in twenty)
    con.execute(f"CREATE TABLE personal_data_file_register (agency_code VARCHAR, {cols}, risk_level VARCHAR, "
                "risk_basis VARCHAR, publication_due_date DATE, publication_status VARCHAR)")
    for i, (agency, status) in enumerate([(a, "published"), (a, "overdue"), (b, "due")]):
        vals = [f"{f}-{i}" for f in twenty]
        vals[1] = f"差勤打卡資料{i}"
        vals[13] = 1000 * (i + 1)
        con.execute(f"INSERT INTO personal_data_file_register VALUES (?, {', '.join('?' * 20)}, 'low', ?, ?, ?)",
                    [agency, *vals, "可識別中；數量低；" + "很長的說明文字" * 8, date(2026, 12, 1), status])
    con.execute("CREATE TABLE device_compliance (device_id VARCHAR, agency_code VARCHAR, model VARCHAR, "
                "brand VARCHAR, status VARCHAR, reasons VARCHAR, committee_status VARCHAR)")
    con.executemany("INSERT INTO device_compliance VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("D001", a, "ZK-100", "ZKTeco", "prohibited", "大陸廠牌（原則貳）", "pending"),
        ("D002", a, "FP-9", "Acme", "approved", "", "approved"),
        ("D003", b, "FV-2", "Hitachi", "flagged", "主機板產地不明", "pending"),
        ("D004", b, "X", "-brand", "review_required", "+1", "pending"),
    ])
    con.execute("CREATE TABLE deletion_deadlines (dataset VARCHAR, dataset_zh VARCHAR, agency_code VARCHAR, "
                "period_start DATE, period_end DATE, rule_id VARCHAR, legal_basis VARCHAR, delete_by DATE, "
                "status VARCHAR, rows_remaining BIGINT, hold_ids VARCHAR)")
    con.executemany("INSERT INTO deletion_deadlines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        ("punches", "差勤打卡", a, date(2020, 1, 1), date(2020, 1, 31), "R1", "檔案法", date(2025, 1, 31),
         "overdue", 120, None),
        ("punches", "差勤打卡", b, date(2026, 1, 1), date(2026, 1, 31), "R1", "檔案法", date(2031, 1, 31),
         "retained", 50, None),
    ])
    if "webir_audit_samples" not in skip:
        con.execute("CREATE TABLE webir_audit_samples (agency_code VARCHAR, audit_month DATE, query_key VARCHAR, "
                    "sample_kind VARCHAR, flags VARCHAR, sample_seed VARCHAR, draw_order BIGINT, "
                    "queries_in_month BIGINT, account VARCHAR, queried_at TIMESTAMP, subject_masked VARCHAR, "
                    "case_no VARCHAR, reason VARCHAR)")
        rows = []
        for i in range(sample_rows):
            agency = AGENCIES[i % 2]
            kind = "flagged" if i % 5 == 0 else "random"
            reason = FORMULA if i == 0 else (f"查詢 {CLEAR_ID} 勞保" if i == 1 else "@SUM(1)" if i == 2 else "加保查核")
            rows.append((agency, date(2026, 10, 1), f"{i:032x}", kind, "after_hours" if kind == "flagged" else None,
                         f"pdgov-webir|{agency}|2026-10", None if kind == "flagged" else i, 400, f"u{i:03d}",
                         datetime(2026, 10, 5, 8, i % 60), "A12****789", f"C{i}", reason))
        con.executemany(f"INSERT INTO webir_audit_samples VALUES ({', '.join('?' * 13)})", rows)
    if "webir_account_review" not in skip:
        con.execute("CREATE TABLE webir_account_review (account VARCHAR, agency_code VARCHAR, finding VARCHAR, "
                    "detail VARCHAR)")
        con.execute(f"INSERT INTO webir_account_review VALUES ('u1', '{a}', 'resigned', '離職仍啟用')")
    con.execute("CREATE TABLE incident_clock (incident_id VARCHAR, known_at TIMESTAMP, report_due_at TIMESTAMP, "
                "report_sent_at TIMESTAMP, clock_status VARCHAR, escalated_at TIMESTAMP, people INTEGER, "
                "notices_queued INTEGER, notices_sent INTEGER, messages_waiting INTEGER, messages_in_doubt INTEGER)")
    con.execute("INSERT INTO incident_clock VALUES ('INC-1', '2026-11-01 09:00', '2026-11-01 13:00', NULL, "
                "'overdue', '2026-11-01 13:05', 12, 12, 10, 2, 0)")
    if "city_agencies" not in skip:
        con.execute("CREATE TABLE city_agencies (agency_code VARCHAR, agency_name VARCHAR, parent_code VARCHAR, "
                    "code_status VARCHAR)")
        con.executemany("INSERT INTO city_agencies VALUES (?, ?, ?, 'unverified')",
                        [(code, name, None if code == a else a) for code, name in NAMES.items()])
    con.execute("CREATE TABLE run_ledger (run_id VARCHAR, logical_date DATE, triggered_by VARCHAR, "
                "data_interval_start TIMESTAMP, data_interval_end TIMESTAMP, started_at TIMESTAMP)")
    con.execute("INSERT INTO run_ledger VALUES (?, ?, 'scheduler', '2026-11-01 02:00', '2026-11-02 02:00', ?)",
                [RUN_ID, date(2026, 11, 2), STARTED])
    con.execute("CREATE TABLE ingest_files (file_sha256 VARCHAR, source VARCHAR, file_name VARCHAR, status VARCHAR, "
                "rows_in BIGINT)")
    con.execute(f"INSERT INTO ingest_files VALUES ('{SOURCE_SHA}', 'punches', 'punches_2026-11-01.csv', 'loaded', 42),"
                f" ('{'cd' * 32}', 'devices', 'bad.xlsx', 'rejected', 0),"
                f" ('{'ef' * 32}', 'punches', '{AGENCIES[0]}_差勤刷卡_202610.csv', 'loaded', 7),"
                f" ('{'0a' * 32}', 'webir', '{AGENCIES[1]}_WebIR查詢日誌_202610.csv', 'loaded', 3)")
