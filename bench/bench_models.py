"""The dbt models alone: build time on the demo and on a city slice, the slowest models, and
whether the marts still find what the generator planted at city scale.

    .venv/bin/python bench/bench_models.py                   # demo + a 0.02-year city slice
    .venv/bin/python bench/bench_models.py --city-years 0.2  # a bigger slice
    .venv/bin/python bench/bench_models.py --skip-city

Each home is a fresh temporary PDGOV_HOME: synth → ingest (every source) → ``dbt build`` as of
the day after the synthetic end. The figures printed are wall seconds of ``dbt build`` (ratio to
the 30 s demo target of issue 4), the ten slowest nodes from ``run_results.json``, and, for the
city slice, planted-vs-found counts for the device, WebIR and account marts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

DEMO_TARGET_S = 30.0
SOURCES = ("punches", "devices", "webir", "webir_accounts", "roster", "incidents")
END = date(2026, 11, 1)


def _prepare(home: Path, scale: str, years: float | None) -> dict:
    from pdgov.ingest.run import ingest_source
    from pdgov.synth import generate

    t = time.perf_counter()
    manifest = generate(home, scale=scale, seed=7, end=END, years=years) if years else \
        generate(home, scale=scale, seed=7, end=END)
    synth_s = time.perf_counter() - t
    t = time.perf_counter()
    for source in SOURCES:
        ingest_source(source, f"bench-{scale}", END + timedelta(days=1))
    print(f"  synth {synth_s:.1f} s, ingest {time.perf_counter() - t:.1f} s")
    return manifest


def _build(home: Path) -> float:
    from pdgov.transform import dbt

    t = time.perf_counter()
    dbt.build(END + timedelta(days=1), "bench")
    wall = time.perf_counter() - t
    results = json.loads((home / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))
    slow = sorted(results["results"], key=lambda r: r.get("execution_time", 0), reverse=True)[:10]
    print(f"  dbt build {wall:.1f} s ({len(results['results'])} nodes); slowest:")
    for r in slow:
        print(f"    {r['execution_time']:7.2f} s  {r['unique_id']}")
    return wall


def _planted(manifest: dict) -> None:
    from pdgov.warehouse import connect

    p = manifest["planted"]
    checks = [
        ("prohibited devices", "prc_brand_devices",
         "SELECT device_id FROM main.device_compliance WHERE status = 'prohibited'"),
        ("implicated-model devices", "devices_of_implicated_model",
         "SELECT device_id FROM main.devices_sharing_implicated_model"),
        ("idle accounts", "idle_accounts", "SELECT account FROM main.webir_account_review WHERE finding = 'idle'"),
        ("shared accounts", "shared_accounts",
         "SELECT account FROM main.webir_account_review WHERE finding = 'shared'"),
    ]
    with connect(read_only=True) as con:
        for label, key, sql in checks:
            found = {r[0] for r in con.execute(sql).fetchall()}
            planted = set(p.get(key) or [])
            print(f"  {label}: planted {len(planted)}, found {len(found)}, planted ⊆ found: {planted <= found}")
        (flagged,) = con.execute("SELECT count(*) FROM main.webir_audit_samples WHERE sample_kind = 'flagged'").fetchone()
        (rows,) = con.execute("SELECT count(*) FROM main.stg_punches").fetchone()
        print(f"  punches {rows:,}; flagged queries sampled {flagged:,}")


def run(scale: str, years: float | None) -> float:
    home = Path(tempfile.mkdtemp(prefix=f"pdgov-bench-models-{scale}-")) / "home"
    os.environ["PDGOV_HOME"] = str(home)
    os.environ.setdefault("PDGOV_HMAC_KEY", "bench-key-not-for-production-0123456789abcdef")
    try:
        print(f"== {scale}" + (f" ({years} years)" if years else ""))
        manifest = _prepare(home, scale, years)
        wall = _build(home)
        _planted(manifest)
        return wall
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--city-years", type=float, default=0.02)
    ap.add_argument("--skip-city", action="store_true")
    args = ap.parse_args()
    demo = run("demo", None)
    print(f"demo dbt build {demo:.1f} s — ratio to the {DEMO_TARGET_S:.0f} s target: {demo / DEMO_TARGET_S:.2f}")
    if not args.skip_city:
        city = run("city", args.city_years)
        print(f"city slice ({args.city_years} years) dbt build {city:.1f} s")


if __name__ == "__main__":
    main()
