"""City-scale synthetic data: ~300 agencies, 70,000 staff, 2,000 devices, five years of punches.

Python row loops cannot write ~175 million punches in reasonable time, so the punch files are
produced by DuckDB (``COPY (SELECT … FROM range(n)) TO …``): streamed, in bounded memory, at
millions of rows a second, one file per agency per calendar year. Every punch is a pure function
of its row number (person, workday, on/off duty), so the files are byte-identical for a seed and
the planted facts (device load, people on the implicated model) are computed exactly from the
same expressions without reading the files back. The small sources reuse the demo writers.
"""

from __future__ import annotations

import random
import shutil
import sys
import time as _time
import zlib
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pdgov.config import SOURCES
from pdgov.synth.catalog import (
    BIOMETRIC_ZH,
    GIVEN,
    IMPLICATED_MODEL,
    METHOD_ZH,
    PLANTED_LISTS,
    PUNCH_HEADER,
    SURNAMES,
)
from pdgov.synth.dates import workdays_between
from pdgov.synth.demo import write_incident
from pdgov.synth.devices import device_rows, write_devices
from pdgov.synth.punches import write_bad_punches
from pdgov.synth.staff import Staff, fresh_id, write_roster
from pdgov.synth.webir import write_accounts, write_webir
from pdgov.synth.writer import Writer

N_AGENCIES = 300
STAFF = 70_000
DEVICES = 2_000


def city_agencies(n: int = N_AGENCIES) -> list[tuple[str, str]]:
    """The first ``n`` agencies of the city's agency list (the dbt seed ``city_agencies``): codes of
    ten characters (nine digits + a letter) with their zh-TW names, the real codes first.

    Read from the seed, not made up here, so every agency the generator emits has a name in the
    workbooks and the dashboard; the seed's ``placeholder`` rows stand in for agencies whose
    official codes are not in the repository yet.
    """
    import csv

    from pdgov.config import DBT_PROJECT_DIR

    with open(DBT_PROJECT_DIR / "seeds" / "agencies" / "city_agencies.csv", encoding="utf-8", newline="") as fh:
        rows = [(r["agency_code"], r["agency_name"]) for r in csv.DictReader(fh)]
    if n > len(rows):
        raise ValueError(f"the city's agency list has {len(rows)} agencies, not {n}")
    return rows[:n]


def _cls_sql(person: str, agency_seed: int) -> str:
    """How a person punches, 0–9: <7 biometrics on a device, 7 card, 8 TAIPEI-ON app, 9 WebITR."""
    return f"CAST(hash({person} * 31 + {agency_seed}) % 10 AS INTEGER)"


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _stamp_sql(days: list[date], k: str, sec: str, roc: bool, h: str) -> str:
    """打卡時間 text: the workday from a literal list (no per-row date formatting), then the clock time.

    Big5 files carry ROC dates (`115/10/05 08:01:23`) on four rows in five and Gregorian on the
    rest, as mixed exports do. Workday lists are at most a year or so long, so literals stay small.
    """
    clock = f"CAST(TIME '00:00:00' + to_seconds(CAST({sec} AS BIGINT)) AS VARCHAR)"
    greg = f"{_sql_list([d.isoformat() for d in days])}[{k} + 1]"
    if not roc:
        return f"{greg} || ' ' || {clock}"
    roc_list = _sql_list([f"{d.year - 1911}/{d.month:02d}/{d.day:02d}" for d in days])
    return f"CASE WHEN {h} % 5 = 0 THEN {greg} ELSE {roc_list}[{k} + 1] END || ' ' || {clock}"


# on duty 07:30–08:30, off duty 17:10–18:15 (seconds after midnight)
_SECONDS = "CASE WHEN p = 0 THEN 27000 + h % 3600 ELSE 61800 + h % 3900 END"


def agency_punch_sql(code: str, emp_prefix: str, staff: int, agency_seed: int, period_seed: int,
                     workdays: list[date], dev_ids: list[str], dev_methods: list[str], card_ok: list[bool],
                     roc: bool) -> str:
    """All punches of one agency on `workdays`, in row order.

    Row i is person (i // 2) % staff on workday i // (2 * staff), on duty when i is even; how a
    person punches depends on `agency_seed` only, the minutes on `period_seed` too. Only
    integers, dates and our own code/ID literals are interpolated: nothing read from outside.
    """
    idx = f"(s % {len(dev_ids)} + 1)"
    card = "[" + ", ".join("true" if c else "false" for c in card_ok) + "]"
    return f"""
        SELECT '{code}' AS "機關代碼",
               printf('{emp_prefix}%04d', s + 1) AS "員工編號",
               {_stamp_sql(workdays, "k", _SECONDS, roc, "h")} AS "打卡時間",
               CASE WHEN cls < 8 THEN {_sql_list(dev_ids)}[{idx}] ELSE '' END AS "設備編號",
               CASE WHEN cls < 7 OR (cls = 7 AND NOT {card}[{idx}])
                         THEN {_sql_list(dev_methods)}[{idx}]
                    WHEN cls = 7 THEN '卡片' WHEN cls = 8 THEN '行動打卡' ELSE 'WebITR' END AS "辨識方式"
        FROM (
            SELECT i % 2 AS p, (i // 2) % {staff} AS s, i // {2 * staff} AS k,
                   {_cls_sql(f"((i // 2) % {staff})", agency_seed)} AS cls,
                   hash(i + {period_seed}) AS h
            FROM range({staff * 2 * len(workdays)}) t(i)
        )
    """


# The punch SQL emits ASCII except these words, so Big5 is a few byte replacements per chunk
# instead of decoding and re-encoding ~55 bytes a row in Python.
_TO_CP950 = sorted(((w.encode("utf-8"), w.encode("cp950")) for w in {*PUNCH_HEADER, *METHOD_ZH.values()}
                    if not w.isascii()), key=lambda pair: -len(pair[0]))


def _copy(con, sql: str, path: Path, encoding: str, tmp: Path) -> None:
    """COPY a SELECT to CSV; Big5 (CRLF, as Windows exports) and BOM files get one streamed pass."""
    if encoding == "utf-8":
        con.execute(f"COPY ({sql}) TO '{path.as_posix()}' (HEADER, DELIMITER ',')")
        return
    con.execute(f"COPY ({sql}) TO '{tmp.as_posix()}' (HEADER, DELIMITER ',')")
    with open(tmp, "rb") as src, open(path, "wb") as dst:
        if encoding == "cp950":
            while chunk := src.read(1 << 22):
                chunk += src.readline()  # whole lines: never split a multi-byte word
                for utf8, big5 in _TO_CP950:
                    chunk = chunk.replace(utf8, big5)
                dst.write(chunk.replace(b"\n", b"\r\n"))
        elif encoding == "utf-8-sig":
            dst.write(b"\xef\xbb\xbf")
            shutil.copyfileobj(src, dst, 1 << 22)
        else:
            raise ValueError(f"unsupported encoding {encoding!r} (utf-8, utf-8-sig, cp950)")
    tmp.unlink()


def _connect():
    import duckdb

    con = duckdb.connect()
    # Two threads and a memory cap keep a city run polite on a shared machine; COPY streams.
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET preserve_insertion_order = true")
    return con


def punch_csv(path: Path, rows: int, seed: int = 7, encoding: str = "utf-8") -> int:
    """One large punch export (for the ingest benchmark): zh-TW headers, `rows` rows.

    Rows sweep the city agency by agency (233 staff each, two punches a workday, workdays from
    2021-01-04); a Big5 (cp950) file carries mostly ROC dates, as Taiwanese systems export them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    per = STAFF // N_AGENCIES
    per_day = 2 * per * N_AGENCIES
    days = workdays_between(date(2021, 1, 4), date(2021, 1, 4) + timedelta(days=7 * (int(rows) // per_day // 5 + 2)))
    sql = f"""
        SELECT printf('3790%05d', a) || chr(CAST(65 + a % 26 AS INTEGER)) AS "機關代碼",
               printf('%03d%04d', a, s + 1) AS "員工編號",
               {_stamp_sql(days, "k", _SECONDS, encoding == "cp950", "h")} AS "打卡時間",
               CASE WHEN cls < 8 THEN printf('D%05d%02d', a, s % 6 + 1) ELSE '' END AS "設備編號",
               CASE WHEN cls < 7 THEN ['指紋', '臉部', '指靜脈', '掌形', '指紋', '臉部'][s % 6 + 1]
                    WHEN cls = 7 THEN '卡片' WHEN cls = 8 THEN '行動打卡' ELSE 'WebITR' END AS "辨識方式"
        FROM (
            SELECT i % 2 AS p, (i // 2) % {per} AS s, (i // {2 * per}) % {N_AGENCIES} AS a, i // {per_day} AS k,
                   {_cls_sql(f"(i // 2) % {per}", seed)} AS cls, hash(i + {seed}) AS h
            FROM range({int(rows)}) t(i)
        )
    """
    con = _connect()
    try:
        _copy(con, sql, path, encoding, path.with_name(path.name + ".utf8.tmp"))
    finally:
        con.close()
    return int(rows)


def _periods(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar-year slices of [start, end], inclusive."""
    out, y = [], start
    while y <= end:
        last = min(end, date(y.year, 12, 31))
        out.append((y, last))
        y = last + timedelta(days=1)
    return out


def generate_city(home: Path, seed: int, end: date, years: float = 5.0, n_agencies: int = N_AGENCIES,
                  staff_total: int = STAFF, devices_total: int = DEVICES, progress=None) -> dict:
    """Write the whole city; `years` trims the punch history (benchmarks use a fraction)."""
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    rng = random.Random(seed)
    w = Writer(home)
    agencies = city_agencies(n_agencies)
    planted: dict = {k: [] for k in PLANTED_LISTS}
    planted["implicated_model"] = IMPLICATED_MODEL

    # staff and roster: employee numbers are <agency index><4 digits>, unique citywide
    staff_of = [staff_total // n_agencies + (1 if i < staff_total % n_agencies else 0) for i in range(n_agencies)]
    staff: list[Staff] = []
    taken: set[str] = set()
    for ai, (code, _name) in enumerate(agencies):
        for k in range(staff_of[ai]):
            emp = f"{ai:03d}{k + 1:04d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            staff.append(Staff(code, emp, name, fresh_id(rng, taken, "ABCDEFGHJK"), f"u{emp}@mail.taipei.example",
                               None, "app"))
    write_roster(w, rng, agencies, staff)
    say(f"pdgov synth city: roster of {len(staff):,} staff in {n_agencies} agencies")

    dev_of = [devices_total // n_agencies + (1 if i < devices_total % n_agencies else 0) for i in range(n_agencies)]
    devices, method_of = device_rows(agencies, planted, dev_of)
    model_of = {r[0]: r[2] for r in devices}

    # punches, one file per agency per calendar year, written by DuckDB
    start = end - timedelta(days=round(years * 365.25))
    periods = [(p0, p1, workdays_between(p0, p1)) for p0, p1 in _periods(start, end)]
    scope_from = datetime.combine(end - timedelta(days=30), time(0))
    scope_to = datetime.combine(end, time(23, 59, 59))
    per_device: dict[str, int] = {}
    people_on_implicated = 0
    con = _connect()
    tmp = home / "landing" / "punches" / ".synth.tmp"
    (home / "landing" / "punches").mkdir(parents=True, exist_ok=True)
    t0 = _time.monotonic()
    total = 0
    n_workdays = sum(len(wd) for *_, wd in periods)
    expected_total = 2 * sum(staff_of) * n_workdays
    punches_in_scope = any(scope_from.date() <= d for d in periods[-1][2])
    try:
        agency_meta = []
        for ai, (code, _name) in enumerate(agencies):
            aseed = (seed * 1_000_003 + zlib.crc32(code.encode())) % 2_147_483_647
            dev_ids = [r[0] for r in devices if r[1] == code]
            methods = [BIOMETRIC_ZH[method_of[d]] for d in dev_ids]
            card_ok = [model_of[d] != IMPLICATED_MODEL for d in dev_ids]
            # how each person punches, from the very expression the punch SQL uses
            classes = [c for (c,) in con.execute(
                f"SELECT {_cls_sql('s', aseed)} FROM range({staff_of[ai]}) t(s) ORDER BY s").fetchall()]
            agency_meta.append((code, ai, aseed, dev_ids, methods, card_ok, classes))
            for s, c in enumerate(classes):
                if c < 8:  # punches on a device every workday of every period
                    dev = dev_ids[s % len(dev_ids)]
                    per_device[dev] = per_device.get(dev, 0) + 2 * n_workdays
                    if model_of[dev] == IMPLICATED_MODEL and punches_in_scope:
                        people_on_implicated += 1
        for p0, p1, wd in periods:
            if not wd:
                continue
            for code, ai, aseed, dev_ids, methods, card_ok, _classes in agency_meta:
                enc = ["utf-8", "cp950", "utf-8-sig"][ai % 3]
                sql = agency_punch_sql(code, f"{ai:03d}", staff_of[ai], aseed, aseed + p0.year, wd,
                                       dev_ids, methods, card_ok, roc=enc == "cp950")
                path = home / "landing" / "punches" / f"{code}_差勤刷卡_{p0:%Y%m%d}_{p1:%Y%m%d}.csv"
                _copy(con, sql, path, enc, tmp)
                rows = staff_of[ai] * 2 * len(wd)
                w._record("punches", path, "csv", enc, rows, "accepted", None)
                total += rows
            rate = total / max(_time.monotonic() - t0, 1e-9)
            say(f"pdgov synth city: punches {p0}..{p1}: {total:,}/{expected_total:,} rows "
                f"({rate:,.0f} rows/s, ETA {(expected_total - total) / max(rate, 1):,.0f}s)")
    finally:
        con.close()
    first_dev = next(r for r in devices if model_of[r[0]] != IMPLICATED_MODEL)
    write_bad_punches(w, Staff(agencies[0][0], "0000001", "", "", "", first_dev[0], method_of[first_dev[0]]))
    write_devices(w, end, devices, per_device, planted)
    planted["people_punched_on_implicated_model"] = people_on_implicated

    accounts = write_accounts(w, rng, agencies, staff, end, planted)
    webir_counts = write_webir(w, rng, agencies, staff, accounts, end, planted, spread=37)
    planted["incident_ids"].append(write_incident(w, end, scope_from, scope_to))

    expected: dict[str, int] = {}
    for f in w.files:
        if f["expect"] == "accepted":
            expected[f["source"]] = expected.get(f["source"], 0) + f["rows"]
    return {
        "agencies": [{"agency_code": c, "name": n} for c, n in agencies],
        "files": w.files,
        "expected_rows": {s: expected.get(s, 0) for s in SOURCES},
        "planted": planted,
        "webir_counts": webir_counts,
        "staff": len(staff),
    }
