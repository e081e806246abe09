"""Named crash points: the crash tests stop a process abruptly at a step boundary, then re-run.

``PDGOV_CRASH_AT=<name>`` makes :func:`crash_point` end the process with ``os._exit`` at that
point — no ``finally``, no ``atexit``, no flushing: what a power cut or an OOM kill leaves. The
retention purge has its own variable (``PDGOV_RETENTION_CRASH_AT``, ``pdgov.retention.journal``)
on the same mechanism. Points: ``ingest_loaded_committed`` (a file's rows and ledger row are
committed, the file is still in landing), ``ingest_rejected_committed`` (a refused file's
problems are committed, the file is still in landing).
"""

from __future__ import annotations

import logging
import os

CRASH_ENV = "PDGOV_CRASH_AT"
EXIT_CODE = 97

log = logging.getLogger("pdgov")


def crash_point(name: str, env: str = CRASH_ENV) -> None:
    if os.environ.get(env) == name:
        log.error("pdgov: simulated crash at %s", name)
        os._exit(EXIT_CODE)
