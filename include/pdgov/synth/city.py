"""City-scale synthetic data: ~300 agencies, 70,000 staff, 2,000 devices, five years of punches.

Python row loops cannot write ~175 million punches in reasonable time, so the punch files are
produced by DuckDB (``COPY (SELECT … FROM range(n)) TO …``): streamed, in bounded memory, at
several million rows a second. The smaller sources reuse the demo writer so they look the same.
"""

from __future__ import annotations

import random
import time as _time
import zlib
from datetime import date, timedelta
from pathlib import Path

from pdgov.synth import national_ids
from pdgov.synth.demo import (
    ACCOUNT_HEADER,
    DEVICE_HEADER,
    DEVICE_TYPES,
    MODEL_OF,
    ROSTER_HEADER,
    Writer,
)

N_AGENCIES = 300
STAFF = 70_000
DEVICES = 2_000
METHODS_ZH = ["指紋", "臉部", "指靜脈", "掌形", "卡片", "行動打卡", "WebITR"]


def agency_code(i: int) -> str:
    return f"3790{i:05d}{chr(ord('A') + i % 26)}"


def _punch_select(rows: int, seed: int, start: date, days: int, agency: str | None, staff: int,
                  devices_per_agency: int = 7) -> str:
    """SQL for `rows` punches: two a workday per person, local Asia/Taipei wall-clock time."""
    agency_expr = f"'{agency}'" if agency else f"printf('3790%05dA', (i // 2 // {max(staff, 1)}) % {N_AGENCIES})"
    # Only integers, dates and the caller's agency code are interpolated: nothing from outside.
    return f"""
        SELECT {agency_expr} AS "機關代碼",
               printf('%07d', (i // 2) % {staff}) AS "員工編號",
               strftime(TIMESTAMP '{start.isoformat()} 00:00:00'
                    + to_days(CAST(((i // 2 // {staff}) * 7 // 5) % {days} AS INTEGER))
                    + to_seconds(CAST(CASE WHEN i % 2 = 0 THEN 28800 ELSE 63000 END
                                 + CAST(hash(i + {seed}) % 3600 AS BIGINT) - 1800 AS BIGINT)),
                    '%Y-%m-%d %H:%M:%S') AS "打卡時間",
               CASE WHEN hash(i // 2 + {seed}) % 10 < 8
                    THEN printf('D%s%02d', substr({agency_expr}, 4, 4), CAST(hash(i // 2) % {devices_per_agency} AS BIGINT))
                    ELSE '' END AS "設備編號",
               CASE WHEN hash(i // 2 + {seed}) % 10 < 8
                    THEN ['指紋','臉部','指靜脈','掌形','卡片'][CAST(1 + hash(i // 2 + {seed} * 3) % 5 AS BIGINT)]
                    ELSE ['行動打卡','WebITR'][CAST(1 + hash(i) % 2 AS BIGINT)] END AS "辨識方式"
        FROM range({rows}) t(i)
    """


def punch_csv(path: Path, rows: int, seed: int = 7, encoding: str = "utf-8") -> int:
    """One large punch export (for the ingest benchmark): zh-TW headers, `rows` rows."""
    import duckdb

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        target = path if encoding in ("utf-8", "utf8") else path.with_suffix(".utf8.tmp")
        sql = _punch_select(rows, seed, date(2021, 1, 4), 5 * 365, None, 70_000)
        con.execute(f"COPY ({sql}) TO '{target.as_posix()}' (HEADER, DELIMITER ',')")
    finally:
        con.close()
    if target != path:
        with open(target, encoding="utf-8") as src, open(path, "w", encoding=encoding, newline="") as dst:
            while chunk := src.read(1 << 22):
                dst.write(chunk)
        target.unlink()
    return rows


def generate_city(home: Path, seed: int, end: date, years: float = 5.0) -> dict:
    import duckdb

    rng = random.Random(seed)
    w = Writer(home)
    start = end - timedelta(days=int(years * 365))
    agencies = [(agency_code(i), f"臺北市政府所屬機關{i:03d}") for i in range(N_AGENCIES)]
    per_agency = STAFF // N_AGENCIES
    # roster
    roster = []
    for code, _ in agencies:
        for k in range(per_agency):
            roster.append([code, f"{k:07d}", national_ids.make(rng, rng.choice("ABCDEFGHJK")), "員工",
                           f"u{code[4:9]}{k:04d}@mail.taipei.example"])
    for a0 in range(0, N_AGENCIES, 50):
        w.csv("roster", f"員工名冊_{a0:03d}.csv", ROSTER_HEADER, roster[a0 * per_agency:(a0 + 50) * per_agency])
    # devices (about 7 per agency)
    devices = []
    for i in range(DEVICES):
        code = agencies[i % N_AGENCIES][0]
        brand, bcountry, vendor, origin, board, chip, kind = DEVICE_TYPES[i % len(DEVICE_TYPES)]
        devices.append([f"D{code[3:7]}{i // N_AGENCIES:02d}", code, MODEL_OF[brand], vendor, brand, bcountry,
                        origin, board, chip, "指紋;卡片", "是", "RJ-45", "TCP/IP", "是", "否",
                        {"approved": "核准", "rejected": "不核准"}.get(kind, "待審"), "2021-03-01", 20000, "機房"])
    w.xlsx("devices", f"差勤設備清冊_{end:%Y%m%d}.xlsx", DEVICE_HEADER, devices)
    # accounts
    accounts = [[f"{code[:6].lower()}u{k:02d}", f"{k:07d}", code, "使用者", "啟用", "2022-01-10",
                 f"{end:%Y-%m-%d} 10:00:00", "在職"] for code, _ in agencies for k in range(3)]
    w.csv("webir_accounts", f"WebIR帳號清冊_{end:%Y%m%d}.csv", ACCOUNT_HEADER, accounts)
    # punches: one file per agency per year, written by DuckDB
    con = duckdb.connect()
    workdays_per_year = 250
    t0 = _time.monotonic()
    total = 0
    y0 = start
    while y0 < end:
        y1 = min(end, y0 + timedelta(days=365))
        days = (y1 - y0).days
        rows = per_agency * 2 * (days * workdays_per_year // 365)
        for code, _ in agencies:
            path = home / "landing" / "punches" / f"{code}_差勤刷卡_{y0:%Y%m%d}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            sql = _punch_select(rows, seed + zlib.crc32(code.encode()) % 1000, y0, max(days, 1), code, per_agency)
            con.execute(f"COPY ({sql}) TO '{path.as_posix()}' (HEADER, DELIMITER ',')")
            w._record("punches", path, "csv", "utf-8", rows, "accepted", None)
            total += rows
        print(f"pdgov synth city: punches up to {y1}: {total:,} rows ({total / (_time.monotonic() - t0):,.0f} rows/s)",
              flush=True)
        y0 = y1
    con.close()
    expected: dict[str, int] = {}
    for f in w.files:
        expected[f["source"]] = expected.get(f["source"], 0) + f["rows"]
    return {
        "agencies": [{"agency_code": c, "name": n} for c, n in agencies],
        "files": w.files,
        "expected_rows": {s: expected.get(s, 0) for s in
                          ("punches", "devices", "webir", "webir_accounts", "roster", "incidents")},
        "planted": {},
        "staff": len(roster),
    }
