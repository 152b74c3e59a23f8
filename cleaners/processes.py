"""Worker processes that do not outlive the process that started them."""
from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import wait


def exit_with_parent() -> None:
    """Call in a worker's initializer. A pool worker whose parent was killed (SIGKILL, the OOM
    killer) would wait for work forever: it holds both ends of its task queue, so the queue never
    reports the parent gone, and it keeps the parent's stdout and stderr open. The parent's
    sentinel does report it."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        wait([parent.sentinel])
        os._exit(0)
    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
