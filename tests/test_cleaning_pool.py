"""Issue 13: cleaning in worker processes gives what in-process cleaning gives, and a worker that
dies or a page that hangs becomes a rejection with a reason while the other pages go through."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT
from faultport import article_html, paragraphs

TESTS = ROOT / "tests"


def run_pool(task: str, workers: int, paths) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)])}
    proc = subprocess.run([sys.executable, str(TESTS / "pool_tasks.py"), task, str(workers), *map(str, paths)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pool")
    paths = sorted(FIXTURES.glob("*/*.html"))[:12]
    for i, marker in enumerate(("CRASH", "HANG")):
        path = folder / f"{marker.lower()}.html"
        path.write_text(article_html(f"稿件{i}", paragraphs(50 + i)) + f"<!--{marker}-->", encoding="utf-8")
        paths.append(path)
    return paths


def test_workers_clean_exactly_what_in_process_cleaning_gives(pages):
    ordinary = [p for p in pages if p.parent.name != pages[-1].parent.name]
    alone = run_pool("crash_on_marker", 0, ordinary)["results"]
    pooled = run_pool("crash_on_marker", 2, ordinary)["results"]
    assert pooled == alone
    assert any(r["article"] for r in alone) and any("reason" in r for r in alone)


def test_a_dead_worker_and_a_hung_page_become_rejections(pages):
    results = run_pool("crash_on_marker", 2, pages)["results"]
    by_url = {r["url"]: r for r in results}
    assert by_url["http://example.cn/crash.html"]["reason"] == "worker-died"
    assert by_url["http://example.cn/hang.html"]["article"]  # the crash took nobody else down
    assert sum(r.get("article", False) for r in results) >= 5

    run = run_pool("hang_on_marker", 2, pages)
    by_url = {r["url"]: r for r in run["results"]}
    assert by_url["http://example.cn/hang.html"]["reason"] == "too-slow"
    assert by_url["http://example.cn/crash.html"]["article"]
    assert run["seconds"] < 60  # the 5 s limit held: nobody waited for the hour-long page
    assert [r for r in run["results"] if r["url"] != "http://example.cn/hang.html"] == \
        [r for r in results if r["url"] not in ("http://example.cn/crash.html", "http://example.cn/hang.html")] + \
        [by_url["http://example.cn/crash.html"]]


def test_a_task_that_raises_costs_only_its_own_page(pages):
    """Pages travel in batches: the page whose task raised is `extract-failed`; the pages that
    shared its batch are cleaned again alone and come through."""
    results = run_pool("raise_on_marker", 1, pages)["results"]
    by_url = {r["url"]: r for r in results}
    assert by_url["http://example.cn/crash.html"]["reason"] == "extract-failed"
    assert "a task that raises" in by_url["http://example.cn/crash.html"]["detail"]
    others = [r for r in results if r["url"] != "http://example.cn/crash.html"]
    assert len(others) == len(pages) - 1 and not any(r.get("reason") == "extract-failed" for r in others)
    assert sum(r.get("article", False) for r in others) >= 5


@pytest.mark.parametrize("portal", ["investchn", "netease-hao"])
def test_a_crawl_emits_the_same_items_and_rejections_whatever_the_number_of_workers(portal, tmp_path):
    from crawlrun import crawl

    def as_set(records):
        return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)
    runs = {}
    for workers in (0, 2):
        items, rejections, _ = crawl(portal, tmp_path / f"w{workers}.jsonl", f"CLEANERS_WORKERS={workers}",
                                     f"STATE_URI={tmp_path / f'state{workers}' / '%(name)s.sqlite'}")
        runs[workers] = (as_set(items), as_set(rejections))
    assert runs[0][0] and runs[0][1]  # articles and rejections both present
    assert runs[2] == runs[0]


def test_extract_turns_a_page_that_kills_its_worker_into_a_rejection_and_keeps_the_order(pages):
    """`python -m cleaners extract --jobs N`: the crash costs one record (worker-died), every other
    input comes through as one process cleans it, in input order, including those that shared the
    dead worker's chunk or were queued behind it."""
    import pool_tasks

    from cleaners import Cleaner, ProfileRegistry
    from cleaners.cli import extract_one, extract_parallel
    crash = next(str(p) for p in pages if p.name == "crash.html")
    ordinary = [str(p) for p in pages if p.name not in ("crash.html", "hang.html")]
    paths = ordinary[:5] + [crash] + ordinary[5:] + [crash] + ordinary[:2]
    options = ("auto", None, "auto", "generic")
    records = list(extract_parallel(paths, 2, options, task=pool_tasks.extract_crash_on_marker, chunk=3))
    assert [r["path"] for r in records] == paths
    cleaner = Cleaner(ProfileRegistry.default(), convert="auto", generic="generic")
    for path, record in zip(paths, records):
        if path == crash:
            assert record["reason"] == "worker-died" and "died" in record["error"]
        else:
            assert record == extract_one(cleaner, path, "auto", None)
    assert sum("articleBody" in r for r in records) >= 5


@pytest.mark.parametrize("main_module", ["crawler.cleaning", "crawler.crawl_all"])
def test_what_a_spawned_worker_imports_loads_no_scrapy(main_module):
    """A spawned worker imports the task's module and re-imports the parent's __main__ (`python -m
    crawler.crawl_all`): neither may pull Scrapy into every worker."""
    code = f"import sys, {main_module}; sys.exit('scrapy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
