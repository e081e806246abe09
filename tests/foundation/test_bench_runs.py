"""The ingest benchmark and its profiler still run (tiny file): figures in the README come from
them, so they must not rot between the sessions that run them at full size."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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
