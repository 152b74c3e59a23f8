"""Cleaning off Scrapy's reactor: `cleaners.Cleaner.run` in a pool of worker processes.

Scrapy runs item pipelines on its one reactor thread, so a page being cleaned (tens of
milliseconds of lxml and regexes) holds every download and every export. `CleaningPool.clean(page,
portal)` hands the page to a worker process and returns a Deferred that fires, on the reactor
thread, with what `Cleaner.run` returns: the article item (a dict) or a rejection record
(`{"url", "status", "reason", "detail"}`). Results come back in completion order; their contents
do not depend on the number of workers.

Faults end as rejections, never as a stuck crawl:
- a page still being cleaned after CLEANERS_TIMEOUT seconds becomes `too-slow`; the pool's workers
  are then replaced (a process cannot be interrupted otherwise), and the other pages they held are
  cleaned again on the new workers;
- a worker that dies (a crash in a C extension, the OOM killer) breaks the pool, and every page
  the pool held is a suspect: suspects are cleaned again one at a time on fresh workers, and the
  one that kills a worker while alone becomes `worker-died`; the others come through unharmed.

Settings: CLEANERS_WORKERS (default: CPU count - 1, at least 1; 0 cleans in-process, on the
reactor), CLEANERS_TIMEOUT (seconds, default 60), CLEANERS_CONVERT, CLEANERS_GENERIC_EXTRACTOR.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from twisted.internet import defer

from cleaners import Cleaner, Page, Rejected

logger = logging.getLogger(__name__)

# A worker is replaced after this many pages, so a slow leak in a parser never accumulates.
TASKS_PER_WORKER = 2000

_worker_cleaner: Cleaner | None = None


def default_workers() -> int:
    return max((os.cpu_count() or 1) - 1, 1)


def _init_worker(convert: str | None, generic: str) -> None:
    global _worker_cleaner
    _worker_cleaner = Cleaner(convert=convert, generic=generic)


def clean_page(page: Page, portal: str | None) -> dict[str, Any]:
    """The task a worker runs (module level, so it pickles by name)."""
    return _worker_cleaner.run(page, portal)


class CleaningPool:
    def __init__(self, workers: int, convert: str | None = "t2s", generic: str = "generic",
                 timeout: float = 60.0, task: Callable[[Page, str | None], dict] = clean_page,
                 reactor=None):
        self.workers = max(int(workers), 0)
        self.timeout = timeout
        self.task = task
        self._options = (convert, generic)
        self._executor: ProcessPoolExecutor | None = None
        self._reactor = reactor
        # Pages handed to the workers at once: enough to keep each busy while results travel back,
        # few enough that a page's time limit runs while it is being cleaned, not while it queues.
        self._limit = 2 * self.workers
        self._waiting: deque[_Job] = deque()
        self._suspects: deque[_Job] = deque()  # in the pool when it broke: retried one at a time
        self._in_flight = 0
        if self.workers == 0:
            _init_worker(convert, generic)

    @classmethod
    def from_settings(cls, settings) -> "CleaningPool":
        workers = settings.get("CLEANERS_WORKERS")
        return cls(default_workers() if workers in (None, "") else int(workers),
                   convert=settings.get("CLEANERS_CONVERT") or None,
                   generic=settings.get("CLEANERS_GENERIC_EXTRACTOR", "generic"),
                   timeout=settings.getfloat("CLEANERS_TIMEOUT", 60.0))

    @property
    def reactor(self):
        if self._reactor is None:
            from twisted.internet import reactor
            self._reactor = reactor
        return self._reactor

    # -- the one call ---------------------------------------------------------------------------
    def clean(self, page: Page, portal: str | None = "auto") -> defer.Deferred:
        """A Deferred firing with the item dict or the rejection record of `page`."""
        if self.workers == 0:
            return defer.maybeDeferred(self.task, page, portal)
        result = defer.Deferred()
        self._waiting.append(_Job(page, portal, result))
        self._pump()
        return result

    def close(self) -> None:
        if self._executor is not None:
            _stop(self._executor, cancel_futures=True)
            self._executor = None

    # -- machinery ------------------------------------------------------------------------------
    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # Never fork a process running Twisted's reactor and its threads: start workers clean.
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                initargs=self._options, max_tasks_per_child=TASKS_PER_WORKER)
        return self._executor

    def _pump(self) -> None:
        if self._suspects:
            if self._in_flight == 0:
                job = self._suspects.popleft()
                job.alone = True
                self._in_flight += 1
                self._submit(job)
            return
        while self._waiting and self._in_flight < self._limit:
            self._in_flight += 1
            self._submit(self._waiting.popleft())

    def _settle(self, job: "_Job", record: dict) -> None:
        self._in_flight -= 1
        job.settle(record)
        self._pump()

    def _submit(self, job: "_Job") -> None:
        job.cancel_timer()
        job.timer = self.reactor.callLater(self.timeout, self._timed_out, job)
        executor = self._pool()
        try:
            future = executor.submit(self.task, job.page, job.portal)
        except BrokenProcessPool:  # broke since its last result: the next pool takes the page
            self._replace(executor)
            executor = self._pool()
            future = executor.submit(self.task, job.page, job.portal)
        job.executor = executor
        future.add_done_callback(lambda f: self.reactor.callFromThread(self._done, job, f))

    def _done(self, job: "_Job", future) -> None:
        if job.settled:
            return
        try:
            record = future.result()
        except BrokenProcessPool:
            self._replace(job.executor)
            if not job.alone:
                job.cancel_timer()
                self._in_flight -= 1
                self._suspects.append(job)
                self._pump()
                return
            record = Rejected("worker-died", "the cleaning worker died on this page (a crash or the "
                                             "memory limit)").to_record(job.page)
        except Exception as exc:  # the task itself raised (Cleaner.run never does): still a record
            record = Rejected("extract-failed", f"{type(exc).__name__}: {exc}").to_record(job.page)
        self._settle(job, record)

    def _timed_out(self, job: "_Job") -> None:
        if job.settled:
            return
        logger.warning("cleaning %s took more than %s s: rejected as too-slow, workers replaced",
                       job.page.url, self.timeout)
        self._replace(job.executor)  # first: the pages pumped in by _settle go to the new workers
        self._settle(job, Rejected("too-slow", f"cleaning took more than {self.timeout:g} s").to_record(job.page))

    def _replace(self, executor) -> None:
        """Stop a broken or stuck pool; the next submit starts a new one. Pages it still held fail
        with BrokenProcessPool and are resubmitted by _done."""
        if executor is not None and executor is self._executor:
            self._executor = None
            _stop(executor, cancel_futures=False)


class _Job:
    __slots__ = ("page", "portal", "result", "alone", "executor", "timer", "settled")

    def __init__(self, page, portal, result):
        self.page, self.portal, self.result = page, portal, result
        self.alone, self.executor, self.timer, self.settled = False, None, None, False

    def cancel_timer(self) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()

    def settle(self, record: dict) -> None:
        self.settled = True
        self.cancel_timer()
        self.result.callback(record)


def _stop(executor: ProcessPoolExecutor, cancel_futures: bool) -> None:
    # ProcessPoolExecutor has no public way to stop a busy worker (terminate_workers is 3.14+), and
    # shutdown() forgets its processes: take them first.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=cancel_futures)
