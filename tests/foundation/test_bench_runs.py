"""The ingest benchmark and its profiler still run (tiny file): figures in the README come from
them, so they must not rot between the sessions that run them at full size."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(script: str, *args: str) -> str:
    out = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_bench_ingest_measures_all_three_paths_and_says_what_4x_means():
    out = _run("bench_ingest.py", "--rows", "20000")
    for path in ("duckdb", "pandas+pandera", "pdgov"):
        assert re.search(rf"^{re.escape(path)}\s+\d+\.\d+ M rows/s", out, re.M), out
    assert re.search(r"4x the pandas path is \d+\.\d+x DuckDB's own no-check load", out), out
    assert "pdgov Big5 file" in out


def test_profile_ingest_loads_the_file_and_times_its_statements():
    out = _run("profile_ingest.py", "--rows", "20000", "--min-ms", "0")
    assert "20,000 rows loaded" in out, out
    for step in ("sniff()", "INSERT INTO raw.punches", "pandera_gate()", "COMMIT", "close (checkpoint)"):
        assert step in out, (step, out)


def test_bench_backfill_believes_a_night_only_when_the_ledger_shows_that_run(tmp_path, monkeypatch):
    """Issue 21: an exit code of 0 whose run is not the ledger's successful row for that night (a run
    that died before start_run, reported with the night before's success) must stop the bench."""
    import importlib.util
    from datetime import date, datetime, timedelta

    from pdgov.warehouse import connect

    spec = importlib.util.spec_from_file_location("bench_backfill", BENCH / "bench_backfill.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    home, day = tmp_path / "pdgov_home", date(2026, 11, 2)
    monkeypatch.setenv("PDGOV_HOME", str(home))
    now = datetime.now(bench.TAIPEI).replace(tzinfo=None)
    with connect(path=home / "warehouse" / "pdgov.duckdb") as con:
        con.executemany("INSERT INTO main.run_ledger (run_id, logical_date, started_at, status) VALUES (?, ?, ?, ?)",
                        [["manual__yesterday", day, now - timedelta(days=1), "success"],
                         ["manual__failed", day, now + timedelta(minutes=1), "failed"]])

    def says(run_id):
        monkeypatch.setattr(bench, "pdgov", lambda *a: (1.0, f"pdgov: run {run_id} success in 1s\n"))

    for lie in ("manual__yesterday", "manual__failed", "manual__unknown"):
        says(lie)
        with pytest.raises(SystemExit, match="ledger does not show"):
            bench.night(home, day)
    monkeypatch.setattr(bench, "pdgov", lambda *a: (1.0, "pdgov: error: something\n"))
    with pytest.raises(SystemExit, match="without reporting a successful run"):
        bench.night(home, day)
    with connect(path=home / "warehouse" / "pdgov.duckdb") as con:
        con.execute("INSERT INTO main.run_ledger (run_id, logical_date, started_at, status) VALUES "
                    "('manual__tonight', ?, ?, 'success')", [day, now + timedelta(minutes=2)])
    says("manual__tonight")
    assert bench.night(home, day) == 1.0
