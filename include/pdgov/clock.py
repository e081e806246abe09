"""pdgov's one clock: the Taipei wall clock, and the calendar day a run speaks for.

The warehouse stores local Taipei times without a zone (``TIMESTAMP``, as the agencies' exports
write them), so every "now" pdgov records is naive Taipei local time, read here. A run's *as-of
date* is its logical date as a Taipei calendar day: dbt reads it as the var ``as_of_date`` and the
Python tasks as an argument, both rendered from the one template ``AS_OF``, so the two can never
disagree about which day a run is for.

Light on purpose: DAG files import this module at parse time.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Taipei"
TAIPEI = ZoneInfo(TIMEZONE)

#: The as-of date of a DAG run (``YYYY-MM-DD``), as a Jinja template every task argument and dbt
#: var uses. A scheduled run fires at 02:00 Taipei, the previous day in UTC: the day must be taken
#: in Taipei, or every deadline and sample is a day early. A run triggered by hand in Airflow 3 may
#: have no logical date (``dag_run.logical_date`` is None and the context has no ``logical_date``);
#: it then speaks for the day it was queued to run, ``dag_run.run_after`` — the same for every task
#: of the run, even one that starts after midnight.
AS_OF = ("{{ (dag_run.logical_date or dag_run.run_after)"
         ".astimezone(macros.dateutil.tz.gettz('Asia/Taipei')).strftime('%Y-%m-%d') }}")
#: The run's id, for the run ledger, lineage and evidence rows.
RUN_ID = "{{ run_id }}"


def now() -> datetime:
    """The wall clock in Taipei, naive (as the warehouse stores times)."""
    return datetime.now(TAIPEI).replace(tzinfo=None)


def today() -> date:
    """Today's date in Taipei."""
    return datetime.now(TAIPEI).date()


def local(ts: datetime | None) -> datetime | None:
    """``ts`` as naive Taipei local time: aware values are converted, naive ones are taken as local."""
    if ts is None or ts.tzinfo is None:
        return ts
    return ts.astimezone(TAIPEI).replace(tzinfo=None)


def as_of(value: datetime | date | str) -> date:
    """The Taipei calendar day of a logical date: an ``AS_OF`` string, a date, or a date-time
    (aware ones converted to Taipei; naive ones taken as Taipei local)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return local(value).date()
    return value


def add_months(d, months: int):
    """``d`` (a date or datetime) plus whole ``months`` (negative: back), the day clamped to the
    month's end (2024-02-29 + 12 months = 2025-02-28): retention periods, deadlines, record terms."""
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return d.replace(year=y, month=m + 1, day=min(d.day, calendar.monthrange(y, m + 1)[1]))
