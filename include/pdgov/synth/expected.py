"""What the marts must find in the synthetic data, in full: the manifest's ``expected`` section.

The marts tests compare what the models find with these lists for equality, so a model that flags
too much fails as surely as one that misses a plant. The rules themselves live in dbt; the mapping
from what the generator planted to what the rules must conclude lives here, once. Whoever changes
a rule (a device status, a WebIR flag, an account finding) changes this mapping with it.
"""

from __future__ import annotations

#: device kind (``catalog.DEVICE_TYPES``) → ``device_compliance.status`` (seed 000, seed 003)
DEVICE_STATUS = {
    "prc_brand": "prohibited",       # a PRC brand, whatever the declared country
    "prc_part": "flagged",           # PRC origin, mainboard or chip
    "prc_part_suspended": "suspended",  # FACE8 (seed 003): the committee suspended the whole model
    "unknown_origin": "flagged",     # a biometric device whose origin nobody declared
    "rejected": "rejected",          # the committee said no
    "pending": "review_required",    # biometric, not yet before the committee
    "approved": "approved",
}

#: planted list → the flag ``int_webir_query_flags`` / ``webir_audit_samples`` must give it
QUERY_FLAGS = {
    "after_hours_queries": "after_hours",
    "missing_case_or_reason_queries": "missing_case_or_reason",
    "inactive_account_queries": "inactive_account",
    "colleague_lookups": "colleague_lookup",
    "self_lookups": "self_lookup",
}

#: planted list → the ``webir_account_review`` finding
ACCOUNT_FINDINGS = {
    "idle_accounts": "idle",
    "duplicate_accounts": "duplicate",
    "shared_accounts": "shared",
    "transferred_accounts": "transferred",
    "resigned_accounts": "resigned",
    "retired_accounts": "retired",
}


def expected(planted: dict) -> dict:
    """Every device's status, every flagged query per flag, every account per finding."""
    accounts: dict[str, list[str]] = {}
    for key, finding in ACCOUNT_FINDINGS.items():
        items = planted[key]
        flat = [a for pair in items for a in pair] if key == "duplicate_accounts" else items
        accounts[finding] = sorted(set(flat))
    return {
        "device_status": {d: DEVICE_STATUS[kind] for d, kind in sorted(planted["device_kind"].items())},
        "query_flags": {flag: sorted(planted[key], key=lambda q: (q["agency_code"], q["account"], q["queried_at"]))
                        for key, flag in QUERY_FLAGS.items()},
        "account_findings": accounts,
    }
