"""Legal holds (資料保全): data a steward must keep although its retention has passed.

A hold names one agency, one dataset and a period of anchor dates, with the reason and who
placed it. While it is active (not released) the purge never deletes the rows it covers and
`deletion_deadlines` shows them `held`; releasing it makes them due again on the next run.
Released holds stay as records (seed 002 §39) and expire five years after release.
"""

from __future__ import annotations

import getpass
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from pdgov import clock

AGENCY_RE = re.compile(r"^\d{9}[A-Z]$")
HOLD_COLUMNS = ("hold_id", "agency_code", "dataset", "period_start", "period_end", "reason", "created_by",
                "created_at", "released_by", "released_at", "release_reason")


class HoldError(ValueError):
    """A hold that cannot be placed or released as asked."""


@dataclass(frozen=True)
class Hold:
    hold_id: str
    agency_code: str
    dataset: str
    period_start: date
    period_end: date
    reason: str
    created_by: str
    created_at: datetime
    released_by: str | None
    released_at: datetime | None
    release_reason: str | None

    @property
    def active(self) -> bool:
        return self.released_at is None


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def known_datasets(con: duckdb.DuckDBPyConnection) -> set[str]:
    from pdgov.retention.rules import load_rules

    return {r.dataset for r in load_rules(con)}


def add(con: duckdb.DuckDBPyConnection, agency_code: str, dataset: str, period_start: date, period_end: date,
        reason: str, created_by: str | None = None) -> Hold:
    if not AGENCY_RE.match(agency_code):
        raise HoldError(f"agency code {agency_code!r} is not nine digits and a capital letter (e.g. 379000000A)")
    datasets = known_datasets(con)
    if dataset not in datasets:
        raise HoldError(f"unknown dataset {dataset!r}; one of: {', '.join(sorted(datasets))}")
    if period_end < period_start:
        raise HoldError("the period ends before it starts")
    if not reason or not reason.strip():
        raise HoldError("a hold needs a reason (保全事由), e.g. the case or incident number")
    created_by = created_by or current_user()
    now = clock.now().replace(microsecond=0)  # holds are stamped to the second, as they are shown
    hold_id = "H" + hashlib.md5(
        f"{agency_code}|{dataset}|{period_start}|{period_end}|{now.isoformat()}|{reason}".encode()
    ).hexdigest()[:11].upper()
    con.execute(
        """INSERT INTO main.legal_holds (hold_id, agency_code, dataset, period_start, period_end, reason,
           created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [hold_id, agency_code, dataset, period_start, period_end, reason.strip(), created_by, now],
    )
    return get(con, hold_id)


def get(con: duckdb.DuckDBPyConnection, hold_id: str) -> Hold:
    row = con.execute(f"SELECT {', '.join(HOLD_COLUMNS)} FROM main.legal_holds WHERE hold_id = ?",
                      [hold_id]).fetchone()
    if row is None:
        raise HoldError(f"no hold {hold_id!r}")
    return Hold(*row)


def list_holds(con: duckdb.DuckDBPyConnection, include_released: bool = False) -> list[Hold]:
    where = "" if include_released else "WHERE released_at IS NULL"
    rows = con.execute(
        f"SELECT {', '.join(HOLD_COLUMNS)} FROM main.legal_holds {where} ORDER BY created_at, hold_id"
    ).fetchall()
    return [Hold(*r) for r in rows]


def release(con: duckdb.DuckDBPyConnection, hold_id: str, reason: str, released_by: str | None = None) -> Hold:
    hold = get(con, hold_id)
    if not hold.active:
        raise HoldError(f"hold {hold_id} was already released on {hold.released_at:%Y-%m-%d %H:%M}")
    if not reason or not reason.strip():
        raise HoldError("releasing a hold needs a reason (解除事由)")
    con.execute(
        "UPDATE main.legal_holds SET released_by = ?, released_at = ?, release_reason = ? WHERE hold_id = ?",
        [released_by or current_user(), clock.now().replace(microsecond=0), reason.strip(), hold_id],
    )
    return get(con, hold_id)


def active_holds(con: duckdb.DuckDBPyConnection) -> list[Hold]:
    return list_holds(con, include_released=False)
