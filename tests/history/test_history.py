"""Governance history (issue 22): what the register and device list said on night N, workbooks of
past nights rendered again byte for byte, redaction that keeps the record, five-year terms.

Runs the real recorder and the real workbook writer on the small hand-built warehouse of
``tests/exports/exports_fixture.py``, changed by hand between nights.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exports"))
import exports_fixture as fx  # noqa: E402

N1, N2 = date(2026, 11, 2), date(2026, 11, 3)
RUN2 = "scheduled__2026-11-02T18:00:00+00:00"


def _digests(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _second_night(db: Path) -> None:
    """Night 2 as a steward would see it: one device approved by the committee, one device bought,
    a register entry published, a run of its own."""
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE device_compliance SET status = 'approved', reasons = '委員會核准' WHERE device_id = 'D003'")
        con.execute("INSERT INTO device_compliance VALUES ('D005', '379010000G', 'FV-3', 'Hitachi', 'approved', "
                    "'', 'approved')")
        con.execute("UPDATE personal_data_file_register SET publication_status = 'published' "
                    "WHERE publication_status = 'overdue'")
        con.execute("INSERT INTO run_ledger VALUES (?, ?, 'scheduler', '2026-11-02 02:00', '2026-11-03 02:00', "
                    "'2026-11-03 02:00:07')", [RUN2, N2])
    finally:
        con.close()


@pytest.fixture
def two_nights(pdgov_home):
    """Two nights recorded and exported the way ``write_exports`` does it; night 1's workbook digests."""
    from pdgov.exports.workbooks import write_all
    from pdgov.history.store import record

    fx.build(pdgov_home.warehouse, skip=())
    record(fx.RUN_ID, N1)
    first = _digests(write_all(fx.RUN_ID, N1))
    _second_night(pdgov_home.warehouse)
    counts = record(RUN2, N2)
    write_all(RUN2, N2)
    return pdgov_home, first, counts


def test_history_says_what_the_device_list_and_register_said_each_night(two_nights):
    from pdgov.history.store import open_history, state

    _, _, counts = two_nights
    with open_history(read_only=True) as con:
        devices = {n: [(r[0], r[4]) for r in state(con, "device_compliance", n)] for n in (N1, N2)}
        register = {n: sorted(r[-1] for r in state(con, "personal_data_file_register", n)) for n in (N1, N2)}
        stored = con.execute("SELECT count(*) FROM device_compliance").fetchone()[0]
    assert devices[N1] == [("D001", "prohibited"), ("D002", "approved"), ("D003", "flagged"),
                           ("D004", "review_required")]
    assert devices[N2] == [("D001", "prohibited"), ("D002", "approved"), ("D003", "approved"),
                           ("D004", "review_required"), ("D005", "approved")]
    assert register[N1] == ["due", "overdue", "published"]
    assert register[N2] == ["due", "published", "published"]
    # only changes are written: 4 versions of night 1, D003's new version and D005
    assert stored == 6
    assert counts["device_compliance"] == {"gone": 1, "new": 2, "rejoined": 0}
    assert counts["incident_clock"] == {"gone": 0, "new": 0, "rejoined": 0}


def test_a_past_night_renders_again_byte_identical(two_nights, tmp_path):
    from pdgov.history.render import render

    home, first, _ = two_nights
    again = _digests(render(N1, tmp_path / "again"))
    assert again == first and len(first) == 3
    # in place too, after the night's folder was lost
    import shutil

    shutil.rmtree(home.exports / N1.isoformat())
    assert _digests(render(N1)) == first
    assert (home.exports / N1.isoformat() / "dashboard" / "device_compliance.parquet").is_file()


def test_re_running_a_night_and_backfilling_an_earlier_one_leave_other_nights_as_they_were(two_nights):
    from pdgov.history.store import open_history, record, state

    home, _, _ = two_nights
    assert record(RUN2, N2)["device_compliance"] == {"gone": 0, "new": 0, "rejoined": 0}
    con = duckdb.connect(str(home.warehouse))
    con.execute("UPDATE device_compliance SET status = 'rejected' WHERE device_id = 'D001'")
    con.close()
    n0 = date(2026, 11, 1)
    record("manual__backfill", n0)
    with open_history(read_only=True) as con:
        said = {n: {r[0]: r[4] for r in state(con, "device_compliance", n)} for n in (n0, N1, N2)}
    assert said[n0]["D001"] == "rejected" and said[N1]["D001"] == "prohibited" and said[N2]["D001"] == "prohibited"
    assert said[N1]["D003"] == "flagged" and said[N2]["D003"] == "approved"


def test_redaction_keeps_the_record_and_removes_the_person_from_the_file(two_nights):
    from pdgov.history.redact import REDACTED, redact
    from pdgov.history.store import history_path, open_history, state

    home, first, _ = two_nights
    nights = redact({"account": ["u1"], "query_key": [f"{3:032x}"]})
    assert nights == [N1, N2]
    with open_history(read_only=True) as con:
        review = state(con, "webir_account_review", N1)
        samples = {r[2]: r for r in state(con, "webir_audit_samples", N2)}
        redacted_at = con.execute("SELECT count(*) FROM nights WHERE redacted_at IS NOT NULL").fetchone()[0]
    assert review == [(REDACTED, "379000000A", "resigned", REDACTED)]
    assert samples[f"{3:032x}"][8] == REDACTED and samples[f"{3:032x}"][11] == REDACTED
    assert samples[f"{4:032x}"][8] == "u004"  # the next line keeps its account
    assert len(samples) == 30 and redacted_at == 2
    raw = history_path().read_bytes()
    assert b"C3\x00" not in raw and "離職仍啟用".encode() not in raw
    # the workbooks of both nights were rendered again from the redacted record
    city = home.exports / N1.isoformat() / f"pdgov_全市_{N1}.xlsx"
    assert _digests([city]) != {k: v for k, v in first.items() if k == city.name}
    assert redact({"account": ["u1"]}) == []  # idempotent


def test_records_and_workbooks_are_kept_five_years_from_their_own_night(tmp_path):
    from pdgov.history.keep import add_months, expire_exports, expired
    from pdgov.retention.apply import purge_old_exports

    assert add_months(date(2024, 2, 29), 60) == date(2029, 2, 28)
    assert not expired(date(2021, 11, 2), date(2026, 11, 2), "exports")  # last day of its term
    assert expired(date(2021, 11, 1), date(2026, 11, 2), "exports")
    home = tmp_path
    for name in ("2021-11-01", "2021-11-02", "2026-10-31", "notes"):
        (home / "exports" / name).mkdir(parents=True)
    assert expire_exports(home, date(2026, 11, 2)) == ["exports/2021-11-01"]
    assert sorted(p.name for p in (home / "exports").iterdir()) == ["2021-11-02", "2026-10-31", "notes"]
    # the purge no longer removes earlier nights' workbooks wholesale
    assert purge_old_exports(home, date(2026, 11, 3)) == ["exports/2021-11-02"]
    assert sorted(p.name for p in (home / "exports").iterdir()) == ["2026-10-31", "notes"]


def test_history_rows_expire_from_the_nights_they_belong_to(two_nights):
    from pdgov.history.keep import expire_history
    from pdgov.history.store import open_history

    with open_history() as con:
        # D003's night-1 version ended at night 2 (belongs to night 1): kept through 2031-11-02
        assert expire_history(con, date(2031, 11, 2)) == {}
        out = expire_history(con, date(2031, 11, 3))
        left = [d for (d,) in con.execute("SELECT as_of_date FROM nights ORDER BY 1").fetchall()]
    assert out["device_compliance"] == 1 and out["nights"] == 1 and left == [N2]


def test_export_of_a_night_never_recorded_says_which_nights_exist(two_nights):
    from pdgov.history.render import render

    with pytest.raises(LookupError, match=r"no governance history for 2026-11-05: nights recorded are 2, "
                                          r"the nearest before it 2026-11-03"):
        render(date(2026, 11, 5))
