"""What the dashboard shows: one function per tile, each taking (as_of, agency).

``agency`` None is the whole city (committee staff); a code limits every count to that agency.
Every tile reads the night of ``as_of`` through ``reading`` — today the Parquet snapshot that
night's ``write_exports`` left (``pdgov.ui.snapshot``), or, for the latest night of a home that
has none yet, the warehouse on a short read-only connection. Dated governance history can take
the snapshot's place inside ``reading`` without touching a tile. A tile whose table the night did
not have returns None and is left off the page (audit findings and missing deliveries appear
when the models that build them exist).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import duckdb

from pdgov import clock
from pdgov.config import paths
from pdgov.exports.sheets import (
    ACCOUNT_FINDING,
    DEADLINE_STATUS,
    DEVICE_STATUS,
    SAMPLE_KIND,
    Sheet,
    sheet_of,
)
from pdgov.ui.snapshot import ABOUT, TABLES, snapshot_dir

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REPORT_HOURS = 4  # seed 002 §45 as the incident clock counts it


class Unavailable(Exception):
    """No data for the date: the message says why (no snapshot; the warehouse is being written)."""


@dataclass
class Bar:
    label: str
    value: int
    level: str | None = None  # "violation" / "warning" / None, as the workbooks colour rows
    filter: str | None = None  # the code the rows page filters on


@dataclass
class Clock:
    incident_id: str
    known_at: datetime
    due_at: datetime
    sent_at: datetime | None
    status: str
    people: int
    minutes_left: int  # negative: overdue by that many minutes


@dataclass
class Tile:
    key: str
    title: str
    headline: str
    caption: str
    bars: list[Bar] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)
    note: str = ""


# ----------------------------------------------------------------------------------- the source

def dates() -> list[date]:
    """Days with a dashboard snapshot or workbooks, newest first: the dates a user may choose."""
    root = paths().exports
    found = set()
    if root.is_dir():
        for d in root.iterdir():
            if d.is_dir() and DAY.match(d.name) and ((d / "dashboard" / ABOUT).exists() or any(d.rglob("*.xlsx"))):
                found.add(date.fromisoformat(d.name))
    return sorted(found, reverse=True)


def about(as_of: date) -> dict:
    f = snapshot_dir(as_of) / ABOUT
    return json.loads(f.read_text(encoding="utf-8")) if f.exists() else {}


def warehouse_busy() -> str | None:
    """Why the warehouse cannot be read now (a night or a declaration holds it), or None."""
    p = paths()
    if not p.warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(p.warehouse), read_only=True)
    except duckdb.Error:
        return "夜間作業或事件宣告進行中（倉儲寫入中）"
    try:
        row = con.execute("SELECT logical_date FROM main.run_ledger WHERE status = 'running' "
                          "ORDER BY started_at DESC LIMIT 1").fetchone()
    except duckdb.Error:
        row = None
    finally:
        con.close()
    return f"{row[0]} 之夜間作業進行中" if row else None


@contextmanager
def reading(as_of: date) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose ``main`` schema holds the night of ``as_of`` (the tiles' only door)."""
    snap = snapshot_dir(as_of)
    if (snap / ABOUT).exists():
        con = duckdb.connect()  # in memory: views over the night's Parquet files, no lock anywhere
        try:
            con.execute("SET TimeZone='Asia/Taipei'")
            for f in sorted(snap.glob("*.parquet")):
                if f.stem not in TABLES:  # only what pdgov.ui.snapshot writes becomes a table name
                    continue
                con.execute(f"CREATE VIEW main.\"{f.stem}\" AS SELECT * FROM read_parquet('{_sql(f)}')")
            yield con
        finally:
            con.close()
        return
    p = paths()
    latest = dates()[:1]
    if not p.warehouse.exists() or latest != [as_of]:
        raise Unavailable(f"{as_of} 無儀表板資料（該日之夜間作業未留下快照），請下載當日活頁簿")
    try:  # the latest night of a home written before snapshots existed: the warehouse, briefly
        con = duckdb.connect(str(p.warehouse), read_only=True)
    except duckdb.Error as exc:
        raise Unavailable("夜間作業進行中（倉儲寫入中），請稍後重新整理") from exc
    try:
        yield con
    finally:
        con.close()


def _sql(path) -> str:
    return path.as_posix().replace("'", "''")


def _tables(con) -> set[str]:
    return {t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}


def _where(agency: str | None, column: str = "agency_code") -> tuple[str, list]:
    return (f"WHERE {column} = ?", [agency]) if agency else ("", [])


def _counts(con, table: str, column: str, agency: str | None) -> dict[str, int]:
    where, params = _where(agency)
    return dict(con.execute(f'SELECT "{column}", count(*) FROM main."{table}" {where} GROUP BY 1', params).fetchall())


def _bars(counts: dict[str, int], words: dict[str, str], levels: dict[str, str]) -> list[Bar]:
    order = list(words) + sorted(k for k in counts if k not in words and k is not None)
    return [Bar(words.get(k, str(k)), counts[k], levels.get(k), k) for k in order if counts.get(k)]


def agencies(as_of: date) -> list[tuple[str, str]]:
    """(code, name) of every agency in the night's data, for the agency picker."""
    with reading(as_of) as con:
        have = _tables(con)
        parts = [f'SELECT agency_code FROM main."{t}"' for t in
                 ("device_compliance", "deletion_deadlines", "webir_audit_samples", "webir_account_review")
                 if t in have]
        if not parts:
            return []
        names = "LEFT JOIN main.city_agencies a USING (agency_code)" if "city_agencies" in have else ""
        name = "a.agency_name" if names else "NULL"
        return [(c, n or "") for c, n in con.execute(
            f"SELECT DISTINCT u.agency_code, {name} FROM ({' UNION '.join(parts)}) u {names} "
            "WHERE u.agency_code IS NOT NULL ORDER BY 1").fetchall()]


# ----------------------------------------------------------------------------------- the tiles

def devices(as_of: date, agency: str | None) -> Tile | None:
    with reading(as_of) as con:
        if "device_compliance" not in _tables(con):
            return None
        counts = _counts(con, "device_compliance", "status", agency)
    bad = counts.get("prohibited", 0) + counts.get("rejected", 0)
    levels = {"prohibited": "violation", "rejected": "violation", "flagged": "warning", "suspended": "warning"}
    return Tile("devices", "生物特徵差勤設備", f"{bad} 台禁止使用或不核准",
                f"共 {sum(counts.values())} 台，依合規狀態", _bars(counts, DEVICE_STATUS, levels))


def deadlines(as_of: date, agency: str | None) -> Tile | None:
    with reading(as_of) as con:
        if "deletion_deadlines" not in _tables(con):
            return None
        counts = _counts(con, "deletion_deadlines", "status", agency)
    levels = {"overdue": "violation", "due": "warning"}
    return Tile("deadlines", "刪除期限", f"{counts.get('overdue', 0)} 批逾期未刪除，{counts.get('due', 0)} 批屆期待刪除",
                f"共 {sum(counts.values())} 批資料，依狀態", _bars(counts, DEADLINE_STATUS, levels))


def samples(as_of: date, agency: str | None) -> Tile | None:
    """Samples drawn per month and kind; with audit findings (``webir_audit_findings``), how many audited."""
    with reading(as_of) as con:
        have = _tables(con)
        if "webir_audit_samples" not in have:
            return None
        where, params = _where(agency, "s.agency_code")
        audited = ("count(DISTINCT f.query_key)", "LEFT JOIN main.webir_audit_findings f ON f.query_key = s.query_key") \
            if "webir_audit_findings" in have else ("NULL", "")
        rows = con.execute(
            f"SELECT strftime(s.audit_month, '%Y-%m'), s.sample_kind, count(DISTINCT s.query_key), {audited[0]} "
            f"FROM main.webir_audit_samples s {audited[1]} {where} GROUP BY 1, 2 ORDER BY 1, 2 DESC", params).fetchall()
    bars = [Bar(f"{month} {SAMPLE_KIND.get(kind, kind)}", n, "violation" if kind == "flagged" else None, kind)
            for month, kind, n, _ in rows]
    drawn = sum(r[2] for r in rows)
    if "webir_audit_findings" in have:
        done = sum(r[3] or 0 for r in rows)
        bars.append(Bar("已查核", done, None, None))
        headline = f"抽出 {drawn} 筆，已查核 {done} 筆"
    else:
        headline = f"抽出 {drawn} 筆"
    return Tile("samples", "WebIR 抽查樣本", headline, "依抽查月份與抽樣類別（異常必抽全數列入）", bars,
                note="" if "webir_audit_findings" in have else "查核結果尚未匯入")


def accounts(as_of: date, agency: str | None) -> Tile | None:
    with reading(as_of) as con:
        if "webir_account_review" not in _tables(con):
            return None
        counts = _counts(con, "webir_account_review", "finding", agency)
    levels = {"resigned": "violation", "retired": "violation", "shared": "violation"}
    return Tile("accounts", "WebIR 帳號待處理", f"{sum(counts.values())} 個帳號待處理", "依清查結果",
                _bars(counts, ACCOUNT_FINDING, levels))


def _reference(as_of: date) -> datetime:
    """The clock's "now": now for today's dashboard, the end of that day for an earlier one."""
    now = clock.now()
    return now if as_of >= now.date() else datetime.combine(as_of, time(23, 59, 59))


def incident_ids(con, agency: str | None) -> list[str] | None:
    """The incidents an agency is affected by (None: every incident, the committee's view)."""
    if agency is None:
        return None
    if "incident_summary" not in _tables(con):
        return []
    return [i for (i,) in con.execute(
        "SELECT incident_id FROM main.incident_summary WHERE list_contains(string_split(coalesce(agency_codes, ''), ';'), ?)",
        [agency]).fetchall()]


def incidents(as_of: date, agency: str | None) -> Tile | None:
    """Incidents whose report to the authority has not been sent, with their four-hour clock."""
    with reading(as_of) as con:
        if "incident_clock" not in _tables(con):
            return None
        ids = incident_ids(con, agency)
        cond, params = ("", []) if ids is None else (f"AND incident_id IN ({', '.join('?' * len(ids))})" if ids
                                                     else "AND false", ids)
        rows = con.execute(
            "SELECT incident_id, known_at, report_due_at, report_sent_at, clock_status, coalesce(people, 0) "
            f"FROM main.incident_clock WHERE report_sent_at IS NULL {cond} ORDER BY report_due_at", params).fetchall()
    ref = _reference(as_of)
    clocks = [Clock(i, k, d, s, st, p, int((d - ref).total_seconds() // 60)) for i, k, d, s, st, p in rows]
    late = sum(1 for c in clocks if c.minutes_left < 0)
    return Tile("incidents", "個資事件（4小時通報時限）", f"{len(clocks)} 件未通報" + (f"，{late} 件已逾時" if late else ""),
                f"時限以 {ref:%Y-%m-%d %H:%M} 計", clocks=clocks)


def deliveries(as_of: date, agency: str | None) -> Tile | None:
    """Deliveries missing or late per source, from ``agency_deliveries`` (issue 18) once it is built."""
    with reading(as_of) as con:
        if "agency_deliveries" not in _tables(con):
            return None
        where, params = _where(agency)
        where = f"{where} AND status <> 'ok'" if where else "WHERE status <> 'ok'"
        # the source as stewards name it (差勤刷卡紀錄, not punches); the bar filters on the code
        rows = con.execute(f"SELECT source, any_value(source_zh), count(*) FROM main.agency_deliveries {where} "
                           "GROUP BY 1 ORDER BY 1", params).fetchall()
    return Tile("deliveries", "應交未交資料", f"{sum(n for _, _, n in rows)} 件未交", "依資料來源",
                [Bar(zh or k, n, "warning", k) for k, zh, n in rows])


@dataclass
class AgencyLine:
    code: str
    name: str
    counts: dict[str, int]  # OVERVIEW key -> count


# The committee's table, one line per agency: (key, heading, table, condition on its rows).
OVERVIEW = (
    ("devices", "禁止使用／不核准設備", "device_compliance", "status IN ('prohibited', 'rejected')"),
    ("deadlines", "逾期未刪除", "deletion_deadlines", "status = 'overdue'"),
    ("due", "屆期待刪除", "deletion_deadlines", "status = 'due'"),
    ("samples", "異常查詢（必抽）", "webir_audit_samples", "sample_kind = 'flagged'"),
    ("accounts", "帳號待處理", "webir_account_review", "true"),
)


def overview(as_of: date) -> list[AgencyLine]:
    """Where each agency stands, for the committee's meeting: one line per agency, worst first."""
    with reading(as_of) as con:
        have = _tables(con)
        names = dict(con.execute("SELECT agency_code, agency_name FROM main.city_agencies").fetchall()) \
            if "city_agencies" in have else {}
        lines: dict[str, AgencyLine] = {}
        for key, _, table, cond in OVERVIEW:
            if table not in have:
                continue
            for code, n in con.execute(f'SELECT agency_code, count(*) FILTER (WHERE {cond}) FROM main."{table}" '
                                       "WHERE agency_code IS NOT NULL GROUP BY 1").fetchall():
                line = lines.setdefault(code, AgencyLine(code, names.get(code, ""), {}))
                line.counts[key] = n
    return sorted(lines.values(), key=lambda ln: (-sum(ln.counts.values()), ln.code))

TILES = (devices, deadlines, samples, accounts, incidents, deliveries)
# The workbook sheet behind each tile's rows (same columns, words and agency names as the workbook),
# and the column its bars filter on.
ROWS: dict[str, tuple[Sheet, str | None]] = {
    "devices": (sheet_of("device_compliance"), "status"), "deadlines": (sheet_of("deletion_deadlines"), "status"),
    "samples": (sheet_of("webir_audit_samples"), "sample_kind"), "accounts": (sheet_of("webir_account_review"), "finding"),
    "incidents": (sheet_of("incident_clock"), None),
}


def rows(tile: str, as_of: date, agency: str | None, value: str | None, limit: int = 500):
    """The rows behind a tile (or one of its bars): (sheet, rows), as the workbook prints them."""
    from pdgov.exports.workbooks import sheet_rows

    sheet, column = ROWS[tile]
    with reading(as_of) as con:
        filters: dict[str, list] = {}
        if column and value is not None:
            filters[column] = [value]
        if tile == "incidents":
            ids = incident_ids(con, agency)
            if ids is not None:
                filters["incident_id"] = ids
            return sheet, sheet_rows(con, sheet, None, filters, limit)
        return sheet, sheet_rows(con, sheet, agency, filters, limit)


def since(minutes: int) -> str:
    """A clock's remaining or overdue time in words."""
    m = abs(minutes)
    text = f"{m // 60} 小時 {m % 60} 分" if m >= 60 else f"{m} 分"
    if m >= 48 * 60:
        text = f"{m // (24 * 60)} 天 {m % (24 * 60) // 60} 小時"
    return f"剩 {text}" if minutes >= 0 else f"逾時 {text}"


def window() -> timedelta:
    return timedelta(hours=REPORT_HOURS)
