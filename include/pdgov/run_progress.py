"""What ``pdgov run`` shows while ``airflow dags test`` works: one line per task, not 2,000.

``airflow dags test`` writes every task's log to its own stdout (there are no per-task log
files on the embedded default). The runner sends all of it to a file under ``PDGOV_HOME/logs``
and this module reads the same stream for the few lines a person at a terminal needs: the run
that was created, each task as it ends (state, seconds, a progress count) and, when something
fails, the last lines of that task's own log.

Task states are read twice: from the stream as tasks end (for the running display), and at the
end from Airflow's metadata database (SQLite on the embedded default), which is the authority —
tasks that never started (``upstream_failed``) appear only there.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Lines of `airflow dags test` output this module understands (Airflow 3.3, structlog console format).
STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z ")
RUN_CREATED = re.compile(r"Created dag run\..*?<DagRun \S+ @ .*?: (?P<run_id>\S+), state:")
TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(?P<task>\S+) map_index=(?P<map>-?\d+)")
TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(?P<task>\S+) map_index=(?P<map>-?\d+)")
NEW_STATE = re.compile(r"new_state=(?P<state>\w+)")
IMPORT_ERROR = re.compile(r"Error loading DAG from (?P<file>\S+): (?P<error>.*?)(?: \[airflow[^\]]*\].*)?$")
# A task's own log without Airflow's bookkeeping around it, for "the last lines of its log".
NOISE = re.compile(r"::group::|::endgroup::|Task instance state updated|\[DAG TEST\]|Pushing xcom|"
                   r"Updating RenderedTaskInstanceFields|Task started  ")
FAILED_STATES = ("failed", "up_for_retry", "upstream_failed")
TAIL_LINES = 12


@dataclass
class TaskEnd:
    task_id: str
    state: str
    seconds: float | None


@dataclass
class RunWatch:
    """Follows one ``airflow dags test`` stream; ``feed`` every line, read the results after."""

    report: Callable[[TaskEnd, int, int | None], None] | None = None
    #: The run's task count (``run_tasks``), read once the run has started.
    read_tasks: Callable[[str], int | None] | None = None
    run_id: str | None = None
    ended: list[TaskEnd] = field(default_factory=list)
    total: int | None = None
    segments: dict[str, list[str]] = field(default_factory=dict)  # task id -> its latest try's lines
    _current: str | None = None
    _started: datetime | None = None
    _state: str | None = None
    _lines: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    import_errors: list[str] = field(default_factory=list)  # "file: error" for each DAG file that did not import

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        self.tail = (self.tail + [line])[-200:]
        if self.run_id is None and (m := IMPORT_ERROR.search(line)):
            self.import_errors.append(f"{m.group('file')}: {m.group('error')}")
        if self.run_id is None and (m := RUN_CREATED.search(line)):
            self.run_id = m.group("run_id")
            return
        if m := TASK_START.search(line):
            self._current, self._started, self._state, self._lines = m.group("task"), _stamp(line), None, []
            if self.total is None and self.read_tasks and self.run_id:
                self.total = self.read_tasks(self.run_id)
            return
        if self._current is None:
            return
        if m := TASK_END.search(line):
            ended = _stamp(line)
            seconds = (ended - self._started).total_seconds() if ended and self._started else None
            end = TaskEnd(m.group("task"), self._state or "unknown", seconds)
            self.ended.append(end)
            self.segments[end.task_id] = self._lines
            self._current = None
            if self.report:
                self.report(end, len(self.ended), self.total)
            return
        if m := NEW_STATE.search(line):
            self._state = m.group("state")
        self._lines.append(line)

    def last_lines(self, task_id: str, n: int = TAIL_LINES) -> list[str]:
        """The end of a task's own log (its latest try), Airflow's bookkeeping lines left out."""
        lines = self.segments.get(task_id)
        if lines is None and task_id == self._current:
            lines = self._lines  # the stream stopped inside this task
        return [ln[:240] for ln in (lines or []) if not NOISE.search(ln)][-n:]


def _stamp(line: str) -> datetime | None:
    m = STAMP.match(line)
    return datetime.fromisoformat(m.group(1)) if m else None


def format_task(end: TaskEnd, done: int, total: int | None) -> str:
    count = f"{done:>3}/{total}" if total else f"{done:>3}"
    secs = f"{end.seconds:6.1f} s" if end.seconds is not None else "       "
    return f"  [{count}] {end.task_id:<58} {end.state:<14}{secs}"


def _metadata(airflow_home: Path) -> sqlite3.Connection:
    db = airflow_home / "airflow.db"
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)


def run_tasks(airflow_home: Path, dag_id: str) -> Callable[[str], int | None]:
    """The run's task count, for the progress count each task line carries."""
    def read(run_id: str) -> int | None:
        try:
            with _metadata(airflow_home) as con:
                (n,) = con.execute("SELECT count(*) FROM task_instance WHERE dag_id = ? AND run_id = ?",
                                   [dag_id, run_id]).fetchone()
        except sqlite3.Error:
            return None  # the count is a nicety; the run goes on
        return n or None
    return read


def task_states(airflow_home: Path, dag_id: str, run_id: str) -> dict[str, str] | None:
    """Every task's final state in Airflow's metadata (None: the database could not be read)."""
    try:
        with _metadata(airflow_home) as con:
            rows = con.execute("SELECT task_id, coalesce(state, 'none') FROM task_instance "
                               "WHERE dag_id = ? AND run_id = ? AND map_index = -1", [dag_id, run_id]).fetchall()
    except sqlite3.Error:
        return None
    return dict(rows)


def failed_tasks(states: dict[str, str] | None, ended: Iterable[TaskEnd]) -> list[str]:
    """Tasks that failed, in the order they ended (the first is where to look)."""
    order = [e.task_id for e in ended]
    if states is None:  # no metadata: what the stream said
        last = {e.task_id: e.state for e in ended}
        return [t for t in dict.fromkeys(order) if last[t] in ("failed", "up_for_retry")]
    failed = [t for t, s in states.items() if s == "failed"]
    return sorted(failed, key=lambda t: order.index(t) if t in order else len(order))


def state_counts(states: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for s in states.values():
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: -kv[1]))
