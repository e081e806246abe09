"""WebIR logs as SPEC §2 lists them (issue #18): no agency column, one file for several agencies'
accounts. The agency comes from a column when there is one, else from a file name that starts with
an agency code, else it stays NULL for dbt to take from the account roster as of the query time; the
query key never depends on it."""

from __future__ import annotations

import hashlib

from ingest_ids import REFERENCE
from ingest_run import ingest, query

SPEC_HEADER = "查詢者帳號,查詢日期,查詢時間,作業代號,被查詢者查詢條件,案號,事由,結果\n"
S1, S2 = REFERENCE[0][0], REFERENCE[1][1]
ROWS = (f"acc1,115/10/05,09:00:00,L0101,{S1},A-1,查核,成功\n"
        f"acc7,2026-10-05,09:30:00,L0102,{S2},,,成功\n"        # another agency's account, empty 案號/事由
        f"ghost,1151006,101500,L0101,{S1},B-9,複查,成功\n")       # on no roster at all


def _expected_key(account: str, at: str, op: str, subject: str, case_no: str) -> str:
    from pdgov.config import hmac_key
    from pdgov.ingest.national_id import pseudonym

    return hashlib.md5("|".join([account, at, op, pseudonym(subject, hmac_key()), case_no]).encode()).hexdigest()


def test_log_without_agency_loads_with_agency_from_column_prefix_or_null(pdgov_home):
    landing = pdgov_home.landing_for("webir")
    (landing / "webir_202610.csv").write_text(SPEC_HEADER + ROWS, encoding="utf-8")
    (landing / "379000000A-webir.csv").write_bytes((SPEC_HEADER + ROWS).encode("cp950"))
    with_col = "機關代號," + SPEC_HEADER + "".join(f"379010000G,{r}" for r in ROWS.splitlines(keepends=True))
    (landing / "with_column.csv").write_text(with_col, encoding="utf-8")
    result = ingest("webir")
    assert (result["files"], result["files_rejected"], result["rows_in"]) == (3, 0, 9)
    got = query(pdgov_home, """SELECT f.file_name, r.account, r.agency_code, r.query_key FROM raw.webir_queries r
                               JOIN main.ingest_files f ON f.file_sha256 = r._file_sha256 ORDER BY 1, r._line_no""")
    keys = [_expected_key("acc1", "2026-10-05 09:00:00", "L0101", S1, "A-1"),
            _expected_key("acc7", "2026-10-05 09:30:00", "L0102", S2, ""),
            _expected_key("ghost", "2026-10-06 10:15:00", "L0101", S1, "B-9")]
    accounts = ["acc1", "acc7", "ghost"]
    assert got == ([("379000000A-webir.csv", a, "379000000A", k) for a, k in zip(accounts, keys, strict=True)]
                   + [("webir_202610.csv", a, None, k) for a, k in zip(accounts, keys, strict=True)]
                   + [("with_column.csv", a, "379010000G", k) for a, k in zip(accounts, keys, strict=True)])


def test_a_name_that_only_looks_like_a_code_gives_no_agency(pdgov_home):
    landing = pdgov_home.landing_for("webir")
    (landing / "379000000AB_log.csv").write_text(SPEC_HEADER + ROWS, encoding="utf-8")   # 11 characters
    (landing / "37900000A_log.csv").write_text(SPEC_HEADER + ROWS.replace("09:00", "09:01"), encoding="utf-8")
    assert ingest("webir")["files"] == 2
    assert query(pdgov_home, "SELECT DISTINCT agency_code FROM raw.webir_queries") == [(None,)]


def test_a_bad_agency_column_is_still_refused(pdgov_home):
    bad = "機關代碼," + SPEC_HEADER + f"379000000a,acc1,115/10/05,09:00:00,L0101,{S1},A-1,查核,成功\n"
    (pdgov_home.landing_for("webir") / "bad.csv").write_text(bad, encoding="utf-8")
    assert ingest("webir")["files_rejected"] == 1
    assert query(pdgov_home, "SELECT line_no, column_name FROM main.ingest_rejections") == [(2, "機關代碼")]
