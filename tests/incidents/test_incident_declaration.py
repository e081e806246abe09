"""Declarations: every problem named at once; a good one lands where the ingest reads it."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

GOOD = {"incident_id": "INC-T-1", "reporter": "王小明", "reporter_contact": "soc@pdgov.test",
        "known_at": "2026-11-01T09:30:00+08:00", "method": "設備遭入侵", "location": "市府大樓",
        "description": "FACE8 疑有後門", "scope_model": "FACE8", "containment": "停用設備",
        "scope_device_ids": ["D1", "D2"]}


def test_a_good_declaration_is_written_for_the_ingest(pdgov_home):
    from pdgov.incidents.run import declare

    out = declare(GOOD, now=datetime(2026, 11, 2, 8, 0))
    data = json.loads((pdgov_home.landing_for("incidents") / "INC-T-1.json").read_text(encoding="utf-8"))
    assert out["known_at"] == data["known_at"] == "2026-11-01 09:30:00"
    assert data["scope_device_ids"] == "D1;D2" and data["scope_agency_code"] == ""
    assert not list(pdgov_home.landing_for("incidents").glob(".*")), "no temporary file left behind"


def test_a_bad_declaration_lists_every_problem():
    from pdgov.incidents.declaration import DeclarationError, validate

    bad = {**GOOD, "reporter": "", "known_at": "yesterday", "scope_model": "", "scope_device_ids": "",
           "incident_id": "../etc", "colour": "red", "scope_from": "2026-11-02", "scope_to": "2026-11-01"}
    with pytest.raises(DeclarationError) as err:
        validate(bad, now=datetime(2026, 11, 2))
    text = str(err.value)
    for expected in ("reporter is required", "known_at: not a date-time", "a scope is required",
                     "incident_id must be", "unknown field(s): colour", "scope_from is after scope_to"):
        assert expected in text


def test_known_at_in_the_future_and_bad_agency_are_refused():
    from pdgov.incidents.declaration import DeclarationError, validate

    with pytest.raises(DeclarationError, match="known_at is in the future.*nine digits"):
        validate({**GOOD, "known_at": "2026-12-01 00:00:00", "scope_agency_code": "12345"},
                 now=datetime(2026, 11, 2))
