"""Staff with unique valid national IDs, each punching on one of their agency's devices (or by
app/web), and the rosters that carry their IDs (one with a bad checksum, to be refused)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pdgov.synth import national_ids
from pdgov.synth.catalog import GIVEN, IMPLICATED_MODEL, ROSTER_HEADER, SURNAMES
from pdgov.synth.devices import model_of
from pdgov.synth.writer import Writer


@dataclass
class Staff:
    agency_code: str
    employee_no: str
    name: str
    national_id: str
    email: str
    device_id: str | None
    method: str


def make_staff(rng: random.Random, agencies: list[tuple[str, str]], devices: list[list],
               device_method: dict[str, str], per_agency: int) -> list[Staff]:
    """Staff with unique valid national IDs; most punch on one of their agency's devices."""
    staff: list[Staff] = []
    seen: set[str] = set()
    for code, _name in agencies:
        devs = [r[0] for r in devices if r[1] == code]
        for i in range(per_agency):
            emp = f"{code[3:6]}{i + 1:04d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            nid = fresh_id(rng, seen, "ABCDEFGHJK")
            r = rng.random()
            dev_id = devs[i % len(devs)]
            if r < 0.7:
                method = device_method[dev_id]
            elif r < 0.8:
                # card punches, except on the FACE8 (face/fingerprint only) where they use their face
                method = device_method[dev_id] if model_of(devices, dev_id) == IMPLICATED_MODEL else "card"
            else:
                dev_id, method = None, rng.choice(["app", "web"])
            staff.append(Staff(code, emp, name, nid, f"{emp.lower()}@mail.taipei.example", dev_id, method))
    return staff


def fresh_id(rng: random.Random, taken: set[str], letters: str = "ABCDEFGHJKLMNPQ") -> str:
    """A valid national ID nobody else in the data set has, so planted look-ups stay exact."""
    while True:
        nid = national_ids.make(rng, rng.choice(letters))
        if nid not in taken:
            taken.add(nid)
            return nid


def staff_by_agency(staff: list[Staff]) -> dict[str, list[Staff]]:
    out: dict[str, list[Staff]] = {}
    for s in staff:
        out.setdefault(s.agency_code, []).append(s)
    return out


def write_roster(w: Writer, rng: random.Random, agencies: list[tuple[str, str]], staff: list[Staff]) -> None:
    """One roster file per agency, and a supplement with a bad checksum that must be refused."""
    by_agency = staff_by_agency(staff)
    for code, _name in agencies:
        rows = [[s.agency_code, s.employee_no, s.national_id, s.name, s.email] for s in by_agency[code]]
        w.csv("roster", f"{code}_員工名冊.csv", ROSTER_HEADER, rows)
    # A supplementary roster with one bad checksum on line 4: refused whole.
    code = agencies[0][0]
    taken = {s.national_id for s in staff}
    extra = [[code, f"{code[3:6]}9{i:03d}", fresh_id(rng, taken), "測試人員", f"t{i}@mail.taipei.example"]
             for i in range(4)]
    extra[2][2] = national_ids.make_invalid(rng)
    w.csv("roster", f"{code}_員工名冊_補充.csv", ROSTER_HEADER, extra, expect="rejected",
          rejections=[{"line_no": 4, "column": "身分證統一編號", "reason_contains": "checksum"}])
