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
from crawlrun import crawl, read_jsonl, scrapy, slow_replay_env

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
    env = {**os.environ, **slow_replay_env(tmp_path, 0.7)}
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


def test_a_copy_is_not_rejected_for_an_article_that_no_output_holds(httpserver, tmp_path):
    """Duplicate-filter claims are remembered only once the feeds are stored: after a run whose
    feed failed, the page it kept is gone from the site, and its copy is an article, not a
    `duplicate-of` a page that is in no output."""
    from werkzeug import Response

    from faultport import article_html, list_html, paragraphs, profile_toml
    gone: set[str] = set()
    page = article_html("同一篇稿件", paragraphs(77))

    def serve(request):
        if request.path in gone:
            return Response("gone", status=404)
        return Response(page, content_type="text/html; charset=utf-8")
    for path in ("/a/one.html", "/a/two.html"):
        httpserver.expect_request(path).respond_with_handler(serve)
    httpserver.expect_request("/list.html").respond_with_data(list_html(["/a/one.html", "/a/two.html"]),
                                                              content_type="text/html; charset=utf-8")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "copyport.toml").write_text(
        profile_toml("copyport", httpserver.url_for("/"), httpserver.url_for("/list.html")), encoding="utf-8")
    env = {"CLEANERS_PROFILE_PATH": str(tmp_path / "profiles")}
    live = ["-s", "REPLAY_FIXTURES=False", "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "ALLOW_PRIVATE_ADDRESSES=True",  # pytest-httpserver is on localhost
            "-s", f"STATE_URI={tmp_path / 'state.sqlite'}", "-s", "LOG_LEVEL=INFO"]
    proc = scrapy("crawl", "copyport", "-O", "/dev/full:jsonlines", *live,
                  "-s", f"REJECTIONS_URI={tmp_path / 'one.rejections.jsonl'}", env=env)
    assert proc.returncode != 0
    (copy,) = [r for r in read_jsonl(tmp_path / "one.rejections.jsonl") if r["reason"].startswith("duplicate-of")]
    kept = copy["reason"].split(" ", 1)[1]
    gone.add("/" + kept.split("/", 3)[3])
    items, rejections, _ = crawl("copyport", tmp_path / "two.jsonl", *[a for a in live if a != "-s"], env=env)
    assert [i["url"] for i in items] == [copy["url"]]
    assert {r["url"]: r["reason"] for r in rejections}[kept] == "http-404"
