"""dbt's settings live in the process environment only for the length of one dbt call.

CI once failed because an in-process ``dbt build`` left ``DBT_PROJECT_DIR`` behind: the next
test's ``dbt parse`` of a copied project silently parsed the checkout instead, and a deployment
started from that process never found its manifest.
"""

from __future__ import annotations

import os

import pytest

from pdgov.transform import dbt


def test_a_dbt_call_leaves_the_environment_as_it_found_it(pdgov_home, tmp_path, monkeypatch):
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    monkeypatch.setenv("DBT_PROFILES_DIR", "/caller/own/profiles")
    before = dict(os.environ)

    dbt.run(["parse"], target_path=tmp_path / "target")

    assert (tmp_path / "target" / "manifest.json").is_file()  # the call itself did its work
    assert "DBT_PROJECT_DIR" not in os.environ
    assert os.environ["DBT_PROFILES_DIR"] == "/caller/own/profiles"
    assert dict(os.environ) == before


def test_the_environment_is_restored_when_dbt_fails(pdgov_home, tmp_path, monkeypatch):
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    before = dict(os.environ)
    with pytest.raises(dbt.DbtError):
        dbt.run(["run-operation", "no_such_macro_anywhere"], target_path=tmp_path / "t")
    assert dict(os.environ) == before


def test_parsing_the_manifest_leaves_pdgov_home_alone(tmp_path, monkeypatch):
    # `make setup` parses the project; `pdgov demo` then refuses a home it did not make. So the
    # parse (the checkout's manifest) must not write into the default home — not even its logs.
    home = tmp_path / "never_created"
    monkeypatch.setenv("PDGOV_HOME", str(home))
    manifest = dbt.parse_manifest()
    assert manifest.is_file()
    assert not home.exists()


def test_a_process_wide_as_of_never_overrides_a_calls_own_date(pdgov_home, tmp_path, monkeypatch):
    """The night's dbt tasks give dbt the as-of day as PDGOV_AS_OF (macro pdgov_as_of); a pdgov dbt
    call in a process that still holds one (a Celery worker after a night's task) uses its own
    --vars, and finds the process's value as it left it."""
    from datetime import date

    monkeypatch.setenv("PDGOV_AS_OF", "2030-01-01")
    dbt.run(["compile", "--select", "int_punches_per_person_device", "--vars", dbt.dbt_vars(date(2026, 11, 3))],
            target_path=tmp_path / "t")
    (sql,) = (tmp_path / "t" / "compiled").rglob("int_punches_per_person_device.sql")
    text = sql.read_text(encoding="utf-8")
    assert "cast('2026-11-03' as date)" in text and "2030" not in text
    assert os.environ["PDGOV_AS_OF"] == "2030-01-01"
