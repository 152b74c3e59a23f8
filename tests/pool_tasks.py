"""Tasks and a driver for tests/test_cleaning_pool.py: the pool runs under a real reactor, in a
subprocess (Twisted's reactor cannot be restarted inside pytest), with tasks that misbehave on
marked pages. Workers import this module by name, so it lives beside the tests (on PYTHONPATH)."""
from __future__ import annotations

import json
import os
import sys
import time

from crawler.cleaning_pool import clean_in_worker


def crash_on_marker(page, portal):
    if b"<!--CRASH-->" in page.body:
        os._exit(3)  # what a segfault in a C extension or the OOM killer looks like from outside
    return clean_in_worker(page, portal)


def hang_on_marker(page, portal):
    if b"<!--HANG-->" in page.body:
        time.sleep(3600)
    return clean_in_worker(page, portal)


def raise_on_marker(page, portal):
    if b"<!--CRASH-->" in page.body:
        raise ValueError("a task that raises")
    return clean_in_worker(page, portal)


def extract_crash_on_marker(paths):
    """cleaners.cli.extract_chunk, but a saved page marked CRASH kills the worker cleaning it."""
    from cleaners.cli import extract_chunk
    for path in paths:
        with open(path, "rb") as fh:
            if b"<!--CRASH-->" in fh.read():
                os._exit(3)
    return extract_chunk(paths)


def main(task_name: str, workers: int, paths: list[str]) -> None:
    from scrapy.settings import Settings
    from twisted.internet import defer, task

    from cleaners import Page, Rejected
    from crawler.cleaning_pool import CleaningPool
    from crawler.pipelines import build_cleaner, clean_page

    def record(outcome):
        return {"article": outcome.article, "counters": dict(outcome.counters), **outcome.record}

    def failed(failure, page):
        failure.trap(Rejected)
        return {"url": page.url, "reason": failure.value.reason, "detail": failure.value.detail}

    async def run(reactor):
        started = time.monotonic()
        pages = [Page(body=open(p, "rb").read(), url=f"http://example.cn/{os.path.basename(p)}",
                      headers={"content-type": "text/html; charset=utf-8"}) for p in paths]
        if workers == 0:  # what the pipeline does with CLEANERS_WORKERS=0
            cleaner = build_cleaner(Settings())
            results = [record(clean_page(cleaner, page)) for page in pages]
        else:
            pool = CleaningPool(workers, {}, timeout=5, task=globals()[task_name], reactor=reactor)
            results = await defer.gatherResults([pool.clean(page).addCallbacks(record, failed, errbackArgs=(page,))
                                                 for page in pages])
            pool.close()
        print(json.dumps({"results": results, "seconds": time.monotonic() - started}, ensure_ascii=False))

    task.react(lambda reactor: defer.ensureDeferred(run(reactor)))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
