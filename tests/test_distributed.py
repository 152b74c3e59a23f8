"""Distributed crawling (issue 5): two `scrapy crawl` workers on one scrapy-redis queue, one of them
stopped mid-crawl and restarted, together emit exactly what a single-process crawl emits.

Runs offline: a real redis-server on a free loopback port, and a synthetic 55-page portal replayed
from fixtures generated into tmp_path (its profile is found through CLEANERS_PROFILE_PATH), so the
five real portals are untouched.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRAPY = [str(Path(sys.executable).with_name("scrapy"))]
PORTAL = "distport"
HOST = "http://news.distport.cn"
LIST_PAGES, PER_LIST, ARTICLES = 5, 10, 50
PAGE_SECONDS = 0.25  # replay latency for the workers: 55 pages take ~14 s on one worker

redis = pytest.importorskip("redis", reason="the [redis] extra is not installed")
pytest.importorskip("scrapy_redis", reason="the [redis] extra is not installed")
REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed and scripts/ensure-redis could not install it (needs root + apt-get)")

# Common characters to write distinct prose from: every article's text is its own random draw, so no
# two articles look alike to a duplicate detector.
HAN = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你"
       "能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天"
       "分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知"
       "全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯"
       "月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认"
       "条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命")


def article_text(n: int) -> list[str]:
    rnd = random.Random(n)
    paragraphs = []
    for _ in range(4):
        sentences = ["".join(rnd.choice(HAN) for _ in range(rnd.randint(12, 20))) for _ in range(4)]
        paragraphs.append("，".join(sentences) + "。")
    paragraphs[0] = f"本报讯第{n}号稿件。" + paragraphs[0]
    return paragraphs


def list_html(k: int) -> str:
    # Each list links its articles plus the first two of the next list, and every list page links
    # every other: the same URL reaches both workers, so only a shared dupefilter avoids repeats.
    first = (k - 1) * PER_LIST + 1
    numbers = [n for n in range(first, first + PER_LIST + 2) if n <= ARTICLES]
    items = "".join(f'<li><a href="/a/{n}.html">第{n}号稿件</a></li>' for n in numbers)
    pages = "".join(f'<a href="/list/{j}.html">{j}</a>' for j in range(1, LIST_PAGES + 1) if j != k)
    return (f'<html><head><meta charset="utf-8"><title>新闻列表 {k}</title></head><body>'
            f'<ul class="news">{items}</ul><div class="pages">{pages}</div></body></html>')


def article_html(n: int) -> str:
    body = "".join(f"<p>{p}</p>" for p in article_text(n))
    return (f'<html><head><meta charset="utf-8"><title>第{n}号稿件_分布式测试门户</title></head><body>'
            f'<div class="nav"><a href="/list/1.html">首页</a> &gt; <a href="/list/1.html">新闻</a></div>'
            f'<div class="article"><h1>开发区建设第{n}号稿件</h1>'
            f'<div class="info"><span class="time">2024-05-{n % 28 + 1:02d}</span></div>'
            f'<div class="content">{body}</div></div>'
            f'<div class="footer">版权所有 分布式测试门户</div></body></html>')


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """fixtures/<portal>/ (manifest + pages) and a profile folder, both under tmp."""
    root = tmp_path_factory.mktemp("portal")
    fixtures, profiles = root / "fixtures", root / "profiles"
    (fixtures / PORTAL).mkdir(parents=True)
    profiles.mkdir()
    pages = []
    for k in range(1, LIST_PAGES + 1):
        pages.append((f"{HOST}/list/{k}.html", f"list-{k}.html", "list", list_html(k)))
    for n in range(1, ARTICLES + 1):
        pages.append((f"{HOST}/a/{n}.html", f"article-{n}.html", "article", article_html(n)))
    for url, name, kind, html in pages:
        (fixtures / PORTAL / name).write_text(html, encoding="utf-8")
    manifest = {"portal": PORTAL, "pages": [
        {"url": url, "file": name, "kind": kind, "content_type": "text/html; charset=utf-8"}
        for url, name, kind, _ in pages]}
    (fixtures / PORTAL / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (profiles / f"{PORTAL}.toml").write_text(f'''name = "{PORTAL}"
description = "synthetic portal for tests/test_distributed.py"
url_patterns = ['^https?://news\\.distport\\.cn/']

[crawl]
start_urls = ["{HOST}/list/1.html"]
allowed_domains = ["distport.cn"]
article_links = "ul.news a"
pagination_links = "div.pages a"

[selectors]
body = "div.content"
headline = "div.article h1"
date = "div.info span.time"
''', encoding="utf-8")
    # Replay answers before the downloader's slots, so DOWNLOAD_DELAY cannot slow it: workers run on
    # the project settings plus a middleware that makes every replayed page take PAGE_SECONDS.
    modules = root / "modules"
    modules.mkdir()
    (modules / "slow_replay_settings.py").write_text(f"""
import asyncio
from crawler.settings import *  # noqa: F401,F403
from crawler.settings import DOWNLOADER_MIDDLEWARES

DOWNLOADER_MIDDLEWARES = {{**DOWNLOADER_MIDDLEWARES, "slow_replay_settings.SlowReplay": 900}}


class SlowReplay:
    async def process_request(self, request, spider=None):
        await asyncio.sleep({PAGE_SECONDS})
""", encoding="utf-8")
    env = {**os.environ, "CLEANERS_PROFILE_PATH": str(profiles),
           "PYTHONPATH": os.pathsep.join([str(modules), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    slow_env = {**env, "SCRAPY_SETTINGS_MODULE": "slow_replay_settings"}
    return {"fixtures": str(fixtures), "env": env, "slow_env": slow_env, "pages": len(pages)}


@pytest.fixture
def redis_url(tmp_path):
    """A throw-away redis-server on a free loopback port, stopped after the test."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        wait_for(lambda: _pings(client), 10, "redis-server to accept connections")
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.1)


def crawl(portal, out: Path, *settings: str, wait=True, slow=False):
    args = [*SCRAPY, "crawl", PORTAL, "-O", str(out), "-s", f"REPLAY_FIXTURES_DIR={portal['fixtures']}",
            "-s", f"LOG_FILE={out.with_suffix('.log')}", "-s", "LOG_LEVEL=DEBUG"]
    for setting in settings:
        args += ["-s", setting]
    proc = subprocess.Popen(args, cwd=ROOT, env=portal["slow_env" if slow else "env"])
    if wait:
        assert proc.wait(60) == 0, out.with_suffix(".log").read_text(encoding="utf-8")[-3000:]
    return proc


def records(path: Path) -> Counter:
    """Feed lines as a multiset (items are deterministic, so equal pages give equal lines)."""
    if not path.exists():
        return Counter()
    return Counter(json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)
                   for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def scraped(out: Path) -> int:
    log = out.with_suffix(".log")
    return log.read_text(encoding="utf-8").count("Scraped from <") if log.exists() else 0


def test_two_workers_and_a_restart_emit_exactly_the_single_process_crawl(portal, redis_url, tmp_path):
    # The reference: one ordinary process, with a crawl state of its own (nothing seen before).
    crawl(portal, tmp_path / "single.jsonl", f"STATE_URI={tmp_path / 'state' / '%(name)s.sqlite'}")
    single, single_rejected = records(tmp_path / "single.jsonl"), records(tmp_path / "single.rejections.jsonl")
    assert len(single) == ARTICLES and sum(single.values()) == ARTICLES  # 50 distinct articles
    assert sum(single_rejected.values()) == LIST_PAGES                  # the list pages

    seed = subprocess.run([sys.executable, "-m", "crawler.distributed", "seed", PORTAL, "--redis-url", redis_url],
                          cwd=ROOT, env=portal["env"], capture_output=True, text=True, timeout=60)
    assert seed.returncode == 0, seed.stderr

    # Slow workers (one page at a time, PAGE_SECONDS each) so that a stop lands mid-crawl.
    worker = ["DISTRIBUTED=redis", f"REDIS_URL={redis_url}", "CONCURRENT_REQUESTS=1", "MAX_IDLE_TIME_BEFORE_CLOSE=2"]
    a, b, a2 = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "a2.jsonl"
    proc_a = crawl(portal, a, *worker, wait=False, slow=True)
    proc_b = crawl(portal, b, *worker, wait=False, slow=True)
    try:
        wait_for(lambda: scraped(a) >= 5 or proc_a.poll() is not None, 60, "worker A to emit 5 articles")
        assert proc_a.poll() is None, "worker A finished before it could be stopped mid-crawl"
        proc_a.send_signal(signal.SIGTERM)  # what `docker stop`, systemd or Ctrl-C send
        proc_a.wait(30)
        # The stop came mid-crawl, and the work left survived it in the shared, persisted queue.
        assert redis.Redis.from_url(redis_url).zcard(f"{PORTAL}:requests") > 0
        proc_a2 = crawl(portal, a2, *worker, wait=False, slow=True)
        assert proc_b.wait(60) == 0
        assert proc_a2.wait(60) == 0
    finally:
        for proc in (proc_a, proc_b, locals().get("proc_a2")):
            if proc is not None and proc.poll() is None:
                proc.kill()

    parts = [records(p) for p in (a, b, a2)]
    assert sum(parts[0].values()) > 0 and sum(parts[1].values()) > 0, "both workers should have crawled"
    union = parts[0] + parts[1] + parts[2]
    assert union == single  # same articles, none lost, none twice
    rejected = sum((records(p.with_name(p.stem + ".rejections.jsonl")) for p in (a, b, a2)), Counter())
    assert rejected == single_rejected
    # The last worker to close checked the whole run in Redis: every scheduled URL has a record.
    logs = "".join(p.with_suffix(".log").read_text(encoding="utf-8") for p in (a, b, a2))
    assert f"Run accounting: {ARTICLES + LIST_PAGES} URLs scheduled, {ARTICLES + LIST_PAGES} with a record" in logs
    # Verified, the run's accounting sets are dropped; the shared dupefilter stays (a --keep seed goes on).
    client = redis.Redis.from_url(redis_url)
    assert not client.exists(f"{PORTAL}:acct:expected", f"{PORTAL}:acct:accounted")
    assert any(client.scan_iter(match=f"{PORTAL}:dupefilter:*"))


def test_the_compact_dupefilter_is_shared_cleared_and_small(redis_url):
    from scrapy import Request

    from crawler.redis_state import CompactDupeFilter

    client = redis.Redis.from_url(redis_url)
    a, b = CompactDupeFilter(client, "sp:dupefilter"), CompactDupeFilter(client, "sp:dupefilter")
    requests = [Request(f"http://news.example.cn/a/{n}.html") for n in range(5000)]
    assert not any(a.request_seen(r) for r in requests[::2])          # new to both workers ...
    assert all(b.request_seen(r) for r in requests[::2])              # ... and seen by the other
    assert not any(b.request_seen(r) for r in requests[1::2])
    assert a.request_seen(Request("http://news.example.cn/a/7.html?"))  # same fingerprint as Scrapy's
    assert not a.request_seen(Request("http://news.example.cn/a/7.html", method="POST"))
    used = sum(client.memory_usage(k, samples=0) for k in client.scan_iter(match="sp:dupefilter:*"))
    assert used / len(requests) < 40, f"{used / len(requests):.0f} B a request"  # the plain set: ~90
    b.clear()
    assert not any(client.scan_iter(match="sp:dupefilter*"))
    assert not a.request_seen(requests[0])  # a cleared filter starts over (a new layout too)


def test_redis_store_records_each_key_once_across_workers(redis_url):
    from concurrent.futures import ThreadPoolExecutor

    from scrapy.settings import Settings

    from crawler.redis_state import RedisStore

    settings = Settings({"REDIS_URL": redis_url, "STATE_URI": "output/state/%(name)s.sqlite"})
    workers = [RedisStore.from_settings(settings, PORTAL) for _ in range(8)]
    other = RedisStore.from_settings(settings, "other-spider")
    # Eight stores (as in eight workers) race on the same key: exactly one records it.
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: workers[i].add("urls", "http://a/1", f"worker-{i}"), range(8)))
    assert answers.count(None) == 1
    first = f"worker-{answers.index(None)}"
    assert set(answers) == {None, first} and workers[0].get("urls", "http://a/1") == first
    # Namespaces and spiders are separate key spaces; clear() empties one namespace only.
    assert workers[0].add("content", "http://a/1", "x") is None
    assert other.add("urls", "http://a/1", "y") is None
    workers[0].clear("urls")
    assert workers[0].get("urls", "http://a/1") is None
    assert workers[0].get("content", "http://a/1") == "x" and other.get("urls", "http://a/1") == "y"


def test_the_switch_sets_scrapy_redis_and_shared_state_but_cmdline_wins():
    from scrapy.settings import Settings

    from crawler.distributed import RedisAddon

    off = Settings({"DISTRIBUTED": None})
    RedisAddon().update_settings(off)
    assert off.get("SCHEDULER") != "scrapy_redis.scheduler.Scheduler"
    on = Settings()
    on.setmodule("crawler.settings", priority="project")
    on.set("DISTRIBUTED", "redis", priority="cmdline")
    on.set("MAX_IDLE_TIME_BEFORE_CLOSE", 5, priority="cmdline")
    on.set("INCREMENTAL_RESET", True, priority="cmdline")  # would wipe the shared state per worker
    RedisAddon().update_settings(on)
    assert on["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert on["DUPEFILTER_CLASS"] == "crawler.redis_state.CompactDupeFilter"
    assert on.getbool("SCHEDULER_PERSIST") and on.getint("MAX_IDLE_TIME_BEFORE_CLOSE") == 5
    assert on["STATE_BACKEND"] == "crawler.redis_state.RedisStore" and not on.getbool("INCREMENTAL_RESET")
    assert "crawler.distributed.RedisStartRequests" in on.getdict("SPIDER_MIDDLEWARES")


def start_redis(port: int, folder: Path) -> subprocess.Popen:
    server = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    wait_for(lambda: _pings(client), 10, "redis-server to accept connections")
    return server


def urls_in(*paths: Path) -> set[str]:
    return {json.loads(line)["url"] for p in paths if p.exists()
            for line in p.read_text(encoding="utf-8").splitlines() if line.strip()}


@pytest.mark.parametrize("fault", ["restart", "gone"])
def test_redis_that_loses_data_or_goes_away_fails_the_run_and_names_the_missing(portal, tmp_path, fault):
    """Issue 8 (3): Redis restarted without persistence mid-crawl, or gone for good: the worker
    warns at start (no AOF, no RDB), then exits non-zero without [ok], naming URLs it scheduled
    that have no record in its feeds."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    server = start_redis(port, tmp_path)
    try:
        seed = subprocess.run([sys.executable, "-m", "crawler.distributed", "seed", PORTAL, "--redis-url", url],
                              cwd=ROOT, env=portal["env"], capture_output=True, text=True, timeout=60)
        assert seed.returncode == 0 and "neither AOF" in seed.stderr, seed.stderr
        out = tmp_path / "w.jsonl"
        worker = crawl(portal, out, "DISTRIBUTED=redis", f"REDIS_URL={url}", "CONCURRENT_REQUESTS=1",
                       "MAX_IDLE_TIME_BEFORE_CLOSE=2", f"STATE_URI={url}", "DISTRIBUTED_REDIS_TIMEOUT=5",
                       wait=False, slow=True)
        try:
            wait_for(lambda: scraped(out) >= 8 or worker.poll() is not None, 60, "the worker to emit 8 records")
            assert worker.poll() is None, "the worker finished before the fault"
            server.terminate()
            server.wait(10)
            if fault == "restart":
                server = start_redis(port, tmp_path)  # empty: nothing was persisted
            code = worker.wait(120)
        finally:
            if worker.poll() is None:
                worker.kill()
        log = out.with_suffix(".log").read_text(encoding="utf-8")
        assert code != 0, log[-3000:]
        assert "neither AOF" in log and "[ok]" not in log
        recorded = urls_in(out, tmp_path / "w.rejections.jsonl")
        listed = re.search(r"(\d+) URL\(s\) were scheduled in this run and have no record in any feed:\n((?:http\S+\n?)+)", log)
        assert listed, log[-3000:]
        missing = set(listed.group(2).split())
        assert missing and not missing & recorded
        assert len(recorded) + len(missing) <= portal["pages"]
    finally:
        server.terminate()
        server.wait(10)


BLOCK_SECONDS = 15.0  # longer than DISTRIBUTED_DEAD_AFTER below, with room for the other worker to close


def test_a_worker_whose_reactor_is_blocked_is_not_taken_for_dead(portal, redis_url, tmp_path):
    """Issue 8 (3): the heartbeat that tells the closing worker "others are still running" must not
    depend on the reactor. Worker A blocks its reactor for longer than the dead-after time on its
    first page (as a slow page cleaned in-process would); worker B finds the queue empty meanwhile
    and closes. B must not take A for dead and report A's in-flight page as missing; A then finishes
    the run, checks it as the last worker, and both exit 0."""
    (tmp_path / "blocking_replay_settings.py").write_text(f"""
import logging
import time
from crawler.settings import *  # noqa: F401,F403
from crawler.settings import DOWNLOADER_MIDDLEWARES

DOWNLOADER_MIDDLEWARES = {{**DOWNLOADER_MIDDLEWARES, "blocking_replay_settings.BlockOnce": 900}}


class BlockOnce:
    blocked = False

    def process_request(self, request, spider=None):
        if not BlockOnce.blocked:
            BlockOnce.blocked = True
            logging.getLogger("blocking").warning("BLOCKING THE REACTOR")
            time.sleep({BLOCK_SECONDS})  # the whole process stalls, as on a slow in-process page
""", encoding="utf-8")
    env = {**portal["env"], "SCRAPY_SETTINGS_MODULE": "blocking_replay_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), portal["env"]["PYTHONPATH"]])}
    seed = subprocess.run([sys.executable, "-m", "crawler.distributed", "seed", PORTAL, "--redis-url", redis_url],
                          cwd=ROOT, env=portal["env"], capture_output=True, text=True, timeout=60)
    assert seed.returncode == 0, seed.stderr
    worker = ["DISTRIBUTED=redis", f"REDIS_URL={redis_url}", "MAX_IDLE_TIME_BEFORE_CLOSE=1",
              "DISTRIBUTED_DEAD_AFTER=2", f"STATE_URI={redis_url}"]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    args = [*SCRAPY, "crawl", PORTAL, "-O", str(a), "-s", f"REPLAY_FIXTURES_DIR={portal['fixtures']}",
            "-s", f"LOG_FILE={a.with_suffix('.log')}", *(x for s in worker for x in ("-s", s))]
    proc_a = subprocess.Popen(args, cwd=ROOT, env=env)
    try:
        wait_for(lambda: a.with_suffix(".log").exists()
                 and "BLOCKING THE REACTOR" in a.with_suffix(".log").read_text(encoding="utf-8"),
                 60, "worker A to block on its first page")
        started = time.monotonic()
        # B: the queue is empty while A holds the only start page, so B idles out and closes.
        crawl(portal, b, *worker)
        assert time.monotonic() - started < BLOCK_SECONDS, "B closed after A's block: the test proves nothing"
        assert proc_a.wait(120) == 0, a.with_suffix(".log").read_text(encoding="utf-8")[-3000:]
    finally:
        if proc_a.poll() is None:
            proc_a.kill()
    log_b = b.with_suffix(".log").read_text(encoding="utf-8")
    assert "MISSING" not in log_b and "Other workers are still running" in log_b, log_b[-3000:]
    log_a = a.with_suffix(".log").read_text(encoding="utf-8")
    assert f"Run accounting: {ARTICLES + LIST_PAGES} URLs scheduled, {ARTICLES + LIST_PAGES} with a record" in log_a
    assert len(records(a)) == ARTICLES
