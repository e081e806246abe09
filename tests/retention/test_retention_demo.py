"""`pdgov demo` shows a deletion: it plants a late delivery of punches past five years (demo.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

from pdgov.retention.demo import MONTHS_BACK, plant_old_punches
from pdgov.synth import generate


def test_demo_plants_a_due_month_from_the_first_utf8_delivery(tmp_path):
    home = tmp_path / "home"
    generate(home, "demo", 7, date(2026, 11, 21))
    out = plant_old_punches(home, rows=5)
    assert out is not None and out.name == "379000000A_差勤刷卡_補件_202108.csv"
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    src = next(home.glob("landing/punches/379000000A_差勤刷卡_202610.csv"))
    original = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8"))))
    assert rows[0] == original[0] and len(rows) == 6
    for new, old in zip(rows[1:], original[1:6], strict=True):
        assert new[:2] == old[:2] and new[3:] == old[3:]  # same agency, person, device, method
        assert new[2][:7] == "2021-08" and new[2][7:] == old[2][7:]  # 62 months earlier, same day and time
    assert MONTHS_BACK == 62  # 2021-08 is past five years and past its delete_by (2026-09-01) on 2026-11-22
