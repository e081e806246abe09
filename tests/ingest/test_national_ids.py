"""National IDs against a literal reference list (``ingest_ids``): every letter A–Z valid and invalid,
checked by the validator and through the real ingest door (its SQL checks share the letter table)."""

from __future__ import annotations

import string
from datetime import date

import duckdb
from ingest_ids import BAD_CHECKSUM, MALFORMED, REFERENCE, VALID

from pdgov.ingest.national_id import problem

ROSTER_H = "機關代碼,員工編號,身分證統一編號,姓名,電子郵件\n"


def test_the_reference_list_covers_every_letter_both_ways():
    assert [row[0][0] for row in REFERENCE] == list(string.ascii_uppercase)
    assert {v[0] for v in VALID} == {b[0] for b in BAD_CHECKSUM} == set(string.ascii_uppercase)
    assert {v[1] for v in VALID} == {"1", "2"}
    assert not set(VALID) & set(BAD_CHECKSUM)


def test_the_validator_agrees_with_the_reference_list():
    assert {v: problem(v) for v in VALID if problem(v) is not None} == {}
    assert {b: problem(b) for b in BAD_CHECKSUM if problem(b) != "national ID checksum does not match"} == {}
    for value, words in MALFORMED:
        assert words in (problem(value) or ""), value


def test_the_ingest_loads_every_valid_id_and_names_each_invalid_line(pdgov_home):
    from pdgov.ingest.run import ingest_source

    land = pdgov_home.landing_for("roster")
    good = "".join(f"379000000A,E{i:04d},{v},王小明,e{i}@mail.taipei.example\n" for i, v in enumerate(VALID))
    (land / "379000000A_員工名冊.csv").write_text(ROSTER_H + good, encoding="utf-8")
    bad_values = BAD_CHECKSUM + [m for m, _ in MALFORMED]
    bad = "".join(f"379130000C,E{i:04d},{v},李小華,f{i}@mail.taipei.example\n" for i, v in enumerate(bad_values))
    (land / "379130000C_員工名冊.csv").write_text(ROSTER_H + bad, encoding="utf-8")
    result = ingest_source("roster", "ids", date(2026, 11, 2))
    assert (result["files"], result["rows_in"], result["files_rejected"]) == (1, len(VALID), 1)

    con = duckdb.connect(str(pdgov_home.warehouse), read_only=True)
    try:
        reasons = dict(con.execute("SELECT line_no, reason FROM main.ingest_rejections WHERE column_name = ?",
                                   ["身分證統一編號"]).fetchall())
    finally:
        con.close()
    # line 1 is the header: the value on line n + 2 is bad_values[n]
    assert {bad_values[n - 2]: reasons.get(n) for n in range(2, len(bad_values) + 2)} == {
        **{b: "national ID checksum does not match" for b in BAD_CHECKSUM},
        "a131846895": "national ID has a lower-case letter",
        **{m: "national ID is not one letter, 1 or 2, then eight digits" for m, _ in MALFORMED[1:]},
    }
