"""Argument types the ``pdgov`` command and its domain sub-commands share.

Public so that ``pdgov/<area>/cli.py`` modules need nothing private from ``pdgov.cli``; the dates
they default to come from ``pdgov.clock``.
"""

from __future__ import annotations

import argparse
from datetime import date


def iso_date(value: str) -> date:
    """``YYYY-MM-DD`` as a date, or the error argparse prints next to the option."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc
