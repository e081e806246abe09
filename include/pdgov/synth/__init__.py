"""Synthetic landing data for every source (SPEC §2), seeded, from a small demo to the whole city.

The manifest (``synth_manifest.json``) records what was actually written — files, encodings,
row counts, planted bad files and planted facts — so other parts' tests compare the warehouse
with the truth rather than with an intention. Same seed and arguments ⇒ byte-identical files.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from pdgov import __version__, clock

SCALES = ("demo", "city")


def generate(home: Path, scale: str = "demo", seed: int = 7, end: date | None = None,
             history_years: float | None = None, years: float | None = None) -> dict:
    """Write landing files under ``home/landing/<source>/``; save and return the manifest.

    ``demo``: 5 agencies, 300 staff, one month of punches (plus sparse history back
    ``history_years``). ``city``: 300 agencies, 70,000 staff, 2,000 devices and ``years``
    (default ``history_years`` or 5) of full punch history, written by DuckDB.
    """
    end = end or clock.today() - timedelta(days=1)
    home = Path(home)
    if scale == "demo":
        from pdgov.synth.demo import generate_demo

        body = generate_demo(home, seed, end, history_years=history_years)
    elif scale == "city":
        from pdgov.synth.city import generate_city

        body = generate_city(home, seed, end, years=years or history_years or 5.0)
    else:
        raise ValueError(f"unknown scale {scale!r} (one of {', '.join(SCALES)})")
    manifest = {"seed": seed, "scale": scale, "end": end.isoformat(), "generated_by": f"pdgov synth {__version__}",
                **body}
    (home / "synth_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def punch_csv(path: Path, rows: int, seed: int = 7, encoding: str = "utf-8") -> int:
    """One big punch CSV with zh-TW headers (ingest benchmarks: 1 M and 10 M rows); returns rows."""
    from pdgov.synth.city import punch_csv as _punch_csv

    return _punch_csv(path, rows, seed, encoding)


__all__ = ["generate", "punch_csv", "SCALES"]
