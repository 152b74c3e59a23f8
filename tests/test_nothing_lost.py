"""Issue 8 (1): write, then remember. Incremental state learns a URL only after its record is stored
in the feed; a feed that cannot be written fails the run and teaches the state nothing; a crawl
killed with SIGKILL and run again loses no article. Real `scrapy crawl` processes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from crawlrun import crawl, read_jsonl, scrapy

PORTAL = "investchn"
ARTICLES = sorted(p["url"] for p in json.loads((FIXTURES / PORTAL / "manifest.json").read_text(encoding="utf-8"))["pages"]
                  if p["kind"] == "article")


def test_a_feed_that_cannot_be_written_fails_the_run_and_teaches_the_state_nothing(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    state = f"STATE_URI={tmp_path / 'state.sqlite'}"
    proc = scrapy("crawl", PORTAL, "-O", "/dev/full:jsonlines", "-s", "INCREMENTAL=True", "-s", state,
                  "-s", f"REJECTIONS_URI={tmp_path / 'full.rejections.jsonl'}", "-s", "LOG_LEVEL=INFO")
    assert proc.returncode != 0, proc.stderr[-2000:]
    assert "[ok]" not in proc.stderr and "FAILED: 1 feed(s) not stored" in proc.stderr
    # The next run writes every article: none of them is `seen-before`.
    items, rejections, proc = crawl(PORTAL, tmp_path / "out.jsonl", "INCREMENTAL=True", state)
    assert sorted(i["url"] for i in items) == ARTICLES
    assert not [r for r in rejections if r["reason"] == "seen-before"]


def test_sigkill_mid_crawl_then_rerun_loses_no_article(tmp_path):
    """One page a second: kill -9 after two articles were scraped (they sit in the feed's buffer,
    not on disk), run again: the union of both runs' feeds holds every article."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "slow_settings.py").write_text('''
import asyncio
from crawler.settings import *  # noqa: F401,F403
from crawler.settings import DOWNLOADER_MIDDLEWARES

DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "slow_settings.Slow": 900}


class Slow:
    async def process_request(self, request, spider=None):
        await asyncio.sleep(0.7)
''', encoding="utf-8")
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "slow_settings",
           "PYTHONPATH": os.pathsep.join([str(modules), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    state = f"STATE_URI={tmp_path / 'state.sqlite'}"
    first, log = tmp_path / "first.jsonl", tmp_path / "first.log"
    proc = subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", PORTAL, "-O", str(first), "-s", "INCREMENTAL=True",
                             "-s", state, "-s", "CONCURRENT_REQUESTS=1", "-s", f"LOG_FILE={log}", "-s", "LOG_LEVEL=DEBUG"],
                            cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while (not log.exists() or log.read_text(encoding="utf-8").count("Scraped from <") < 3) and proc.poll() is None:
            assert time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    items, _, _ = crawl(PORTAL, tmp_path / "second.jsonl", "INCREMENTAL=True", state)
    union = {i["url"] for i in read_jsonl(first)} | {i["url"] for i in items}
    assert sorted(union) == ARTICLES
    # And the state now knows them: a third run skips every one.
    again, rejections, _ = crawl(PORTAL, tmp_path / "third.jsonl", "INCREMENTAL=True", state)
    assert again == [] and sorted(r["url"] for r in rejections if r["reason"] == "seen-before") == ARTICLES
