"""The dbt project runs unchanged on a second adapter: ``dbt build --target postgres``.

A demo warehouse is ingested (real ingest, real DuckDB), its sources are copied into a fresh
PostgreSQL database, and the whole project — models, generic and singular tests — must build
there as it does on DuckDB. A failure names the DuckDB-only SQL to replace with dbt's
cross-database macros.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from support.cluster import create_database, drop_database
from support.postgres import copy_sources
from support.services import require

from pdgov.config import DBT_PROJECT_DIR, SOURCES

pytestmark = pytest.mark.deployment
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
AS_OF = date(2026, 11, 2)


@pytest.fixture(scope="module")
def pg_database():
    require(("PostgreSQL", "127.0.0.1", 5432))
    name = f"pdgov_dbt_{uuid.uuid4().hex[:10]}"
    create_database(PG_ADMIN, name)
    try:
        yield name
    finally:
        drop_database(PG_ADMIN, name)


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
    done = re.search(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) NO-OP=(\d+) TOTAL=(\d+)", proc.stdout)
    assert done, proc.stdout[-2000:]
    passed, _, error, skipped, no_op, total = map(int, done.groups())
    assert (error, skipped) == (0, 0) and passed + no_op == total, done.group(0)

    # The same project built on DuckDB from the same sources: every table (seeds and marts) has as many
    # rows on both adapters, and what people act on is the same — each device's status and reasons,
    # each register row's measured counts and §38 rating, each audit sample's draw (md5 order over
    # the sample seed, which pdgov_format_ts builds differently per adapter).
    import psycopg2

    from pdgov import warehouse
    from pdgov.transform import dbt

    same = {
        "device_compliance": "device_id, status, reasons",
        "personal_data_file_register": "agency_code, dataset, record_count, people_count, risk_score, risk_level",
        "webir_audit_samples": "agency_code, query_key, sample_kind, sample_seed, draw_order, flags",
        "devices_sharing_implicated_model": "*",
        "incident_scope": "*",
    }

    def as_text(rows) -> list[tuple[str, ...]]:
        return sorted(tuple(str(v) for v in row) for row in rows)

    dbt.build(AS_OF, "pg-portability")
    with psycopg2.connect(f"postgresql://postgres@127.0.0.1:5432/{pg_database}") as pg, pg.cursor() as cur:
        cur.execute("select table_name from information_schema.tables where table_schema = 'main' "
                    "and table_type = 'BASE TABLE' order by 1")
        tables = [name for (name,) in cur.fetchall()]
        pg_rows, pg_same = {}, {}
        for table in tables:
            cur.execute(f"select count(*) from main.{table}")  # noqa: S608 — names from the catalog
            pg_rows[table] = cur.fetchone()[0]
        for table, cols in same.items():
            cur.execute(f"select {cols} from main.{table}")  # noqa: S608 — fixed names
            pg_same[table] = as_text(cur.fetchall())
    with warehouse.connect(read_only=True) as con:
        duck_rows = {t: con.execute(f"select count(*) from main.{t}").fetchone()[0] for t in tables}  # noqa: S608
        duck_same = {t: as_text(con.execute(f"select {c} from main.{t}").fetchall()) for t, c in same.items()}  # noqa: S608
    assert set(same) <= set(tables), tables
    assert pg_rows == duck_rows
    for table in same:
        assert pg_same[table] == duck_same[table], table
    assert pg_rows["device_compliance"] == counts["raw.devices"]
    assert pg_rows["personal_data_file_register"] > 0 and pg_rows["webir_audit_samples"] > 0
