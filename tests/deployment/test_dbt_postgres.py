"""The dbt project runs unchanged on a second adapter: ``dbt build --target postgres``.

A demo warehouse is ingested (real ingest, real DuckDB), its sources are copied into a fresh
PostgreSQL database, and the whole project — models, generic and singular tests — must build
there as it does on DuckDB. A failure names the DuckDB-only SQL to replace with dbt's
cross-database macros.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

from pdgov.config import DBT_PROJECT_DIR, SOURCES
from pdgov.deploy.cluster import create_database, drop_database
from pdgov.deploy.postgres import copy_sources

pytestmark = pytest.mark.deployment
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
AS_OF = date(2026, 11, 2)


@pytest.fixture(scope="module")
def pg_database():
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432")
    name = f"pdgov_dbt_{uuid.uuid4().hex[:10]}"
    create_database(PG_ADMIN, name)
    try:
        yield name
    finally:
        drop_database(PG_ADMIN, name)


@pytest.mark.xfail(strict=True, reason=(
    "known DuckDB-only SQL left in the models (issue 8 note): string_split+unnest in the incident models "
    "and register_codes_are_official, regexp_matches as a boolean in stg_devices, GROUP BY ALL"))
def test_dbt_build_passes_on_postgres(pdgov_home, pg_database, tmp_path):
    from pdgov import pipeline
    from pdgov.synth import generate

    generate(pdgov_home.home, scale="demo", seed=7, end=date(2026, 11, 1))
    pipeline.start_run("pg-portability", AS_OF, "test", None, None)
    for source in SOURCES:
        pipeline.ingest(source, "pg-portability", AS_OF)
    counts = copy_sources(pdgov_home.warehouse, f"postgresql://postgres@127.0.0.1:5432/{pg_database}")
    assert counts["raw.punches"] > 0

    env = dict(os.environ, PDGOV_PG_DB=pg_database, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--target", "postgres", "--profiles-dir", ".",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
         "--vars", f"{{as_of_date: '{AS_OF}', run_id: pg-portability}}"],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900,
    )
    errors = [line for line in proc.stdout.splitlines() if " ERROR " in line or "Database Error" in line]
    assert proc.returncode == 0, "dbt build --target postgres failed:\n" + "\n".join(errors) + proc.stdout[-3000:]
