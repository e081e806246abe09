"""Hooks pdgov adds to Cosmos's dbt tasks (light: the DAG file imports this at parse time).

Cosmos ends every dbt command with a full ``gc.collect()`` (to release dbt's adapter semaphores,
astronomer-cosmos#2334). A full collection walks every object the process holds — Airflow, the
DAG, Cosmos, dbt and its last manifest — so its cost grows with the process, not with the dbt
run: in ``airflow dags test`` (``pdgov run``), where every dbt task of the night shares one
process, profiling showed ``gc.collect`` taking about half of each dbt task's wall time.

The hooks keep the collection but narrow it to what the dbt command created: objects alive
before the task are frozen (:func:`gc.freeze`, the interpreter's permanent generation, which
collections skip) and thawed again after it, so they stay collectable between tasks and no
object stays frozen longer than one task.
"""

from __future__ import annotations

import gc
from typing import Any


def freeze_heap(context: Any) -> None:
    """Before a dbt task: keep what the process already held out of Cosmos's closing collection."""
    gc.unfreeze()  # a task that failed never ran thaw_heap
    gc.freeze()


def thaw_heap(context: Any, result: Any = None) -> None:
    """After a dbt task: the frozen objects are ordinary again (collectable by the next collection)."""
    gc.unfreeze()
