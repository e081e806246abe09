"""One pdgov writer at a time on a ``PDGOV_HOME``'s warehouse, outside Airflow's pool too.

DuckDB refuses a second process the file with a raw "Could not set lock" error, and a process that
opens it while retention swaps in a fresh copy would write into the file being replaced. Airflow's
one-slot pool ``pdgov_warehouse`` orders the tasks of the DAGs, but not a steward's ``pdgov run``
started twice, nor ``pdgov incident declare`` or ``pdgov hold add`` during a night.

So every pdgov door to the warehouse takes an ``fcntl`` lock on ``warehouse/writer.lock`` first:
exclusive to write, shared to read. A process that cannot have it waits up to
``PDGOV_LOCK_WAIT_SECONDS`` (default 30) and then stops with :class:`WarehouseBusy`, naming the
holder (pid, command, since when), which the exclusive holder writes into the lock file.

Three rules make it cover whole commands without deadlocking on itself:

* In one process the lock is re-entrant (a ``connect()`` inside a purge inside a command).
* Inside a ``pdgov`` command (:func:`command`), once taken it is kept until the command ends, so a
  declaration's ingest, dbt build and notices are one unit no other writer can cut into.
* A holder passes its token to the processes it starts (``PDGOV_WRITER_LOCK``): ``pdgov run`` holds
  the lock while ``airflow dags test`` runs, and the tasks in that subprocess (and their workbook
  children) see their ancestor's token on the held lock and go ahead without waiting for it.

In the Celery deployment nobody holds it for a whole run: each task takes it around its own
connections while the pool keeps tasks apart; a steward's command on the same host then waits for
the task's connection instead of failing on DuckDB's lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pdgov import clock
from pdgov.config import paths

TOKEN_ENV = "PDGOV_WRITER_LOCK"
WAIT_ENV = "PDGOV_LOCK_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 30.0
#: ``EX_TEMPFAIL``: the command may simply be run again later.
BUSY_EXIT_CODE = 75


class WarehouseBusy(RuntimeError):
    """Another pdgov process holds the warehouse longer than this one may wait."""


@dataclass
class _Held:
    fd: int
    exclusive: bool
    depth: int = 0


_state_lock = threading.RLock()
_held: dict[Path, _Held] = {}
_command: dict[str, object] = {"label": None, "sticky": False}


def lock_path() -> Path:
    return paths().warehouse_dir / "writer.lock"


def wait_seconds() -> float:
    return float(os.environ.get(WAIT_ENV) or DEFAULT_WAIT_SECONDS)


def _label() -> str:
    if _command["label"]:
        return str(_command["label"])
    task = os.environ.get("AIRFLOW_CTX_TASK_ID")
    if task:
        return f"airflow task {os.environ.get('AIRFLOW_CTX_DAG_ID', '?')}.{task}"
    return " ".join([Path(sys.executable).name, *sys.argv])[:300]


def holder(path: Path | None = None) -> dict | None:
    """What the exclusive holder wrote into the lock file (pid, command, since, token), if anything."""
    try:
        text = (path or lock_path()).read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _inherited(path: Path) -> bool:
    """An ancestor holds the lock and lent this process its token (see the module docstring)."""
    value = os.environ.get(TOKEN_ENV, "")
    where, _, token = value.rpartition("|")
    if not token or where != str(path):
        return False
    h = holder(path)
    if not h or h.get("token") != token or not _alive(int(h.get("pid", 0))):
        return False
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True  # held, by the holder that wrote the token
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False  # a stale token: its holder is gone
    finally:
        os.close(fd)


def _busy_message(path: Path, exclusive: bool, waited: float) -> str:
    h = holder(path)
    if h:
        who = f"`{h.get('command')}` (pid {h.get('pid')}) has held it since {h.get('since')}"
    else:
        who = "another pdgov process is reading it"
    return (f"the warehouse {path.parent / 'pdgov.duckdb'} is busy: {who}; waited {waited:.0f} s to "
            f"{'write' if exclusive else 'read'}. Run this again when it has finished, or wait longer "
            f"with {WAIT_ENV}.")


def _acquire(path: Path, fd: int, exclusive: bool, wait: float) -> None:
    deadline = time.monotonic() + wait
    flag = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    pause = 0.02
    t0 = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, flag)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseBusy(_busy_message(path, exclusive, time.monotonic() - t0)) from None
            time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
            pause = min(pause * 2, 0.5)


def _announce(path: Path, fd: int) -> None:
    """As the exclusive holder: say who holds it, and lend the token to this process's children."""
    token = secrets.token_hex(8)
    body = json.dumps({"pid": os.getpid(), "command": _label(), "since": f"{clock.now():%Y-%m-%d %H:%M:%S} {clock.TIMEZONE}",
                       "token": token}, ensure_ascii=False)
    os.ftruncate(fd, 0)
    os.pwrite(fd, body.encode("utf-8"), 0)
    os.environ[TOKEN_ENV] = f"{path}|{token}"


def _release(path: Path, h: _Held) -> None:
    if h.exclusive:
        os.ftruncate(fd := h.fd, 0)
        os.environ.pop(TOKEN_ENV, None)
    else:
        fd = h.fd
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    _held.pop(path, None)


@contextmanager
def hold(*, shared: bool = False, wait: float | None = None) -> Iterator[None]:
    """Hold the warehouse: exclusively to write (default), ``shared`` to read."""
    path = lock_path()
    exclusive = not shared
    with _state_lock:
        mine = path in _held
    if not mine and _inherited(path):
        yield
        return
    with _state_lock:
        h = _held.get(path)
        if h is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                _acquire(path, fd, exclusive, wait_seconds() if wait is None else wait)
            except BaseException:
                os.close(fd)
                raise
            h = _held[path] = _Held(fd, exclusive)
            if exclusive:
                _announce(path, fd)
        elif exclusive and not h.exclusive:
            # A reader that now writes: flock converts the shared lock (not atomically, hence the wait).
            _acquire(path, h.fd, True, wait_seconds() if wait is None else wait)
            h.exclusive = True
            _announce(path, h.fd)
        h.depth += 1
    try:
        yield
    finally:
        with _state_lock:
            h.depth -= 1
            if h.depth == 0 and not _command["sticky"]:
                _release(path, h)


@contextmanager
def command(label: str) -> Iterator[None]:
    """A ``pdgov`` command: whatever lock it takes is kept until it ends (see the module docstring)."""
    _command.update(label=label, sticky=True)
    try:
        yield
    finally:
        _command.update(label=None, sticky=False)
        with _state_lock:
            for path, h in list(_held.items()):
                if h.depth == 0:
                    _release(path, h)
