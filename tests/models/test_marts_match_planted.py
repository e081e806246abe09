"""The marts answer SPEC §3 on synthetic data: what they find is exactly what the generator planted.

Equality, not inclusion: a model that flags everything fails as surely as one that misses a plant.
The full expected lists are the manifest's ``expected`` section (``pdgov.synth.expected``), where
the mapping from what was planted to what each rule must conclude lives, once: a change to a rule
(a device status, a WebIR flag, an account finding) is a change there, and these tests follow.
"""

from __future__ import annotations

import pytest

from pdgov.synth.expected import ACCOUNT_FINDINGS, QUERY_FLAGS

pytestmark = pytest.mark.slow


def _keys(items):
    return {(i["agency_code"], i["account"], i["queried_at"]) for i in items}


def test_every_device_has_exactly_its_expected_status(demo_run):
    expected = demo_run.manifest["expected"]["device_status"]
    found = dict(demo_run.query("SELECT device_id, status FROM main.device_compliance"))
    assert found == expected
    assert {"prohibited", "flagged", "approved"} <= set(expected.values()), "the plants cover the statuses"


def test_prc_brand_devices_are_prohibited(demo_run):
    planted = set(demo_run.manifest["planted"]["prc_brand_devices"])
    found = {r[0] for r in demo_run.query("SELECT device_id FROM main.device_compliance WHERE status='prohibited'")}
    assert planted and found == planted


def test_no_prc_brand_is_ever_approved(demo_run):
    rows = demo_run.query("SELECT device_id FROM main.device_compliance WHERE brand_is_prc AND status <> 'prohibited'")
    assert rows == []


def test_implicated_model_lists_every_device_across_agencies(demo_run):
    planted = set(demo_run.manifest["planted"]["devices_of_implicated_model"])
    found = {r[0] for r in demo_run.query("SELECT device_id FROM main.devices_sharing_implicated_model")}
    assert len({r[0] for r in demo_run.query(
        "SELECT agency_code FROM main.devices_sharing_implicated_model")}) > 1
    assert found == planted


@pytest.mark.parametrize("flag", sorted(QUERY_FLAGS.values()))
def test_flagged_queries_are_exactly_the_planted_ones(demo_run, flag):
    expected = _keys(demo_run.manifest["expected"]["query_flags"][flag])
    sampled = set(demo_run.query(
        "SELECT agency_code, account, strftime(queried_at, '%Y-%m-%d %H:%M:%S') FROM main.webir_audit_samples "
        "WHERE sample_kind = 'flagged' AND list_contains(string_split(flags, ','), ?)", [flag]))
    flagged = set(demo_run.query(
        f"SELECT agency_code, account, strftime(queried_at, '%Y-%m-%d %H:%M:%S') FROM main.int_webir_query_flags "
        f"WHERE flag_{flag}"))  # noqa: S608 - a flag name from the generator's list
    assert expected and sampled == flagged == expected


def test_no_query_carries_a_flag_nobody_planted(demo_run):
    flags = {f for (row,) in demo_run.query("SELECT DISTINCT flags FROM main.webir_audit_samples WHERE flags <> ''")
             for f in row.split(",")}
    assert flags <= set(demo_run.manifest["expected"]["query_flags"])


def test_account_review_finds_exactly_the_planted_accounts(demo_run):
    expected = demo_run.manifest["expected"]["account_findings"]
    found: dict[str, set[str]] = {}
    for account, finding in demo_run.query("SELECT account, finding FROM main.webir_account_review"):
        found.setdefault(finding, set()).add(account)
    assert found == {f: set(a) for f, a in expected.items() if a}
    assert set(expected) == set(ACCOUNT_FINDINGS.values()) and all(expected.values()), "every finding is planted"


def test_sample_rule_three_percent_and_ten(demo_run):
    rows = demo_run.query("""
        WITH n AS (SELECT agency_code, audit_month, count(*) AS n, count(*) FILTER (WHERE NOT is_flagged) AS clean
                   FROM main.int_webir_query_flags GROUP BY 1, 2),
             s AS (SELECT agency_code, audit_month, count(*) AS k FROM main.webir_audit_samples
                   WHERE sample_kind = 'random' GROUP BY 1, 2)
        SELECT n.agency_code, n.audit_month, n.n, n.clean, coalesce(s.k, 0) FROM n LEFT JOIN s USING (agency_code, audit_month)""")
    assert rows
    for agency, month, n, clean, k in rows:
        assert k == min(clean, max(10, -(-3 * n // 100))), (agency, month, n, k)
    big = [r for r in rows if r[2] > 400]
    assert big and all(r[4] >= -(-3 * r[2] // 100) > 10 for r in big), "the 3% part must matter somewhere"


def test_sample_is_reproducible_from_the_recorded_seed(demo_run):
    import hashlib

    rows = demo_run.query("""SELECT agency_code, audit_month, query_key, sample_seed FROM main.webir_audit_samples
                             WHERE sample_kind = 'random'""")
    by_month: dict = {}
    for agency, month, key, seed in rows:
        by_month.setdefault((agency, month), (seed, set()))[1].add(key)
    (agency, month), (seed, keys) = sorted(by_month.items())[0]
    clean = [r[0] for r in demo_run.query(
        "SELECT query_key FROM main.int_webir_query_flags WHERE agency_code=? AND audit_month=? AND NOT is_flagged",
        [agency, month])]
    (n,) = demo_run.query("SELECT count(*) FROM main.int_webir_query_flags WHERE agency_code=? AND audit_month=?",
                          [agency, month])[0]
    k = max(10, -(-3 * n // 100))
    by_hand = sorted(clean, key=lambda q: hashlib.md5((seed + q).encode()).hexdigest())[:k]
    assert set(by_hand) == keys
