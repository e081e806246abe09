"""The city's agency list (dbt seed ``city_agencies``) names every agency pdgov meets.

Workbooks and the dashboard show the name beside each code; a code missing from the list would
print without its name. Every code the synthetic generator emits, and every literal agency code in
the code, tests and seeds, must be in the list, with the name the generator gives it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from pdgov.config import DBT_PROJECT_DIR, REPO_ROOT

SEED = DBT_PROJECT_DIR / "seeds" / "agencies" / "city_agencies.csv"
CODE = re.compile(r"(?<![0-9A-Za-z])3790[0-9]{5}[A-Z](?![0-9A-Za-z])")


def _seed() -> dict[str, dict]:
    with open(SEED, encoding="utf-8", newline="") as fh:
        return {r["agency_code"]: r for r in csv.DictReader(fh)}


def test_every_generated_agency_is_listed_with_its_name():
    from pdgov.synth.city import city_agencies
    from pdgov.synth.demo import AGENCIES

    seed = _seed()
    for code, name in [*AGENCIES, *city_agencies()]:
        assert code in seed, code
        assert seed[code]["agency_name"] == name, (code, name, seed[code]["agency_name"])


def test_every_agency_code_written_in_the_repository_is_listed():
    seed = _seed()
    found: dict[str, str] = {}
    for folder in ("include", "tests", "dags", "bench", "dbt_project/seeds", "dbt_project/models"):
        for f in (REPO_ROOT / folder).rglob("*"):
            if f.suffix in (".py", ".csv", ".sql", ".yml") and f != SEED:
                for code in CODE.findall(f.read_text(encoding="utf-8", errors="replace")):
                    found.setdefault(code, str(f.relative_to(REPO_ROOT)))
    assert found, "the scan found no agency codes at all"
    missing = {c: where for c, where in found.items() if c not in seed}
    assert not missing, f"agency codes not in {SEED.name}: {missing}"


def test_parents_and_statuses_are_consistent():
    seed = _seed()
    roots = [c for c, r in seed.items() if not r["parent_code"]]
    assert roots == ["379000000A"] and seed["379000000A"]["agency_name"] == "臺北市政府"
    for code, row in seed.items():
        chain, at = [], code
        while seed[at]["parent_code"]:  # every agency reaches 臺北市政府 without a loop
            at = seed[at]["parent_code"]
            assert at in seed and at not in chain, (code, chain)
            chain.append(at)
        assert row["code_status"] in ("official", "unverified", "placeholder")
    assert seed["379000000A"]["code_status"] == "official"
    # Placeholders keep to a range no real agency code uses, so they cannot pass for one.
    assert all(c.startswith("37900") for c, r in seed.items() if r["code_status"] == "placeholder")
    assert Path(SEED).read_bytes().count(b"\r") == 0
