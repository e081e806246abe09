"""De-duplicated punches, incrementally: a nightly build equals a full build of the same raw rows.

``stg_punches`` is ``raw.punches`` without the rows ``base_punches_superseded`` lists, and that
table is built incrementally.

The night after a full build brings what agencies really send: a new export, a punch delivered
twice (overlapping exports: the later load must win), and a corrected re-delivery of an export
under the same name that drops two punches — one that another file also holds (it must stay,
now from that file) and one that no other file holds (it must go). The incremental result is
compared row for row with a ``--full-refresh`` build of the same raw table. The key test is shown
to catch a duplicate among tonight's keys, and — with ``test_all_punches`` — anywhere.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

#: The punches chain and only the tests whose every parent it builds (a singular test that also reads
#: incident models would fail on their absence).
PUNCHES = ["+stg_punches", "--indirect-selection", "cautious"]
RUN_DATE = date(2026, 11, 2)
NEXT_DATE = date(2026, 11, 3)
KEY = "pdgov-test-key-not-for-production-0123456789abcdef"
HEADER = ["機關代碼", "員工編號", "打卡時間", "設備編號", "辨識方式"]
STG = ("SELECT agency_code, employee_no, punched_at, punch_date, device_id, method, is_biometric, "
       "file_sha256, line_no, loaded_at FROM main.stg_punches ORDER BY ALL")


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))[1:]


def _write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)


def _query(sql: str) -> list[tuple]:
    from pdgov.warehouse import connect

    with connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def _where(row: list[str]) -> str:
    return (f"agency_code = '{row[0]}' AND employee_no = '{row[1]}' "
            f"AND punched_at = TIMESTAMP '{row[2]}'")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Two nights on one home; returns the planted rows and the tables after each step."""
    home = tmp_path_factory.mktemp("increment") / "pdgov_home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PDGOV_HOME", str(home))
        mp.setenv("PDGOV_HMAC_KEY", KEY)
        from pdgov.ingest.run import ingest_source
        from pdgov.synth import generate
        from pdgov.transform import dbt

        generate(home, scale="demo", seed=7, end=date(2026, 11, 1))
        landing = home / "landing" / "punches"
        exports = [f for f in sorted(landing.glob("*_差勤刷卡_2026*.csv")) if f.read_bytes()[:3] == "機".encode()]
        corrected, other = exports[:2]  # two UTF-8 exports of different agencies
        rows = _read(corrected)
        agency = rows[0][0]
        p_overlap, p_only, p_again = rows[3], rows[5], _read(other)[7]
        # night 1: the export, and a second file of the same agency that also holds one of its punches
        _write(landing / f"{agency}_差勤刷卡_overlap.csv", [p_overlap])
        ingest_source("punches", "night-1", RUN_DATE)
        dbt.build(RUN_DATE, "night-1", select=PUNCHES)
        first = _query(STG)

        # night 2: a new export with two new punches and one already delivered; the export corrected
        new_1 = [agency, rows[0][1], "2026-11-02 08:00:01", rows[0][3], rows[0][4]]
        new_2 = [agency, rows[0][1], "2026-11-02 17:30:02", rows[0][3], rows[0][4]]
        _write(landing / f"{agency}_差勤刷卡_20261102.csv", [new_1, new_2])
        _write(landing / f"{p_again[0]}_差勤刷卡_20261102.csv", [p_again])
        _write(corrected, [r for r in rows if r not in (p_overlap, p_only)])
        ingest_source("punches", "night-2", NEXT_DATE)
        dbt.build(NEXT_DATE, "night-2", select=PUNCHES)
        increment = _query(STG)
        touched = _query("SELECT count(*) FROM main.base_punches_superseded__touched")[0][0]

        # the same night again: nothing new, nothing changes
        dbt.build(NEXT_DATE, "night-2", select=PUNCHES)
        rerun = _query(STG)
        touched_rerun = _query("SELECT count(*) FROM main.base_punches_superseded__touched")[0][0]

        superseded = _query("SELECT * FROM main.base_punches_superseded ORDER BY ALL")
        dbt.run(["build", "--select", *PUNCHES, "--full-refresh",
                 "--vars", dbt.dbt_vars(NEXT_DATE, "night-2-full")])
        full = _query(STG)
        superseded_full = _query("SELECT * FROM main.base_punches_superseded ORDER BY ALL")
        touched_after_full = _query(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'base_punches_superseded__touched'")[0][0]
        yield {"home": home, "agency": agency, "corrected": corrected.name, "rows": rows, "first": first,
               "increment": increment, "rerun": rerun, "full": full, "touched": touched,
               "superseded": superseded, "superseded_full": superseded_full,
               "touched_rerun": touched_rerun, "touched_after_full": touched_after_full,
               "planted": {"overlap": p_overlap, "only": p_only, "again": p_again, "new": [new_1, new_2]}}


def test_increment_equals_a_full_build_of_the_same_raw_rows(nights):
    assert len(nights["increment"]) == len(nights["first"]) + 2 - 1  # two new punches, one dropped for good
    assert nights["increment"] == nights["full"]
    assert nights["superseded"] == nights["superseded_full"] and nights["superseded"]  # the losers too


def test_increment_applies_overlap_and_correction_rules(nights):
    from pdgov.warehouse import connect

    p = nights["planted"]
    with connect(read_only=True) as con:
        def files(row: list[str]) -> list[str]:
            # a punch's file is its hash in the ledger
            return [r[0] for r in con.execute(f"SELECT f.file_name FROM main.stg_punches JOIN main.ingest_files f "
                                              f"USING (file_sha256) WHERE {_where(row)}").fetchall()]

        assert files(p["only"]) == []  # the correction dropped it and no other file holds it
        assert files(p["overlap"]) == [f"{nights['agency']}_差勤刷卡_overlap.csv"]  # still held by the other file
        assert files(p["again"]) == [f"{p['again'][0]}_差勤刷卡_20261102.csv"]  # the later load wins
        assert all(files(r) == [f"{nights['agency']}_差勤刷卡_20261102.csv"] for r in p["new"])


def test_increment_decides_again_only_what_changed(nights):
    # the corrected file's rows (loaded again: len - 2), the new files' three, and the punch the
    # correction dropped that another file also holds (its superseding file is gone)
    assert nights["touched"] == len(nights["rows"]) - 2 + 3 + 1
    assert nights["touched"] < len(nights["first"])
    assert nights["touched_rerun"] == 0 and nights["rerun"] == nights["increment"]
    assert nights["touched_after_full"] == 0  # a full build drops the work table: its tests cover every row


def test_key_test_catches_a_duplicate_tonight_and_on_demand_anywhere(nights):
    """The key test can fail: a duplicated key among tonight's keys fails it; one elsewhere needs
    ``test_all_punches`` (the nightly test only reads the keys the build decided again)."""
    from pdgov.transform import dbt
    from pdgov.warehouse import connect

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PDGOV_HOME", str(nights["home"]))
        mp.setenv("PDGOV_HMAC_KEY", KEY)
        dbt.build(NEXT_DATE, "night-3", select=PUNCHES)  # an incremental build with a work table
        key = "agency_code, employee_no, punched_at, device_id, method"
        with connect() as con:
            assert con.execute("SELECT count(*) FROM main.base_punches_superseded__touched").fetchone()[0] == 0
            old = con.execute(f"SELECT {key} FROM main.stg_punches ORDER BY ALL LIMIT 1").fetchone()
            # the same punch once more in raw, on another line, unknown to base_punches_superseded
            con.execute("INSERT INTO raw.punches SELECT * REPLACE (_line_no + 1000000 AS _line_no) FROM raw.punches "
                        "WHERE agency_code = ? AND employee_no = ? AND punched_at = ? "
                        "AND nullif(device_id, '') IS NOT DISTINCT FROM ? AND method = ? LIMIT 1", old)
        test = ["test", "--select", "stg_punches,test_name:unique_in_latest_increment",
                "--vars", dbt.dbt_vars(NEXT_DATE, "night-3")]
        dbt.run(test)  # the duplicate is not among tonight's (no) keys
        with pytest.raises(dbt.DbtError, match="unique_in_latest_increment"):
            dbt.run([*test[:-2], "--vars", '{"as_of_date": "2026-11-03", "test_all_punches": true}'])
        with connect() as con:
            con.execute("INSERT INTO main.base_punches_superseded__touched VALUES (?, ?, ?, ?, ?)", old)
        with pytest.raises(dbt.DbtError, match="unique_in_latest_increment"):
            dbt.run(test)
