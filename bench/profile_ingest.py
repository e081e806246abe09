"""Where one punch file's ingest spends its time: every statement ``ingest_source`` runs on its
warehouse connection that took 20 ms or more (``--min-ms``), and — always listed — the hashing,
the pandera gate (its Ibis queries are not listed one by one) and the checkpoint at close. The
hashing and the gate contain statements listed on their own too: the lines do not add up.

    .venv/bin/python bench/profile_ingest.py --rows 10000000

The figures behind docs/ingest.md's cost table. Run on a quiet machine; it prints what it
measured, nothing is compared to a target.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--min-ms", type=float, default=20, help="statements faster than this are not listed")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="profile-ingest-"))
    os.environ["PDGOV_HOME"] = str(work / "home")
    os.environ.setdefault("PDGOV_HMAC_KEY", "bench-key-0123456789abcdef0123456789")
    os.environ.setdefault("PDGOV_DUCKDB_MEMORY_LIMIT", "1GB")
    import pdgov.ingest.run as run
    from pdgov import clock
    from pdgov.config import paths
    from pdgov.ingest import gate, ledger
    from pdgov.synth import punch_csv

    spent: list[tuple[float, str]] = []

    class Timed:
        """The warehouse connection, timing each ``execute``."""

        def __init__(self, con):
            self._con = con

        def execute(self, sql, *params):
            t = time.perf_counter()
            out = self._con.execute(sql, *params)
            if (dt := time.perf_counter() - t) * 1000 >= args.min_ms:
                spent.append((dt, " ".join(str(sql).split())[:100]))
            return out

        def __getattr__(self, name):
            return getattr(self._con, name)

    connect = run.connect

    @contextlib.contextmanager
    def timed_connect():
        with connect() as con:
            yield Timed(con)
            t = time.perf_counter()
        spent.append((time.perf_counter() - t, "close (checkpoint)"))

    run.connect = timed_connect
    # Each replaced where the ingest looks it up.
    for module, name in ((run, "sniff"), (gate, "pandera_gate"), (ledger, "archive_loaded")):
        fn = getattr(module, name)

        def timed(*a, _fn=fn, _name=name, **k):
            t = time.perf_counter()
            try:
                return _fn(*a, **k)
            finally:
                spent.append((time.perf_counter() - t, f"{_name}()"))

        setattr(module, name, timed)
    try:
        p = paths().ensure()
        f = p.landing_for("punches") / f"punches_{args.rows}.csv"
        punch_csv(f, args.rows)
        print(f"{args.rows:,} rows, {f.stat().st_size / 1e6:,.0f} MB")
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        r = run.ingest_source("punches", "profile", clock.today())
        total = time.perf_counter() - t0
        for dt, what in spent:
            print(f"{dt:7.2f} s  {what}")
        ru = resource.getrusage(resource.RUSAGE_SELF)
        cpu = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime
        print(f"{total:7.2f} s  ingest_source, {r['rows_in']:,} rows loaded; CPU {cpu:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
