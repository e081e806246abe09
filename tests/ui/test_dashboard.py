"""The dashboard's tiles on a small warehouse whose every count is known (no Airflow, no browser)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exports"))
import exports_fixture as fx  # noqa: E402

from pdgov.ui import dashboard, snapshot  # noqa: E402

DAY = date(2026, 11, 2)
A, B = fx.AGENCIES


def _sql(home, *statements: str) -> None:
    import duckdb

    con = duckdb.connect(str(home.warehouse))
    try:
        for s in statements:
            con.execute(s)
    finally:
        con.close()


@pytest.fixture
def night(pdgov_home):
    fx.build(pdgov_home.warehouse)
    _sql(pdgov_home, "CREATE TABLE incident_summary AS SELECT 'INC-1' AS incident_id, "
                     f"'{A};999999999Z' AS agency_codes")
    from pdgov import pipeline

    pipeline.write_exports(fx.RUN_ID, DAY)  # the workbooks, then the snapshot, as the night's task does
    return pdgov_home


def _bars(tile) -> dict[str, int]:
    return {b.filter: b.value for b in tile.bars}


def test_tiles_count_what_the_marts_hold_for_the_city_and_for_one_agency(night):
    assert dashboard.dates() == [DAY]
    city = dashboard.devices(DAY, None)
    assert _bars(city) == {"prohibited": 1, "flagged": 1, "review_required": 1, "approved": 1}
    assert city.headline == "1 台禁止使用或不核准"
    assert {b.filter: b.level for b in city.bars}["prohibited"] == "violation"
    assert _bars(dashboard.devices(DAY, B)) == {"flagged": 1, "review_required": 1}
    assert _bars(dashboard.deadlines(DAY, A)) == {"overdue": 1}
    assert _bars(dashboard.deadlines(DAY, B)) == {"retained": 1}
    samples = dashboard.samples(DAY, None)
    assert sum(b.value for b in samples.bars) == 30 and samples.note == "查核結果尚未匯入"
    assert sum(b.value for b in dashboard.samples(DAY, A).bars) == 15
    assert dashboard.accounts(DAY, None) is None, "the fixture's night did not build webir_account_review"
    assert dashboard.deliveries(DAY, None) is None, "no agency_deliveries mart yet: the tile is left off"
    assert [(c, n) for c, n in dashboard.agencies(DAY)] == [(A, fx.NAMES[A]), (B, fx.NAMES[B])]


def test_incidents_show_their_clock_to_the_committee_and_to_affected_agencies_only(night):
    clocks = dashboard.incidents(DAY, None).clocks
    assert [c.incident_id for c in clocks] == ["INC-1"]
    # due 2026-11-01 13:00; an earlier day's dashboard counts to the end of that day (2026-11-02 23:59:59)
    assert clocks[0].minutes_left == -(35 * 60)
    assert [c.incident_id for c in dashboard.incidents(DAY, A).clocks] == ["INC-1"]
    assert dashboard.incidents(DAY, B).clocks == []
    assert dashboard.since(-2100) == "逾時 35 小時 0 分" and dashboard.since(125) == "剩 2 小時 5 分"
    assert dashboard.since(-3000) == "逾時 2 天 2 小時" and dashboard.since(59) == "剩 59 分"


def test_rows_behind_a_bar_are_the_workbook_rows_of_that_agency_and_code(night):
    sheet, rows = dashboard.rows("devices", DAY, A, "prohibited")
    assert sheet.title == "生物特徵差勤設備清冊"
    assert [(r[0], r[1], r[2]) for r in rows] == [(A, fx.NAMES[A], "D001")]
    assert dashboard.rows("devices", DAY, B, "prohibited")[1] == []
    assert len(dashboard.rows("samples", DAY, None, "flagged")[1]) == 6
    assert [r[0] for r in dashboard.rows("incidents", DAY, B, None)[1]] == []
    assert [r[0] for r in dashboard.rows("incidents", DAY, A, None)[1]] == ["INC-1"]


def test_audit_findings_and_missing_deliveries_appear_when_their_tables_exist(night):
    _sql(night, "CREATE TABLE webir_audit_findings AS SELECT agency_code, audit_month, query_key, '正常' AS result "
                "FROM webir_audit_samples WHERE sample_kind = 'flagged'",
         f"CREATE TABLE agency_deliveries AS SELECT * FROM (VALUES ('{A}', 'punches', '差勤刷卡紀錄', 'missing'), "
         f"('{A}', 'webir', 'WebIR查詢日誌', 'late'), ('{A}', 'roster', '人事名冊', 'ok'), "
         f"('{B}', 'punches', '差勤刷卡紀錄', 'missing'), ('{B}', 'devices', '設備清冊', 'ok')) "
         "t(agency_code, source, source_zh, status)")
    snapshot.write(fx.RUN_ID, DAY)
    samples = dashboard.samples(DAY, None)
    assert samples.headline == "抽出 30 筆，已查核 6 筆" and not samples.note
    assert _bars(dashboard.deliveries(DAY, None)) == {"punches": 2, "webir": 1}
    # a zh-TW page names the sources as stewards do; the bars still filter on the code
    assert [b.label for b in dashboard.deliveries(DAY, None).bars] == ["差勤刷卡紀錄", "WebIR查詢日誌"]
    assert _bars(dashboard.deliveries(DAY, B)) == {"punches": 1}


def test_the_dashboard_reads_its_snapshot_while_another_process_holds_the_warehouse(night):
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('locked', flush=True); time.sleep(120)", str(night.warehouse)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert _bars(dashboard.devices(DAY, A)) == {"prohibited": 1, "approved": 1}
        assert "寫入中" in dashboard.warehouse_busy()
        # Without a snapshot (a night written before snapshots existed) the page says why it is empty.
        shutil.rmtree(snapshot.snapshot_dir(DAY))
        with pytest.raises(dashboard.Unavailable, match="夜間作業進行中"):
            dashboard.devices(DAY, A)
    finally:
        holder.kill()
        holder.wait()
    # The lock gone, that latest night is read from the warehouse itself.
    assert _bars(dashboard.devices(DAY, A)) == {"prohibited": 1, "approved": 1}
    assert dashboard.warehouse_busy() is None


def test_a_snapshot_is_replaced_whole(night):
    _sql(night, "DROP TABLE device_compliance")
    snapshot.write(fx.RUN_ID, DAY)
    assert dashboard.devices(DAY, None) is None, "a table gone from the night is gone from its snapshot"
    assert not list(snapshot.snapshot_dir(DAY).parent.glob(".dashboard*"))
    assert dashboard.about(DAY)["run_id"] == fx.RUN_ID
