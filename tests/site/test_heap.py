"""hearth.heap: a process with many sockets freezes what lives long, and thaws it now and
then so what closed sockets left in reference cycles is still freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from hearth import heap


@pytest.fixture(autouse=True)
def _thawed():
    yield
    gc.unfreeze()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_process_with_few_sockets_is_left_to_pythons_collector():
    keeper = heap.Keeper(now=0.0)
    assert keeper.tend(heap.FREEZE_FROM_SOCKETS - 1, now=60.0) == "left"
    assert gc.get_freeze_count() == 0


def test_many_sockets_freeze_what_lives_and_a_thaw_frees_closed_sockets_cycles():
    keeper = heap.Keeper(now=0.0)
    socket_state = _Cycle()  # what a closed socket leaves in a cycle
    gone = weakref.ref(socket_state)
    assert keeper.tend(heap.FREEZE_FROM_SOCKETS, now=60.0) == "frozen"
    assert gc.get_freeze_count() > 0
    del socket_state
    gc.collect()
    assert gone() is not None  # frozen: not collected, so no full pause walks it

    keeper.tend(heap.FREEZE_FROM_SOCKETS, now=heap.THAW_SECONDS)  # thaw, collect, freeze
    assert gone() is None


def test_when_the_sockets_are_gone_the_heap_is_thawed():
    keeper = heap.Keeper(now=0.0)
    keeper.tend(heap.FREEZE_FROM_SOCKETS, now=60.0)
    assert keeper.tend(10, now=120.0) == "thawed"
    assert gc.get_freeze_count() == 0


async def test_sockets_are_counted_while_open():
    before = heap.open_sockets()
    heap.socket_opened()
    assert heap.open_sockets() == before + 1
    heap.socket_closed()
    assert heap.open_sockets() == before
