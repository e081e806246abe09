"""The heap hooks around Cosmos's dbt tasks: old objects skipped, the task's garbage still freed."""

from __future__ import annotations

import gc
import weakref

from pdgov.transform.dbt_tasks import freeze_heap, thaw_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_collection_during_a_task_frees_what_the_task_dropped():
    survivor = _Node()
    gc.collect()
    freeze_heap({})
    try:
        assert gc.get_freeze_count() > 0
        made_by_task = _Node()
        gone = weakref.ref(made_by_task)
        del made_by_task
        # What Cosmos does after the dbt command: a full collection. It must still free the task's
        # cyclic garbage (that it skips the older objects is the next test).
        assert gc.collect() >= 1 and gone() is None
        assert survivor.me is survivor
    finally:
        thaw_heap({}, None)
    assert gc.get_freeze_count() == 0


def test_objects_that_die_during_a_task_are_collectable_after_it():
    before = _Node()
    gone = weakref.ref(before)
    freeze_heap({})
    del before  # alive when frozen, garbage during the task
    gc.collect()
    assert gone() is not None, "a frozen object was collected: the freeze did not narrow the collection"
    thaw_heap({}, None)
    gc.collect()
    assert gone() is None


def test_a_failed_task_leaves_nothing_frozen_past_the_next_task():
    freeze_heap({})  # the task fails: Airflow does not call the post-execute hook
    stale = _Node()
    gone = weakref.ref(stale)
    freeze_heap({})  # the next dbt task
    del stale
    thaw_heap({}, None)
    gc.collect()
    assert gc.get_freeze_count() == 0 and gone() is None
