"""Pausing Python's cycle collector around work that makes millions of acyclic objects.

Shared by every ring (the trail's writer in ``db``, ``check`` and the exports in ``services``):
a module of its own so the inner rings need not import the outer ones.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector, then restore it as it was.

    ``check`` and the exports stream millions of row tuples and strings, and a bulk insert's audit
    record lays out hundreds of thousands of rows, none in a reference cycle: reference counting
    frees them. The collector would still walk every one it meets, and every object the caller
    already holds (a fifth of ``check``'s time on the 30,000-project demo, a tenth of a CSV
    export's, and most of the trail's cost beyond its own work as the demo's objects grow).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
