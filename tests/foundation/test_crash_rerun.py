"""A process killed at a step boundary, then the same work again: the result equals a run never
interrupted — in the warehouse (its content fingerprint) and in the files (archive, quarantine).

Crash points use the retention purge's mechanism (``pdgov.crash``: an environment variable names
the point, the process ends with ``os._exit``). The ingest is killed after a file's COMMIT and
before the file leaves landing; a dbt task is killed inside a model's transaction and after its
commit, as a killed Airflow worker would leave it. One small demo home serves every test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, TEST_KEY, pdgov_env

from pdgov.config import SOURCES  # every landing source: a new one cannot be left in landing
from pdgov.deploy.fingerprint import Exclusions, diff, fingerprint

AS_OF = date(2026, 11, 2)
RUN_ID = "crash-test"

#: What may differ between two homes that ingested the same files at different times: when, and
#: which run (pinned here, not in pdgov.deploy.fingerprint, so a wider exclusion shows in this diff).
ACROSS_HOMES = Exclusions(
    columns=frozenset({"_loaded_at", "loaded_at", "first_seen_at", "rejected_at"}),
    tables=frozenset({"main.run_ledger"}),
)

#: The same night on the same warehouse twice, one of them killed and run again: nothing may differ.
SAME_NIGHT = Exclusions()

INGEST = f"""
import sys
from datetime import date
from pdgov.ingest.run import ingest_source
ingest_source(sys.argv[1], {RUN_ID!r}, date.fromisoformat({AS_OF.isoformat()!r}))
"""

# A dbt task killed inside one model: every statement goes through dbt-duckdb's cursor, each model's
# carrying its node id; the process dies just before (or just after) that model's COMMIT.
DBT_TASK = f"""
import sys
from datetime import date
from dbt.adapters.duckdb.environments import local
from pdgov.crash import crash_point
from pdgov.transform import dbt

model, point = sys.argv[1], sys.argv[2]
inside = {{"model": False}}
original = local.DuckDBCursorWrapper.execute

def execute(self, sql, bindings=None):
    text = str(sql).strip()
    if f'"node_id": "model.pdgov.{{model}}"' in text:
        inside["model"] = True
    if text.upper() == "COMMIT" and inside["model"]:
        crash_point("dbt_before_commit")
        result = original(self, sql, bindings)
        crash_point("dbt_after_commit")
        return result
    return original(self, sql, bindings)

local.DuckDBCursorWrapper.execute = execute
dbt.run(["run", "--vars", dbt.dbt_vars(date.fromisoformat({AS_OF.isoformat()!r}), {RUN_ID!r}), "--select", model])
"""


def _ingest_all() -> None:
    from pdgov.ingest.run import ingest_source

    for source in SOURCES:
        ingest_source(source, RUN_ID, AS_OF)


def _files(home: Path, area: str) -> dict[str, bytes]:
    """Every file under ``home/area``; a quarantine report without its first line (it says when)."""
    out = {}
    for f in sorted((home / area).rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            out[str(f.relative_to(home))] = data.split(b"\n", 1)[1] if f.name.endswith(".rejections.txt") else data
    return out


def _restore(saved: Path, warehouse: Path) -> None:
    """Put a saved warehouse file back; a log a crashed process left belongs to the file it replaces."""
    warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    shutil.copy2(saved, warehouse)


def _crash(home: Path, script: str, point: str, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-c", script, *args], env=pdgov_env(home, PDGOV_CRASH_AT=point),
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 97, f"never reached {point}: {proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    from pdgov.synth import generate

    base = tmp_path_factory.mktemp("crash") / "synthetic"
    generate(base, "demo", 7, date(2026, 11, 1))
    return base


@pytest.fixture(scope="module")
def uninterrupted(synthetic, tmp_path_factory) -> dict:
    """The same files ingested without a crash: the warehouse's fingerprint and the files it left."""
    home = tmp_path_factory.mktemp("crash") / "home"
    shutil.copytree(synthetic, home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PDGOV_HOME", str(home))
        mp.setenv("PDGOV_HMAC_KEY", TEST_KEY)
        _ingest_all()
    return {"home": home, "fingerprint": fingerprint(home / "warehouse" / "pdgov.duckdb", ACROSS_HOMES),
            "archive": _files(home, "archive"), "quarantine": _files(home, "quarantine")}


def test_ingest_killed_between_commit_and_archive_then_rerun_equals_one_run(synthetic, uninterrupted, tmp_path,
                                                                            monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(synthetic, home)
    # A batch of small files without IDs, a refused file with IDs, a loaded file with IDs: each
    # process dies right after its COMMIT, the file still in landing.
    _crash(home, INGEST, "ingest_loaded_committed", "punches")
    _crash(home, INGEST, "ingest_rejected_committed", "webir")
    _crash(home, INGEST, "ingest_loaded_committed", "roster")
    monkeypatch.setenv("PDGOV_HOME", str(home))
    monkeypatch.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    _ingest_all()

    assert diff(uninterrupted["fingerprint"], fingerprint(home / "warehouse" / "pdgov.duckdb", ACROSS_HOMES)) == {}
    assert not [f for f in (home / "landing").rglob("*") if f.is_file()], "a file was left in landing"
    archive, quarantine = _files(home, "archive"), _files(home, "quarantine")
    assert sorted(archive) == sorted(uninterrupted["archive"]), "the archive lacks a file or has one too many"
    assert archive == uninterrupted["archive"]
    assert sorted(quarantine) == sorted(uninterrupted["quarantine"]), "a refused file or its report is missing"
    assert quarantine == uninterrupted["quarantine"]


@pytest.mark.parametrize("model, point", [
    ("webir_audit_samples", "dbt_after_commit"),   # a table: renamed into place, its backup not dropped yet
    ("base_punches_superseded", "dbt_before_commit"),  # the incremental: pre-hook and insert done, not committed
])
def test_dbt_task_killed_mid_model_then_rerun_equals_one_run(uninterrupted, model, point, monkeypatch):
    """The models of a first night exist; the second night's task for ``model`` is killed, then run again."""
    from pdgov.transform import dbt
    from pdgov.warehouse import release_inprocess_dbt

    home = uninterrupted["home"]  # the same path every time: dbt's partial parse stays valid
    warehouse = home / "warehouse" / "pdgov.duckdb"
    monkeypatch.setenv("PDGOV_HOME", str(home))
    monkeypatch.setenv("PDGOV_HMAC_KEY", TEST_KEY)
    night = dbt.dbt_vars(AS_OF, RUN_ID)
    first_night = home.parent / "first_night.duckdb"
    if not first_night.exists():
        dbt.run(["run", "--vars", night, "--select", "+webir_audit_samples", "+base_punches_superseded"])
        release_inprocess_dbt()
        shutil.copy2(warehouse, first_night)
    _restore(first_night, warehouse)
    dbt.run(["run", "--vars", night, "--select", model])
    release_inprocess_dbt()
    once = fingerprint(warehouse, SAME_NIGHT)

    _restore(first_night, warehouse)
    _crash(home, DBT_TASK, point, model, point)
    dbt.run(["run", "--vars", night, "--select", model])
    release_inprocess_dbt()
    assert diff(once, fingerprint(warehouse, SAME_NIGHT)) == {}
