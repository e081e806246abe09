"""Helpers the tests and the benchmarks share; nothing in pdgov itself calls them.

Imported as ``support``: pytest puts ``tests/`` on ``sys.path`` (``tests/conftest.py`` has no
package above it), and a bench script adds it itself (``bench/bench_incident.py``).

``smtp``: a real SMTP server on loopback that can go down and come back. ``cluster``: the real
Airflow 3 components of a deployment as local processes. ``airflow_api``: a small client of
Airflow's REST API. ``postgres``: the warehouse's sources copied into PostgreSQL.
"""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (other test runs share the machine)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
