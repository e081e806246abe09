"""The deployment tests' services (PostgreSQL, Redis on loopback): present, or an explicit opt-out.

A CI machine without them used to pass the deployment tests by skipping them. Now a missing
service fails the test, unless the run says on purpose that it does without them:
``PDGOV_SKIP_DEPLOYMENT=1``.
"""

from __future__ import annotations

import os
import socket

import pytest

SKIP_ENV = "PDGOV_SKIP_DEPLOYMENT"


def require(*services: tuple[str, str, int]) -> None:
    """``(name, host, port)`` each: reachable, or skip (opted out) or fail (not opted out)."""
    for name, host, port in services:
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError as exc:
            why = f"{name} is not reachable on {host}:{port} ({exc})"
            if os.environ.get(SKIP_ENV) == "1":
                pytest.skip(f"{why}; skipped because {SKIP_ENV}=1")
            pytest.fail(f"{why}. The deployment tests run in CI; to do without them on purpose set "
                        f"{SKIP_ENV}=1", pytrace=False)
