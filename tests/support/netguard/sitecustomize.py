"""Outbound network blocked in every Python process of a test run; loopback and Unix sockets only.

Python imports ``sitecustomize`` at start-up from ``sys.path``: a test puts this folder on
``PYTHONPATH`` and names a log in ``PDGOV_NETGUARD_LOG``, and every process the run starts —
``pdgov``, ``airflow dags test``, dbt, the workbook children — installs an audit hook
(``sys.addaudithook``) that refuses connections, datagrams and name lookups to anything but the
machine itself. Each refusal raises in the caller (so it fails as a closed network would) and is
written to the log, which the test reads: a library that swallows the error still shows there.
Each process also writes one ``installed`` line, so the test sees the guard was everywhere.
``PDGOV_NETGUARD_CLOSED_PORTS`` (e.g. ``5432,6379``) makes loopback ports look closed as well: a
service that is not there.
"""

import os
import sys

_LOG = os.environ.get("PDGOV_NETGUARD_LOG")

if _LOG:
    import errno
    import ipaddress
    import json
    import socket

    _LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "", socket.gethostname()}
    _CLOSED = {int(p) for p in os.environ.get("PDGOV_NETGUARD_CLOSED_PORTS", "").split(",") if p.strip()}

    def _write(entry: dict) -> None:
        entry.update(pid=os.getpid(), argv=sys.argv[:4])
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, default=str) + "\n")

    def _local(host: object) -> bool:
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if host is None or str(host).lower() in _LOCAL_NAMES:
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _literal(host: object) -> bool:
        try:
            ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host).split("%")[0])
        except ValueError:
            return False
        return True

    def _guard(event: str, args: tuple) -> None:
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            sock, address = args[0], args[1]
            if getattr(sock, "family", None) == getattr(socket, "AF_UNIX", None) or address is None:
                return
            host = address[0] if isinstance(address, tuple) and address else address
            if event == "socket.connect" and isinstance(address, tuple) and len(address) > 1 and address[1] in _CLOSED:
                raise ConnectionRefusedError(errno.ECONNREFUSED, f"port {address[1]} closed by the test")
            if not _local(host):
                _write({"event": event, "blocked": str(address)})
                raise OSError(errno.ENETUNREACH, f"outbound connection blocked by the test: {address}")
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            # An address literal needs no lookup (its connect is checked); a name needs the resolver.
            if args and not _local(args[0]) and not _literal(args[0]):
                _write({"event": event, "blocked": str(args[0])})
                raise socket.gaierror(socket.EAI_NONAME, f"name lookup blocked by the test: {args[0]}")

    sys.addaudithook(_guard)
    _write({"event": "installed"})
