"""``pdgov ui``: the Airflow UI with the pdgov pages on the embedded default, and a local login.

It starts ``airflow api-server`` on the same ``AIRFLOW_HOME`` ``pdgov run`` uses (SQLite metadata,
so the UI shows the nights already run), with the plugin in ``plugins/`` and Airflow 3's simple
auth manager. Who may log in comes from the same file that says who sees which agency
(``pdgov.ui.access``): its committee users log in with Airflow's ``admin`` role, the stewards it
names with ``viewer``. Passwords are generated once into the auth manager's own file in
``AIRFLOW_HOME`` (mode 600); the terminal says where, never the passwords themselves. The server's
log goes to ``PDGOV_HOME/logs/pdgov_ui.log``; the terminal gets the URL and how to log in.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from pdgov.config import Paths, paths
from pdgov.ui import access

SIMPLE_AUTH = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
PASSWORDS = "simple_auth_manager_passwords.json.generated"
READY_SECONDS = 180


def _private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def login_users(acc: access.Access) -> dict[str, str]:
    """User -> Airflow role for the simple auth manager: committee users admin, stewards viewer."""
    users = {u: "admin" for u in sorted(acc.committee_users)}
    users.update({u: "viewer" for u in sorted(acc.users) if u not in users})
    return users


def ensure_passwords(file: Path, users: dict[str, str]) -> None:
    """A password for every user that has none yet (the auth manager reads this file)."""
    known = json.loads(file.read_text(encoding="utf-8")) if file.exists() and file.read_text().strip() else {}
    missing = [u for u in users if u not in known]
    if missing or not file.exists():
        known.update({u: secrets.token_urlsafe(12) for u in missing})
        _private(file, json.dumps(known) + "\n")


def jwt_secret(p: Paths) -> str:
    """One signing key for the UI's logins, kept beside the metadata: a restart keeps everyone logged in."""
    f = p.airflow_home / ".pdgov-ui-jwt-secret"
    if not f.exists():
        _private(f, secrets.token_hex(32))
    return f.read_text(encoding="utf-8").strip()


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def ui_env(p: Paths, host: str, port: int, users: dict[str, str]) -> dict[str, str]:
    from pdgov.runner import airflow_env, ensure_metadata

    env = airflow_env(p)
    ensure_metadata(p, env)
    ensure_passwords(p.airflow_home / PASSWORDS, users)
    env.update({
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in users.items()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(p.airflow_home / PASSWORDS),
        "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret(p),
        "AIRFLOW__API__BASE_URL": f"http://{host}:{port}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v2/monitor/health", timeout=5) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def serve(host: str = "127.0.0.1", port: int = 8080) -> int:
    p = paths().ensure()
    file = access.access_file()
    if not file.exists():
        access.write_file(file, ["committee"], {})
        print(f"pdgov ui: wrote {file}: user `committee` sees every agency; add stewards there")
    acc = access.load(file)
    if acc.error:
        print(f"pdgov ui: {acc.error}", file=sys.stderr)
        return 2
    users = login_users(acc)
    if not users:
        print(f"pdgov ui: {file} names no user to log in as (committee.users or [users])", file=sys.stderr)
        return 2
    if not port_free(host, port):
        print(f"pdgov ui: port {port} on {host} is in use: pass --port", file=sys.stderr)
        return 2
    env = ui_env(p, host, port, users)
    log_path = p.home / "logs" / "pdgov_ui.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("airflow")
    url = f"http://{host}:{port}"
    print(f"pdgov ui: starting the Airflow API server (log: {log_path}) …", flush=True)
    with open(log_path, "a", encoding="utf-8") as log:
        proc = subprocess.Popen([str(exe) if exe.exists() else "airflow", "api-server", "--host", host,
                                 "--port", str(port), "--workers", "1"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
                print("pdgov ui: the API server did not start:\n  " + "\n  ".join(tail), file=sys.stderr)
                return 1
            time.sleep(1)
        seen = {u: "所有機關 (all agencies)" if role == "admin" else "、".join(sorted(acc.users.get(u, ())))
                for u, role in users.items()}
        print(f"pdgov ui: ready at {url}/  (the Airflow UI; 個資治理儀表板 and 個資治理報表 in its menu)\n"
              f"  dashboard : {url}/pdgov/dashboard\n"
              f"  workbooks : {url}/pdgov/\n"
              f"  log in as : " + "; ".join(f"{u} → {s}" for u, s in seen.items()) + "\n"
              f"  passwords : {p.airflow_home / PASSWORDS}  (generated once, mode 600)\n"
              f"  who sees which agency: {file}\n"
              "  Ctrl-C stops the server.", flush=True)
        return _wait(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _wait(proc: subprocess.Popen) -> int:
    stop = {"signal": False}

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        stop["signal"] = True

    signal.signal(signal.SIGTERM, handler)
    try:
        while proc.poll() is None and not stop["signal"]:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    print("pdgov ui: stopped", flush=True)
    return 0 if proc.returncode in (None, 0, -signal.SIGTERM) else proc.returncode
