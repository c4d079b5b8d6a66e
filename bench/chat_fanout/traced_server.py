"""uvicorn under tracemalloc, for ``idle.py --tracemalloc``: what holds an idle socket's memory.

    python -m bench.chat_fanout.traced_server <uvicorn arguments>

Every SIGUSR1 writes a tracemalloc snapshot to ``$HEARTH_TRACEMALLOC_DIR/snapshot-<n>.pickle``
(the idle scenario takes one before the sockets open and one after the idle window and
prints the difference). Tracing makes the process slower and bigger: use it to see
*where* the memory goes, not how much there is (the plain run measures that).
"""

from __future__ import annotations

import os
import signal
import sys
import tracemalloc
from pathlib import Path


def main() -> None:
    tracemalloc.start(int(os.environ.get("HEARTH_TRACEMALLOC_FRAMES", "12")))
    folder = Path(os.environ["HEARTH_TRACEMALLOC_DIR"])
    taken = 0

    def dump(signum, frame) -> None:
        nonlocal taken
        taken += 1
        partial = folder / f"snapshot-{taken}.part"
        tracemalloc.take_snapshot().dump(str(partial))
        partial.rename(folder / f"snapshot-{taken}.pickle")  # complete once it appears

    signal.signal(signal.SIGUSR1, dump)
    from uvicorn.main import main as uvicorn_main

    sys.argv = ["uvicorn", *sys.argv[1:]]
    uvicorn_main()


if __name__ == "__main__":
    main()
