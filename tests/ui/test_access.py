"""Who sees which agency: the mapping file, read as the UI reads it on every request."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pdgov.ui import access

GOOD = """
[committee]
roles = ["admin", "committee-staff"]
users = ["secretary"]

[users]
"steward.hr" = ["379130000C"]
both = ["379130000C", "379150000G"]

[roles]
"pdgov-379150000G" = ["379150000G"]
"""


def test_committee_by_user_or_role_sees_everything():
    acc = access.parse(GOOD, "t")
    for user, roles in (("secretary", []), ("anyone", ["committee-staff"]), ("ops", ["viewer", "admin"])):
        scope = acc.scope(user, roles)
        assert scope.everything and scope.allows(None) and scope.allows("379620000W"), user


def test_stewards_see_their_agencies_and_never_the_city():
    acc = access.parse(GOOD, "t")
    hr = acc.scope("steward.hr", ["viewer"])
    assert hr.allows("379130000C") and not hr.allows("379150000G") and not hr.allows(None)
    assert hr.only() == "379130000C"
    # A role adds its agencies to the user's own.
    both = acc.scope("steward.hr", ["viewer", "pdgov-379150000G"])
    assert both.agencies == {"379130000C", "379150000G"} and both.only() is None
    assert acc.scope("both", []).agencies == {"379130000C", "379150000G"}


def test_a_user_the_file_does_not_name_sees_nothing_and_is_told_why():
    scope = access.parse(GOOD, "ui_access.toml").scope("stranger", ["viewer", "user", "op"])
    assert not scope.everything and not scope.agencies and not scope.allows(None)
    assert "stranger" in scope.problem and "ui_access.toml" in scope.problem


def test_without_a_file_only_airflow_admins_see_anything(tmp_path):
    acc = access.load(tmp_path / "missing.toml")
    assert acc.scope("a", ["admin"]).everything
    assert acc.scope("b", ["viewer"]).problem


@pytest.mark.parametrize("bad", [
    '[users]\nx = ["37913000C"]',           # nine characters
    '[users]\nx = "379130000C"',            # not a list
    '[users]\nx = ["379130000c"]',          # lower-case letter
    '[stewards]\nx = ["379130000C"]',       # a section pdgov does not know (a typo would grant nothing, silently)
    '[committee]\nusers = "secretary"',     # not a list
    '[users\nx = 1',                        # not TOML
])
def test_a_broken_file_lets_nobody_see_anything_and_says_where(tmp_path, bad):
    f = tmp_path / "ui_access.toml"
    f.write_text(bad, encoding="utf-8")
    acc = access.load(f)
    assert acc.error and str(f) in acc.error
    for roles in (["admin"], ["viewer"]):
        scope = acc.scope("secretary", roles)
        assert not scope.everything and not scope.agencies and "無法使用" in scope.problem


def test_roles_of_simple_and_fab_users():
    assert access.user_roles(SimpleNamespace(role="viewer")) == ["viewer"]
    fab = SimpleNamespace(roles=[SimpleNamespace(name="Viewer"), SimpleNamespace(name="pdgov-379150000G")])
    assert access.user_roles(fab) == ["Viewer", "pdgov-379150000G"]
    assert access.user_roles(SimpleNamespace()) == []


def test_the_file_pdgov_writes_reads_back(tmp_path):
    f = tmp_path / "ui_access.toml"
    access.write_file(f, ["committee"], {"steward_379130000C": ["379130000C"], "有中文的帳號": ["379150000G"]})
    acc = access.load(f)
    assert not acc.error and acc.scope("committee", []).everything
    assert acc.scope("有中文的帳號", []).agencies == {"379150000G"}
