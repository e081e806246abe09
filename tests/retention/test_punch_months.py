"""Closed punch months in files of their own (pdgov.punch_months, issue 22).

A deletion must cost what it deletes, not the warehouse: closed months leave ``raw.punches`` for
one Parquet file each, a deletion or a corrected re-delivery rewrites only the months it touches,
and no replaced version (holding the old values) outlives the transaction that replaced it.
"""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest
from support.bytescan import scan_files

from pdgov import pipeline, punch_months
from pdgov.config import paths
from pdgov.warehouse import connect

AS_OF = date(2026, 11, 2)  # open months: 2026-11 and 2026-10
HEADER = "機關代碼,員工編號,打卡時間,設備編號,辨識方式\r\n"


def _deliver(name: str, lines: list[str]) -> None:
    # a steward's spreadsheet: BOM, CRLF, 指紋/臉部 spelled as the agency's system writes them
    (paths().landing / "punches" / name).write_bytes(("\ufeff" + HEADER + "".join(f"{x}\r\n" for x in lines))
                                                     .encode("utf-8"))
    out = pipeline.ingest("punches", "months", AS_OF)
    assert out["files_rejected"] == 0, out


def _all(sql_tail: str = "") -> list[tuple]:
    with connect(read_only=True) as con:
        return con.execute(f"SELECT employee_no, punched_at::VARCHAR FROM {punch_months.PUNCHES_ALL} t {sql_tail} "
                           "ORDER BY 2, 1").fetchall()


def _files() -> list[str]:
    d = punch_months.folder()
    return sorted(f.name for f in d.iterdir()) if d.is_dir() else []


@pytest.fixture
def loaded(pdgov_home):
    pipeline.start_run("months", AS_OF, "test", None, None)
    _deliver("379000000A_差勤刷卡_2021.csv", [
        "379000000A,ZQXOLD01,2021-06-15 08:01:00,D1,指紋",
        "379000000A,ZQXOLD02,2021-06-20 08:01:00,D1,臉部",
        "379000000A,ZQXJUL01,2021-07-01 08:00:00,D1,指紋",
    ])
    _deliver("379000000A_差勤刷卡_近期.csv", [
        "379000000A,ZQXSEP01,2026-09-30 17:00:00,D1,指紋",
        "379000000A,ZQXOCT01,2026-10-01 08:00:00,D1,指紋",
        "379000000A,ZQXNOV01,2026-11-01 08:00:00,D1,指紋",
    ])
    return pdgov_home


def test_closed_months_leave_the_table_for_one_file_each_and_readers_see_every_punch(loaded):
    before = _all()
    with connect() as con:
        moved = punch_months.close_months(con, AS_OF)
        open_rows = con.execute("SELECT employee_no FROM raw.punches ORDER BY 1").fetchall()
        listed = con.execute("SELECT strftime(month, '%Y-%m'), rows FROM main.punch_month_files ORDER BY 1").fetchall()
    assert moved["rows"] == 4 and moved["months"] == 3
    assert open_rows == [("ZQXNOV01",), ("ZQXOCT01",)]  # the current and the previous month stay
    assert listed == [("2021-06", 2), ("2021-07", 1), ("2026-09", 1)]
    assert [f[:7] for f in _files()] == ["2021-06", "2021-07", "2026-09"]
    assert _all() == before  # the same rows, wherever they live

    # a second night with nothing new changes nothing, not even a file's version
    files = _files()
    with connect() as con:
        assert punch_months.close_months(con, AS_OF) == {"months": 0, "rows": 0}
    assert _files() == files

    # a late punch for a closed month waits in the table, then joins its month's file (a new version)
    _deliver("379000000A_差勤刷卡_補件.csv", ["379000000A,ZQXLATE1,2021-06-30 18:00:00,D1,指紋"])
    with connect() as con:
        assert punch_months.close_months(con, AS_OF)["rows"] == 1
        assert con.execute("SELECT rows FROM main.punch_month_files WHERE month = DATE '2021-06-01'").fetchone() == (3,)
    june = [f for f in _files() if f.startswith("2021-06")]
    assert len(june) == 1 and june[0] not in files  # the old version is gone
    assert len(_all()) == len(before) + 1


def test_a_deletion_rewrites_only_its_months_and_no_old_version_keeps_the_values(loaded):
    with connect() as con:
        punch_months.close_months(con, AS_OF)
    july, sept = ([f for f in _files() if f.startswith(m)][0] for m in ("2021-07", "2026-09"))
    with connect() as con:
        con.execute("BEGIN TRANSACTION")
        changed = punch_months.rewrite(con, "t.punched_at < DATE '2021-06-18' OR t.employee_no = 'ZQXJUL01'",
                                       months_before=date(2021, 11, 1))
        con.execute("COMMIT")
        punch_months.sweep(con)
    assert {(c["month"].isoformat(), c["rows"], c["action"]) for c in changed} == {
        ("2021-06-01", 1, "blank"), ("2021-07-01", 1, "delete")}
    assert all(len(c["sha256"]) == 64 and c["path"].startswith("warehouse/punches/") for c in changed)
    assert sept in _files() and july not in _files()  # untouched month: same file; emptied month: no file
    assert [r[0] for r in _all()] == ["ZQXOLD02", "ZQXSEP01", "ZQXOCT01", "ZQXNOV01"]
    # the month files, decoded (the main file and the archive are the purge's: tests/retention/test_retention_nights)
    assert not scan_files(punch_months.folder(), [b"ZQXOLD01", b"ZQXJUL01"])
    assert scan_files(punch_months.folder(), [b"ZQXOLD02"])  # the scan finds what is there


def test_a_corrected_redelivery_replaces_its_rows_in_a_closed_month(loaded):
    with connect() as con:
        punch_months.close_months(con, AS_OF)
    _deliver("379000000A_差勤刷卡_2021.csv", [  # same name, corrected content
        "379000000A,ZQXOLD01,2021-06-15 08:05:00,D1,指紋",
        "379000000A,ZQXJUL01,2021-07-01 08:00:00,D1,指紋",
    ])
    assert [r for r in _all() if r[1] < "2022"] == [("ZQXOLD01", "2021-06-15 08:05:00"),
                                                    ("ZQXJUL01", "2021-07-01 08:00:00")]
    assert not scan_files(punch_months.folder(), [b"ZQXOLD02"])


def test_a_rolled_back_write_leaves_an_orphan_the_sweep_removes(loaded):
    with connect() as con:
        punch_months.close_months(con, AS_OF)
        files = _files()
        con.execute("BEGIN TRANSACTION")
        punch_months.rewrite(con, "t.employee_no = 'ZQXOLD01'")
        assert len(_files()) == len(files) + 1
        con.execute("ROLLBACK")  # e.g. a re-delivery refused by its checks
        assert punch_months.sweep(con) and _files() == files
    assert ("ZQXOLD01", "2021-06-15 08:01:00") in _all()


def test_a_copied_home_reads_its_own_month_files(loaded, tmp_path, monkeypatch):
    with connect() as con:
        punch_months.close_months(con, AS_OF)
    n = len(_all())
    copy = tmp_path / "copied_home"
    shutil.copytree(paths().home, copy)
    shutil.rmtree(paths().home / "warehouse" / "punches")  # the original's files are gone
    monkeypatch.setenv("PDGOV_HOME", str(copy))
    with connect() as con:  # a write connection points the view at this home's folder
        assert con.execute(f"SELECT count(*) FROM {punch_months.PUNCHES_ALL}").fetchone()[0] == n
    con = duckdb.connect(str(copy / "warehouse" / "pdgov.duckdb"), read_only=True)
    try:
        assert str(copy) in con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'punches_closed'"
                                        ).fetchone()[0]
    finally:
        con.close()
