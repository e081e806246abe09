"""Synthetic landing data that looks like what Taipei agencies really send (the demo scale).

Every planted fact (PRC devices, colleague look-ups, idle accounts …) is recorded in the
manifest from what was actually written, so tests compare the warehouse with the truth and
not with an intention. Same seed and arguments ⇒ byte-identical files. The parts are beside
this module: ``catalog``, ``dates``, ``writer``, ``devices``, ``staff``, ``punches``, ``webir``;
``city`` reuses them at the city's scale.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pdgov.config import SOURCES
from pdgov.synth.catalog import AGENCIES, BIOMETRIC_ZH, IMPLICATED_MODEL, PLANTED_LISTS
from pdgov.synth.devices import device_rows, write_devices
from pdgov.synth.expected import expected as expected_findings
from pdgov.synth.punches import write_punches
from pdgov.synth.staff import make_staff, write_roster
from pdgov.synth.webir import write_accounts, write_webir
from pdgov.synth.writer import Writer


def generate_demo(home: Path, seed: int, end: date, n_agencies: int = 5, staff_per_agency: int = 60,
                  history_years: float | None = None) -> dict:
    """Write every source for `n_agencies` agencies; return the manifest body (planted facts included)."""
    rng = random.Random(seed)
    w = Writer(home)
    agencies = AGENCIES[:n_agencies]
    planted: dict = {k: [] for k in PLANTED_LISTS}
    planted["implicated_model"] = IMPLICATED_MODEL

    devices, device_method = device_rows(agencies, planted)
    staff = make_staff(rng, agencies, devices, device_method, staff_per_agency)
    write_roster(w, rng, agencies, staff)
    window_start = end - timedelta(days=30)
    punched = write_punches(w, rng, agencies, staff, end, window_start, history_years)

    # Devices are written after the punches so the planted capacity facts are measured, not intended.
    per_device: dict[str, int] = {}
    for _code, _emp, _ts, dev, _method in punched:
        if dev:
            per_device[dev] = per_device.get(dev, 0) + 1
    write_devices(w, end, devices, per_device, planted)

    accounts = write_accounts(w, rng, agencies, staff, end, planted)
    webir_counts = write_webir(w, rng, agencies, staff, accounts, end, planted)

    scope_from = datetime.combine(window_start, time(0, 0))
    scope_to = datetime.combine(end, time(23, 59, 59))
    incident_id = write_incident(w, end, scope_from, scope_to)
    planted["incident_ids"].append(incident_id)
    implicated = set(planted["devices_of_implicated_model"])
    people = {(c, e) for c, e, ts, dev, method in punched
              if dev in implicated and method in BIOMETRIC_ZH and scope_from <= ts <= scope_to}
    planted["people_punched_on_implicated_model"] = len(people)

    expected: dict[str, int] = {}
    for f in w.files:
        if f["expect"] == "accepted":
            expected[f["source"]] = expected.get(f["source"], 0) + f["rows"]
    return {
        "agencies": [{"agency_code": c, "name": n} for c, n in agencies],
        "files": w.files,
        "expected_rows": {s: expected.get(s, 0) for s in SOURCES},
        "planted": planted,
        "expected": expected_findings(planted),
        "webir_counts": webir_counts,
        "staff": len(staff),
    }


def write_incident(w: Writer, end: date, scope_from: datetime, scope_to: datetime) -> str:
    """A device-model incident on FACE8 (seed 003), known in the evening of `end`."""
    known = datetime.combine(end, time(20, 30))
    incident_id = f"INC-{end:%Y%m%d}-01"
    w.json("incidents", f"{incident_id}.json", {
        "incident_id": incident_id, "reporter": "資訊局資安科 王小明", "reporter_contact": "soc@mail.taipei.example",
        "known_at": f"{known:%Y-%m-%d %H:%M:%S}", "method": "差勤設備疑遭入侵，臉部及指紋資料可能外洩",
        "location": "臺北市政府各機關差勤設備",
        "description": "供應商以臺灣品牌販售之 FACE8 機型，主機板產地為中國大陸，疑有後門",
        "scope_model": IMPLICATED_MODEL, "scope_device_ids": "", "scope_agency_code": "", "scope_dataset": "punches",
        "scope_from": f"{scope_from:%Y-%m-%d %H:%M:%S}", "scope_to": f"{scope_to:%Y-%m-%d %H:%M:%S}",
        "containment": "同型號設備全面停用並斷開網路，改以行動打卡",
    })
    return incident_id
