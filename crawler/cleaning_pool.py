"""Cleaning off Scrapy's reactor: `cleaners.Cleaner.run` in a pool of worker processes.

Scrapy runs item pipelines on its one reactor thread, so a page being cleaned (tens of
milliseconds of lxml and regexes) holds every download and every export. `CleaningPool.clean(page,
profile)` hands the page to a worker process and returns a Deferred that fires, on the reactor
thread, with what `crawler.cleaning.clean_page` returns there (an `Outcome`: the article's fields
or a rejection record, and the rules' removal counts), or fails with `cleaners.Rejected` when the
pool could not clean the page. Results come back in completion order; their contents do not depend
on the number of workers. Each worker builds its Cleaner from the same settings as the pipeline's
(`crawler.cleaning.cleaner_from_values`) and imports no Scrapy (crawler.cleaning holds its task).

Pages travel in batches (`crawler.cleaning.run_batch`): whatever waits when a worker has room, up to
BATCH pages, so a busy crawl pays one pickle, one reactor wake-up and one timer per batch rather
than per page, while a quiet one still sends each page at once. Each worker holds AHEAD batches, so
it never waits for the reactor to hand it the next one.

Faults end as rejections, never as a stuck crawl:
- a batch still being cleaned CLEANERS_TIMEOUT seconds after it was handed over has a page that
  hangs: the pool's workers are replaced (a process cannot be interrupted otherwise), and every
  page the pool held becomes a suspect;
- a worker that dies (a crash in a C extension, the OOM killer) breaks the pool, and every page
  the pool held is a suspect too;
- a batch whose task raised, or whose results did not pickle, makes its pages suspects too;
- suspects are cleaned again one at a time: the one that hangs while alone becomes `too-slow`, the
  one that kills its worker while alone `worker-died`, the one whose task raises alone
  `extract-failed`; the others come through unharmed. A hung page therefore costs up to twice
  CLEANERS_TIMEOUT.

Settings: CLEANERS_WORKERS (default: CPU count - 1, at least 1; 0 cleans in-process, on the
reactor, without this module), CLEANERS_TIMEOUT (seconds, default 60).
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

from cleaners import Page, Rejected

from .cleaning import clean_in_worker, init_worker, run_batch

logger = logging.getLogger(__name__)

# A worker is replaced after this many batches (5,000 to 80,000 pages), so a slow leak in a parser
# never accumulates, while its replacement's start-up (about a second) stays rare.
TASKS_PER_WORKER = 5000
BATCH = 16  # pages at most in one task
AHEAD = 4   # batches handed to each worker at once: it never waits for the reactor to send the next


def default_workers() -> int:
    return max((os.cpu_count() or 1) - 1, 1)


def workers_setting(settings) -> int:
    """CLEANERS_WORKERS: unset or empty means CPU count - 1 (at least 1); 0 means in-process."""
    value = settings.get("CLEANERS_WORKERS")
    return default_workers() if value in (None, "") else max(int(value), 0)


class CleaningPool:
    def __init__(self, workers: int, cleaner_settings: dict | None = None, timeout: float = 60.0,
                 task: Callable[[Page, str | None], Any] = clean_in_worker, reactor=None):
        self.workers = max(int(workers), 1)
        self.timeout = timeout
        self.task = task
        self._options = (dict(cleaner_settings or {}),)
        self._executor: ProcessPoolExecutor | None = None
        self._reactor = reactor
        # Batches handed over at once: enough to keep each worker busy while results travel back.
        # A batch's time limit starts when it is handed over, so it also covers the batches queued
        # ahead of it on its worker (at most AHEAD - 1, each a fraction of a second of work).
        self._limit = AHEAD * self.workers
        self._waiting: deque[_Job] = deque()
        self._suspects: deque[_Job] = deque()  # in the pool when it broke or hung: retried one at a time
        self._in_flight: set[_Batch] = set()
        self._warming: list = []  # start-up probes of the current pool, until every one answered

    @classmethod
    def from_settings(cls, settings, workers: int) -> "CleaningPool":
        from .pipelines import cleaner_values
        return cls(workers, cleaner_values(settings), timeout=settings.getfloat("CLEANERS_TIMEOUT", 60.0))

    @property
    def reactor(self):
        if self._reactor is None:
            from twisted.internet import reactor
            self._reactor = reactor
        return self._reactor

    # -- the one call ---------------------------------------------------------------------------
    def clean(self, page: Page, profile: str | None = None) -> defer.Deferred:
        """A Deferred firing with the task's result for `page`, or failing with Rejected
        (`too-slow`, `worker-died`, `extract-failed`) when the pool could not clean it."""
        result = defer.Deferred()
        self._waiting.append(_Job(page, profile, result))
        self._pump()
        return result

    def start(self) -> None:
        """Start the workers now (they take about a second to import the cleaners), rather than
        when the first page comes."""
        self._pool()

    def close(self) -> None:
        """At the end of the crawl: idle workers are joined; busy ones (a hung page) are killed."""
        if self._executor is not None:
            if self._in_flight:
                _stop(self._executor, cancel_futures=True)
            else:
                self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    # -- machinery ------------------------------------------------------------------------------
    def _pool(self) -> ProcessPoolExecutor:
        """The running pool, started if need be. Pages wait until its workers are up (importing the
        cleaners takes seconds), so start-up never counts against a page's time limit."""
        if self._executor is None:
            # Never fork a process running Twisted's reactor and its threads: start workers clean.
            executor = self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker,
                initargs=self._options, max_tasks_per_child=TASKS_PER_WORKER)
            self._warming = [executor.submit(os.getpid) for _ in range(self.workers)]
            for future in self._warming:
                future.add_done_callback(lambda f: self.reactor.callFromThread(self._warmed, executor, f))
        return self._executor

    def _warmed(self, executor, future) -> None:
        if executor is not self._executor or not self._warming:
            return
        try:
            future.result()
        except Exception as exc:  # the workers cannot start (a bad setting, a broken install)
            logger.error("cleaning workers could not start: %s: %s", type(exc).__name__, exc)
            self._replace(executor)
            self._warming = []
            failed = Rejected("extract-failed", f"the cleaning workers could not start: {type(exc).__name__}: {exc}")
            jobs = list(self._waiting) + list(self._suspects)
            self._waiting.clear()
            self._suspects.clear()
            for job in jobs:  # none is in flight: the pool never took one
                job.settle(failed)
            return
        if all(f.done() for f in self._warming):
            self._warming = []
            self._pump()

    def _pump(self) -> None:
        if not (self._waiting or self._suspects):
            return
        self._pool()
        if self._warming:
            return
        if self._suspects:
            if not self._in_flight:
                self._submit([self._suspects.popleft()], alone=True)
            return
        while self._waiting and len(self._in_flight) < self._limit:
            self._submit([self._waiting.popleft() for _ in range(min(BATCH, len(self._waiting)))])

    def _submit(self, jobs: list["_Job"], alone: bool = False) -> None:
        batch = _Batch(jobs, alone)
        self._in_flight.add(batch)
        batch.timer = self.reactor.callLater(self.timeout, self._timed_out, batch)
        work = [(job.page, job.profile) for job in jobs]
        executor = self._pool()
        try:
            future = executor.submit(run_batch, self.task, work)
        except BrokenProcessPool:  # broke since its last result: the next pool takes the batch
            self._replace(executor)
            executor = self._pool()
            future = executor.submit(run_batch, self.task, work)
        batch.executor = executor
        future.add_done_callback(lambda f: self.reactor.callFromThread(self._done, batch, f))

    def _done(self, batch: "_Batch", future) -> None:
        if batch not in self._in_flight:  # timed out: already settled or suspected
            return
        self._finish(batch)
        try:
            outcomes = future.result()
        except BrokenProcessPool:
            self._replace(batch.executor)
            if not batch.alone:
                self._suspects.extend(batch.jobs)
                self._pump()
                return
            outcomes = [Rejected("worker-died", "the cleaning worker died on this page (a crash or the memory limit)")]
        except Exception as exc:  # the task raised (clean_page never does) or a result did not pickle
            if not batch.alone:  # which page: one at a time, so the others come through
                self._suspects.extend(batch.jobs)
                self._pump()
                return
            outcomes = [Rejected("extract-failed", f"cleaning worker: {type(exc).__name__}: {exc}")]
        for job, outcome in zip(batch.jobs, outcomes):
            job.settle(outcome)
        self._pump()

    def _timed_out(self, batch: "_Batch") -> None:
        if batch not in self._in_flight:
            return
        self._finish(batch)
        if not batch.alone:  # one of its pages hangs: find which, one at a time
            logger.warning("a batch of %d pages took more than %s s to clean: its pages are cleaned again "
                           "one at a time, workers replaced", len(batch.jobs), self.timeout)
            self._suspects.extend(batch.jobs)
            self._replace(batch.executor)
            self._pump()
            return
        job = batch.jobs[0]
        logger.warning("cleaning %s took more than %s s: rejected as too-slow, workers replaced",
                       job.page.url, self.timeout)
        self._replace(batch.executor)  # first: the pages pumped in below go to the new workers
        job.settle(Rejected("too-slow", f"cleaning took more than {self.timeout:g} s (CLEANERS_TIMEOUT)"))
        self._pump()

    def _finish(self, batch: "_Batch") -> None:
        self._in_flight.discard(batch)
        if batch.timer is not None and batch.timer.active():
            batch.timer.cancel()

    def _replace(self, executor) -> None:
        """Stop a broken or stuck pool; the next submit starts a new one. Batches it still held fail
        with BrokenProcessPool, and _done makes their pages suspects."""
        if executor is not None and executor is self._executor:
            self._executor = None
            _stop(executor, cancel_futures=False)


class _Batch:
    __slots__ = ("jobs", "alone", "executor", "timer")

    def __init__(self, jobs, alone):
        self.jobs, self.alone, self.executor, self.timer = jobs, alone, None, None


class _Job:
    __slots__ = ("page", "profile", "result")

    def __init__(self, page, profile, result):
        self.page, self.profile, self.result = page, profile, result

    def settle(self, outcome) -> None:
        if isinstance(outcome, Rejected):
            self.result.errback(outcome)
        else:
            self.result.callback(outcome)


def _stop(executor: ProcessPoolExecutor, cancel_futures: bool) -> None:
    # ProcessPoolExecutor has no public way to stop a busy worker (terminate_workers is 3.14+), and
    # shutdown() forgets its processes: take them first.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=cancel_futures)
