"""Every retention rule the purge enforces is also counted for the deadlines, from the same column.

The purge reads `retention_rules` and deletes from each enforced rule's table; `deletion_deadlines`
counts what each rule holds through the branches of `int_retention_held_days`. A rule without a
branch is deleted by nobody: no period is counted, so none is proposed, approved or deleted
(TASK_EVIDENCE_5Y had no branch, so the agencies' deletion evidence was kept forever).
"""

from __future__ import annotations

import csv
import re

from conftest import REPO

RULES = REPO / "dbt_project" / "seeds" / "retention" / "retention_rules.csv"
HELD_DAYS = REPO / "dbt_project" / "models" / "intermediate" / "retention" / "int_retention_held_days.sql"
BRANCH = re.compile(r"\(\s*'(\w+)',\s*ref\('(\w+)'\),\s*'(\w+)',")


def _branches() -> dict[str, tuple[str, str]]:
    return {d: (model, anchor) for d, model, anchor in BRANCH.findall(HELD_DAYS.read_text(encoding="utf-8"))}


def test_every_enforced_rule_with_a_table_has_a_branch_on_its_anchor():
    with open(RULES, encoding="utf-8", newline="") as fh:
        rules = [r for r in csv.DictReader(fh) if r["enforced"] == "true" and r["table_name"]]
    branches = _branches()
    assert len(branches) >= 7, "the branch list was not found in int_retention_held_days.sql"
    assert {r["dataset"] for r in rules} == set(branches), "a rule without a branch is never deleted"
    for r in rules:
        model, anchor = branches[r["dataset"]]
        # staging renames the raw lineage columns (`_loaded_at` → `loaded_at`) and nothing else
        assert anchor == r["anchor_column"].lstrip("_"), (r["rule_id"], anchor)
        assert model.startswith("stg_") and model.endswith(r["table_name"]), (r["rule_id"], model)

