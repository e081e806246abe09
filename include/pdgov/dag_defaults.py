"""What every pdgov DAG declares the same way: owner, retries, start date, the warehouse pool.

DAG files import this at parse time, so it stays light (no I/O, nothing heavy).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum

from pdgov import clock
from pdgov.config import SOURCES, WAREHOUSE_POOL

#: The one-slot pool every task that opens the DuckDB warehouse runs in: DuckDB allows one writer.
POOL = WAREHOUSE_POOL
OWNER = "pdgov-data-governance"
START_DATE = pendulum.datetime(2026, 1, 1, tz=clock.TIMEZONE)

__all__ = ["OWNER", "POOL", "SOURCES", "START_DATE", "default_args", "env_seconds"]


def env_seconds(name: str, default: int) -> timedelta:
    """A delay set in seconds by the environment variable ``name`` (``default`` when unset)."""
    return timedelta(seconds=int(os.environ.get(name, str(default))))


def default_args(retry_delay: timedelta, *, retries: int | None = None, **extra: Any) -> dict[str, Any]:
    """A DAG's ``default_args``: the owner, ``retries`` (default ``PDGOV_TASK_RETRIES``, else 2),
    ``retry_delay`` and ``extra`` (e.g. ``pool``).

    ``pdgov run`` (a person waiting at a terminal) shortens retries and delays through the
    environment; the scheduler keeps the patient defaults.
    """
    if retries is None:
        retries = int(os.environ.get("PDGOV_TASK_RETRIES", "2"))
    return {"owner": OWNER, "retries": retries, "retry_delay": retry_delay, **extra}
