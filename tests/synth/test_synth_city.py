"""City-scale generation, shrunk: the DuckDB punch writer must agree with the manifest it claims."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from pdgov.synth import punch_csv
from pdgov.synth.catalog import METHOD_ZH, PUNCH_HEADER
from pdgov.synth.city import city_agencies, generate_city

END = date(2026, 11, 21)
METHODS = set(METHOD_ZH.values())


def _small_city(home: Path) -> dict:
    return generate_city(home, 7, END, years=1.2, n_agencies=6, staff_total=90, devices_total=20,
                         progress=lambda _msg: None)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("city")
    return home, _small_city(home)


def _day(stamp: str) -> date:
    y, mo, d = (int(x) for x in stamp.split(" ")[0].replace("/", "-").split("-"))
    return date(y + 1911 if y < 1911 else y, mo, d)


def _csv(home: Path, f: dict) -> list[list[str]]:
    return list(csv.reader(io.StringIO((home / f["path"]).read_bytes().decode(f["encoding"]))))


def test_city_agency_codes_are_unique_and_well_formed():
    agencies = city_agencies()
    assert len(agencies) == 300 == len({c for c, _ in agencies}) == len({n for _, n in agencies})
    assert all(len(c) == 10 and c[:9].isdigit() and c[9].isupper() for c, _ in agencies)


def test_city_punch_files_match_manifest_and_inventory(city):
    home, m = city
    from openpyxl import load_workbook

    inv = next(f for f in m["files"] if f["source"] == "devices" and f["expect"] == "accepted")
    ws = load_workbook(home / inv["path"], read_only=True).active
    devices = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(devices) == 20 == m["expected_rows"]["devices"]
    per_device: Counter = Counter()
    total = 0
    encodings = Counter()
    for f in m["files"]:
        if f["source"] != "punches" or f["expect"] != "accepted":
            continue
        rows = _csv(home, f)
        assert rows[0] == PUNCH_HEADER
        assert len(rows) - 1 == f["rows"]
        total += f["rows"]
        encodings[f["encoding"]] += 1
        if f["encoding"] == "cp950":
            assert sum(r[2][:4] == "115/" or r[2][:4] == "114/" for r in rows[1:]) > 0.6 * f["rows"]
            assert (home / f["path"]).read_bytes().count(b"\r\n") == f["rows"] + 1
        if f["encoding"] == "utf-8-sig":
            assert (home / f["path"]).read_bytes().startswith(b"\xef\xbb\xbf")
        per_person_day = Counter((r[1], _day(r[2])) for r in rows[1:])
        assert set(per_person_day.values()) == {2}
        for r in rows[1:]:
            assert r[4] in METHODS
            assert (r[3] == "") == (r[4] in ("行動打卡", "WebITR"))
            if r[3]:
                per_device[r[3]] += 1
                if devices[r[3]][2] == "FACE8":
                    assert r[4] in ("臉部", "指紋")
    assert total == m["expected_rows"]["punches"]
    assert set(encodings) == {"utf-8", "cp950", "utf-8-sig"}
    assert set(per_device) <= set(devices)
    over = sorted(d for d, r in devices.items() if per_device[d] > int(r[17]))
    assert over == m["planted"]["over_capacity_devices"]
    assert m["planted"]["people_punched_on_implicated_model"] > 0


def test_city_is_deterministic(city, tmp_path):
    home, m = city
    m2 = _small_city(tmp_path)
    assert m2 == m
    for f in m["files"]:
        assert (tmp_path / f["path"]).read_bytes() == (home / f["path"]).read_bytes(), f["path"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_punch_csv_writes_exactly_the_rows_asked(tmp_path, encoding):
    path = tmp_path / f"p_{encoding}.csv"
    assert punch_csv(path, 2001, seed=3, encoding=encoding) == 2001
    raw = path.read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode(encoding))))
    assert rows[0] == PUNCH_HEADER and len(rows) == 2002
    assert all(r[4] in METHODS for r in rows[1:])
    assert len({r[0] for r in rows[1:]}) == 5  # 2001 rows sweep 466 rows per agency
    if encoding == "cp950":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert rows[1][2].startswith("110/01/04 ") or rows[1][2].startswith("2021-01-04 ")
    punch_csv(tmp_path / "again.csv", 2001, seed=3, encoding=encoding)
    assert (tmp_path / "again.csv").read_bytes() == raw
