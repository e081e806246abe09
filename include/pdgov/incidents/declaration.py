"""Incident declarations: the fields seed 002 §45 needs, checked before anything is written.

A declaration arrives as a file in ``landing/incidents/`` (read by the ingest) or as the conf of a
manually triggered ``pdgov_incident`` run. The conf path validates here first so that a handler who
mistypes a field gets every problem at once, in the task log, instead of a quarantined file found
the next morning — the four-hour clock does not wait.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pdgov import clock

REQUIRED = ("incident_id", "reporter", "reporter_contact", "known_at", "method", "location",
            "description", "containment")
SCOPE = ("scope_model", "scope_device_ids", "scope_agency_code", "scope_dataset", "scope_from", "scope_to")
FIELDS = REQUIRED + SCOPE

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
_AGENCY = re.compile(r"^[0-9]{9}[A-Z]$")
_TS_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S",
               "%Y-%m-%d")


class DeclarationError(ValueError):
    """A declaration that cannot be accepted; ``problems`` lists every field at fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("incident declaration refused: " + "; ".join(problems))
        self.problems = problems


def parse_timestamp(value: Any) -> datetime:
    """A naive Asia/Taipei timestamp from the formats stewards type (aware values are converted)."""
    if isinstance(value, datetime):
        return clock.local(value)
    text = str(value).strip()
    for fmt in _TS_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return clock.local(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(f"not a date-time: {text!r} (use YYYY-MM-DD HH:MM:SS, Asia/Taipei)") from None


def validate(conf: dict[str, Any], now: datetime | None = None) -> dict[str, str]:
    """Return the declaration as canonical strings, or raise :class:`DeclarationError`.

    A declaration must name at least one scope key (model, device ids, agency or dataset): an
    incident without a scope cannot produce the people to notify.
    """
    problems: list[str] = []
    unknown = sorted(set(conf) - set(FIELDS))
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)} (accepted: {', '.join(FIELDS)})")
    out: dict[str, str] = {}
    for f in FIELDS:
        v = conf.get(f)
        out[f] = "" if v is None else (";".join(map(str, v)) if isinstance(v, list | tuple) else str(v).strip())
    for f in REQUIRED:
        if not out[f]:
            problems.append(f"{f} is required")
    if out["incident_id"] and not _ID.match(out["incident_id"]):
        problems.append("incident_id must be 3-64 letters, digits, '.', '_' or '-' (it names the declaration file)")
    stamps: dict[str, datetime] = {}
    for f in ("known_at", "scope_from", "scope_to"):
        if out[f]:
            try:
                stamps[f] = parse_timestamp(out[f])
                out[f] = stamps[f].strftime("%Y-%m-%d %H:%M:%S")
            except ValueError as exc:
                problems.append(f"{f}: {exc}")
    if "known_at" in stamps and now is not None and stamps["known_at"] > now:
        problems.append("known_at is in the future")
    if "scope_from" in stamps and "scope_to" in stamps and stamps["scope_from"] > stamps["scope_to"]:
        problems.append("scope_from is after scope_to")
    if out["scope_agency_code"] and not _AGENCY.match(out["scope_agency_code"]):
        problems.append("scope_agency_code must be nine digits and an upper-case letter, e.g. 379000000A")
    if not any(out[f] for f in ("scope_model", "scope_device_ids", "scope_agency_code", "scope_dataset")):
        problems.append("a scope is required: scope_model, scope_device_ids, scope_agency_code or scope_dataset")
    if problems:
        raise DeclarationError(problems)
    return out


def write(declaration: dict[str, str], landing_dir: Path) -> Path:
    """Write a validated declaration where the ingest picks it up (``<incident_id>.json``).

    The file is written under a hidden temporary name (the ingest skips dot-files) and renamed, so
    the ingest never reads half a file.
    """
    landing_dir.mkdir(parents=True, exist_ok=True)
    target = landing_dir / f"{declaration['incident_id']}.json"
    tmp = landing_dir / f".{target.name}.part"
    tmp.write_text(json.dumps(declaration, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(target)
    return target
