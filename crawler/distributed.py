"""Distributed crawling on scrapy-redis: any of our spiders, unchanged, in N worker processes.

Switch it on with `-s DISTRIBUTED=redis -s REDIS_URL=redis://host:6379/0`. The add-on below then
puts the request queue and the dupefilter in Redis (shared by every worker, kept when a worker
stops), reads start requests from the Redis list `<spider>:start_urls` instead of the spider's own
start(), and shares the duplicate/incremental state through crawler.redis_state.RedisStore. Items
and rejections still go through our pipelines to each worker's own feeds (and also to the Redis list
`<spider>:items` with -s DISTRIBUTED_ITEMS_TO_REDIS=1).

    python -m crawler.distributed seed SPIDER [--redis-url URL]   # start a run: push start requests
    scrapy crawl SPIDER -s DISTRIBUTED=redis -s REDIS_URL=URL -O part-1.jsonl   # each worker
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import sys
import time
import warnings

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.request import request_from_dict

from .middlewares import url_key

logger = logging.getLogger(__name__)
# scrapy-redis 0.9 still passes spider= to the stats collector: one warning per request, not ours to fix.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

# What the switch sets; a -s on the command line still wins over each of them.
REDIS_SETTINGS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    # scrapy-redis's dupefilter, stored compactly (~14-18 B a request instead of ~95: README).
    "DUPEFILTER_CLASS": "crawler.redis_state.CompactDupeFilter",
    # A worker that stops (finished, killed, redeployed) must not flush the queue the others share.
    "SCHEDULER_PERSIST": True,
    # Batch runs end: a worker closes once the shared queue has been empty this many seconds
    # (0 = wait for work forever).
    "MAX_IDLE_TIME_BEFORE_CLOSE": 30,
    "STATE_BACKEND": "crawler.redis_state.RedisStore",
}
START_MIDDLEWARE = "crawler.distributed.RedisStartRequests"
ACCOUNTING_EXTENSION = "crawler.distributed.RedisAccounting"


class RedisAddon:
    """Scrapy add-on (ADDONS); does nothing unless the DISTRIBUTED setting is "redis"."""

    def update_settings(self, settings):
        mode = (settings.get("DISTRIBUTED") or "").lower()
        if mode in ("", "0", "false", "off", "none"):
            return
        if mode != "redis":
            raise ValueError(f"DISTRIBUTED={mode!r}: the only distributed mode is 'redis'")
        for name, value in REDIS_SETTINGS.items():
            if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                settings.set(name, value, priority="cmdline")
        if settings.getbool("INCREMENTAL_RESET"):
            # Every worker would wipe the shared state as it starts, including mid-run.
            logger.warning("INCREMENTAL_RESET is ignored in distributed mode: use "
                           "`python -m crawler.distributed seed SPIDER --reset-state` once per run")
            settings.set("INCREMENTAL_RESET", False, priority="cmdline")
        # Close to the spider, so the built-in middlewares see Redis start requests like any other.
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", START_MIDDLEWARE, 950)
        settings.set_in_component_priority_dict("EXTENSIONS", ACCOUNTING_EXTENSION, 510)
        if settings.getbool("DISTRIBUTED_ITEMS_TO_REDIS"):
            settings.set_in_component_priority_dict("ITEM_PIPELINES", "scrapy_redis.pipelines.RedisPipeline", 900)


def start_key(settings, spider_name: str) -> str:
    from scrapy_redis import defaults
    return settings.get("REDIS_START_URLS_KEY", defaults.START_URLS_KEY) % {"name": spider_name}


def encode_request(request: Request, spider) -> str:
    """JSON for the start list: callbacks by name, so a worker rebuilds the same request."""
    data = request.to_dict(spider=spider)
    body = data.pop("body", b"")
    headers = data.pop("headers", {})
    if body:
        data["body"] = body.decode("utf-8")
    if headers:
        data["headers"] = {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in headers.items()}
    return json.dumps(data, ensure_ascii=False)


def decode_request(data: bytes | str, spider) -> Request:
    """A request from the start list: our JSON, scrapy-redis' {"url", "meta", …}, or a bare URL
    (e.g. `redis-cli rpush investchn:start_urls http://…`); the last two go to spider.parse."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if not text.lstrip().startswith("{"):
        return Request(text.strip())
    return request_from_dict(json.loads(text), spider=spider)


class RedisStartRequests:
    """Spider middleware: start requests come from the Redis list `<spider>:start_urls`, a batch at
    a time, whenever this worker runs dry; the spider's own start() is not used (its requests were
    pushed there by `seed`). Closes the spider after MAX_IDLE_TIME_BEFORE_CLOSE idle seconds."""

    def __init__(self, crawler):
        from scrapy_redis import connection
        self.crawler = crawler
        settings = crawler.settings
        self.server = connection.from_settings(settings)
        self.batch_size = settings.getint("REDIS_START_URLS_BATCH_SIZE") or settings.getint("CONCURRENT_REQUESTS")
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE")
        self.idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(mw.busy, signal=signals.response_received)
        return mw

    async def process_start(self, start):
        found = False
        for request in self.next_requests():
            found = True
            yield request
        if not found:
            name = self.crawler.spider.name
            logger.info("No start requests in %s (yet): this worker takes from the shared queue; "
                        "to start a run: python -m crawler.distributed seed %s",
                        start_key(self.crawler.settings, name), name)

    def process_start_requests(self, start_requests, spider):  # Scrapy < 2.13
        return self.next_requests()

    def next_requests(self):
        spider = self.crawler.spider
        key = start_key(self.crawler.settings, spider.name)
        # LPOP with a count is one atomic command: two workers never take the same start request.
        for data in self.server.lpop(key, self.batch_size) or ():
            try:
                yield decode_request(data, spider)
            except Exception as exc:
                logger.warning("Skipping start request %r from %s: %s", data[:200], key, exc)

    def busy(self):
        self.idle_since = None

    def spider_idle(self):
        found = 0
        for request in self.next_requests():
            self.crawler.engine.crawl(request)
            found += 1
        if found:
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if not self.max_idle or now - self.idle_since < self.max_idle:
            raise DontCloseSpider
        logger.info("Redis queues empty for %.0f s: closing this worker", now - self.idle_since)


# --- accounting across workers ----------------------------------------------------------------

ACCT_KEY = "%(name)s:acct"  # :run (hash), :expected and :accounted (sets of URL keys), :worker:<id>
HEARTBEAT_SECONDS = 2.0
DEAD_AFTER_SECONDS = 15.0
MISSING_SHOWN = 20


def acct_key(spider_name: str, part: str) -> str:
    return f"{ACCT_KEY % {'name': spider_name}}:{part}"


def check_persistence(server) -> str | None:
    """A warning when the Redis server keeps neither an append-only file nor RDB snapshots."""
    try:
        aof = server.config_get("appendonly").get("appendonly", "")
        save = server.config_get("save").get("save", "")
    except Exception as exc:  # CONFIG is often disabled on managed Redis
        logger.info("Cannot read the Redis persistence settings (%s); make sure AOF or RDB is on", exc)
        return None
    if aof != "yes" and not save.strip():
        return ("Redis has neither AOF (appendonly no) nor RDB snapshots (save \"\"): a restart loses the "
                "queue and the run's accounting (see README, Distributed crawling)")
    return None


class RedisAccounting:
    """Extension of distributed runs: the `[ok]` of a worker also means "every URL scheduled in this
    run, by any worker, ended as a record in some worker's feeds".

    Every scheduled request (with an errback, i.e. one that cannot vanish silently) adds its URL to
    `<spider>:acct:expected`; a worker adds the URLs of its records to `<spider>:acct:accounted`
    once its feeds are stored. The last worker to close (no other worker's heartbeat is fresh)
    compares the two and reports what is missing. A Redis that restarted (its run_id changed) or
    lost the run's keys, or that a worker cannot reach at the end, fails the worker's verdict too:
    the run then exits non-zero with the URLs this worker scheduled that no record covers.
    """

    def __init__(self, crawler, server):
        self.crawler = crawler
        self.server = server
        self.worker = f"{socket.gethostname()}-{os.getpid()}"
        self.redis_run_id: str | None = None
        self.scheduled: set[str] = set()
        self.recorded: set[str] = set()
        self.errors = 0
        self.beat: Heartbeat | None = None
        self.closing = False
        self.give_up = crawler.settings.getfloat("DISTRIBUTED_REDIS_TIMEOUT", 30)
        self.dead_after = crawler.settings.getfloat("DISTRIBUTED_DEAD_AFTER", DEAD_AFTER_SECONDS)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy_redis import connection
        ext = cls(crawler, connection.from_settings(crawler.settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def key(self, part: str) -> str:
        return acct_key(self.crawler.spider.name, part)

    def spider_opened(self, spider):
        from .extensions import Accounting
        warning = check_persistence(self.server)
        if warning:
            logger.warning(warning)
        try:
            self.redis_run_id = self.server.info("server").get("run_id")
            # Workers started without `seed` (URLs pushed by hand) start the run's record themselves.
            self.server.hsetnx(self.key("run"), "redis_run_id", self.redis_run_id)
        except Exception as exc:
            self.errors += 1
            logger.error("Redis unreachable at start: %s", exc)
        accounting = self.crawler.get_extension(Accounting)
        if accounting is not None:
            accounting.checks.append(self.check)
        self.beat = Heartbeat(self.server, self.key(f"worker:{self.worker}"), self.dead_after, self.redis_down)
        self.beat.start()

    def redis_down(self, seconds: float) -> None:
        """From the heartbeat thread: Redis has been unreachable for `seconds`."""
        self.errors += 1
        if seconds >= self.give_up and not self.closing:
            from twisted.internet import reactor
            reactor.callFromThread(self.close_unreachable, seconds)

    def close_unreachable(self, seconds: float) -> None:
        if self.closing:
            return
        # The queue lives in Redis: without it this worker can only spin. Stop, and fail.
        self.closing = True
        logger.error("Redis unreachable for %.0f s: closing this worker", seconds)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis-unreachable"))

    def request_scheduled(self, request, spider):
        if request.errback is None:
            return
        key = url_key(request.url)
        self.scheduled.add(key)
        try:
            self.server.sadd(self.key("expected"), key)
        except Exception as exc:
            self.errors += 1
            logger.error("Redis unreachable (scheduling %s): %s", request.url, exc)

    def item_scraped(self, item, response, spider):
        from .items import ARTICLE_CLASSES, Rejection
        if not isinstance(item, (*ARTICLE_CLASSES, Rejection)):
            return
        urls = {item.get("url")}
        request = getattr(response, "request", None)  # a Response, or an errback's Failure
        if request is not None:
            urls |= {request.url, *request.meta.get("redirect_urls", ())}
        if response is not None and hasattr(response, "url"):
            urls.add(response.url)
        self.recorded |= {url_key(u) for u in urls if u}

    def check(self, spider) -> list[str]:
        """Run by crawler.extensions.Accounting once the feeds are stored: problems, or []."""
        if self.beat is not None:
            self.beat.stop()
        stats = self.crawler.stats
        stored = not any(v for k, v in stats.get_stats().items() if k.startswith("feedexport/failed_count/"))
        problems = []
        try:
            if stored and self.recorded:
                recorded = list(self.recorded)
                for i in range(0, len(recorded), 1000):
                    self.server.sadd(self.key("accounted"), *recorded[i:i + 1000])
            run_id = self.server.info("server").get("run_id")
            lost = run_id != self.redis_run_id or not self.server.exists(self.key("run"))
            if lost:
                problems.append("Redis lost the run's data (restarted, or its keys are gone)")
            self.server.delete(self.key(f"worker:{self.worker}"))
            if not lost and not self.last_worker():
                logger.info("Other workers are still running: the last one to close checks the whole run")
                return problems + self.local_errors()
            accounted = _strings(self.server.smembers(self.key("accounted")))
            expected = _strings(self.server.smembers(self.key("expected")))
            logger.info("Run accounting: %d URLs scheduled, %d with a record", len(expected), len(accounted))
            missing = sorted((self.scheduled if lost else self.scheduled | expected) - accounted - self.recorded)
            if not lost and not missing:
                # Verified: the two sets (~80 B a URL each) have done their work. Kept when something
                # is missing, for a look and for a `seed --keep` of the missing URLs.
                self.server.delete(self.key("expected"), self.key("accounted"))
        except Exception as exc:
            problems.append(f"cannot verify the run in Redis ({type(exc).__name__}: {exc})")
            missing = sorted(self.scheduled - self.recorded)
        if missing:
            stats.set_value("accounting/missing", len(missing))
            logger.error("%d URL(s) were scheduled in this run and have no record in any feed:\n%s",
                         len(missing), "\n".join(missing))
            shown = ", ".join(missing[:MISSING_SHOWN]) + (" …" if len(missing) > MISSING_SHOWN else "")
            problems.append(f"MISSING {len(missing)} URL(s) without a record: {shown}")
        return problems + self.local_errors()

    def local_errors(self) -> list[str]:
        return [f"{self.errors} Redis error(s) during the run"] if self.errors else []

    def last_worker(self) -> bool:
        """True when no other worker has a fresh heartbeat; the heartbeats of workers that died
        (SIGKILL, lost machine) are waited out, up to DISTRIBUTED_DEAD_AFTER seconds."""
        fresh = heartbeat_interval(self.dead_after) * 1.5
        while True:
            ages = [time.time() - float(v) for v in (self.server.get(k) for k in self.server.scan_iter(
                match=self.key("worker:*"))) if v is not None]
            if all(age >= self.dead_after for age in ages):
                return True
            if any(age < fresh for age in ages):
                return False
            time.sleep(0.5)


def heartbeat_interval(dead_after: float) -> float:
    return max(min(HEARTBEAT_SECONDS, dead_after / 4), 0.05)


class Heartbeat:
    """A worker's "still alive" key, refreshed from a thread of its own: a reactor that is busy (a
    slow page cleaned in-process, a long state write) must not make a live worker look dead to
    the others, or the last one to close would report its in-flight URLs as missing. Only a dead
    process (or a lost Redis) stops the beat."""

    def __init__(self, server, key: str, dead_after: float, on_error):
        import threading
        self.server, self.key, self.on_error = server, key, on_error
        self.interval = heartbeat_interval(dead_after)
        self.ttl = max(int(dead_after * 10), 1)
        self.down_since: float | None = None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="redis-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self.thread.start()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.beat()

    def beat(self) -> None:
        try:
            self.server.set(self.key, time.time(), ex=self.ttl)
            self.down_since = None
        except Exception as exc:
            logger.error("Redis unreachable (heartbeat): %s", exc)
            now = time.monotonic()
            self.down_since = self.down_since or now
            self.on_error(now - self.down_since)

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(self.interval + 5)


def _strings(members) -> set[str]:
    return {m.decode("utf-8") if isinstance(m, bytes) else m for m in members}


# --- command line --------------------------------------------------------------------------------

def seed(settings, name: str, keep: bool = False, reset_state: bool = False) -> int:
    """Push SPIDER's start requests to Redis. Unless keep, it is a new run: the spider's request
    queue and dupefilter from an earlier run are cleared first (they persist across workers)."""
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import get_spider_loader
    from scrapy_redis import connection, defaults

    from .redis_state import CompactDupeFilter

    spidercls = get_spider_loader(settings).load(name)
    spider = spidercls.from_crawler(Crawler(spidercls, settings))
    server = connection.from_settings(settings)
    key = start_key(settings, name)
    if not keep:
        server.delete(key, settings.get("SCHEDULER_QUEUE_KEY", defaults.SCHEDULER_QUEUE_KEY) % {"spider": name})
        dupefilter_key = settings.get("SCHEDULER_DUPEFILTER_KEY", defaults.SCHEDULER_DUPEFILTER_KEY) % {"spider": name}
        CompactDupeFilter(server, dupefilter_key).clear()  # its shards too
        server.delete(*(acct_key(name, part) for part in ("run", "expected", "accounted")))
    run_id = server.info("server").get("run_id")
    server.hset(acct_key(name, "run"), mapping={"redis_run_id": run_id, "seeded_at": time.time()})
    warning = check_persistence(server)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if reset_state:
        from .addons import apply_defaults
        from .redis_state import RedisStore
        apply_defaults(settings)  # the state keys carry the mode (replay or live)
        RedisStore.from_settings(settings, name).clear_all()

    async def collect():
        return [r async for r in spider.start() if isinstance(r, Request)]

    requests = asyncio.run(collect())
    if requests:
        server.sadd(acct_key(name, "expected"), *(url_key(r.url) for r in requests))
        server.rpush(key, *(encode_request(r, spider) for r in requests))
    print(f"{name}: pushed {len(requests)} start request(s) to {key}"
          f"{'' if keep else ' (new run: queue and dupefilter cleared)'}")
    return len(requests)


def main(argv: list[str] | None = None) -> int:
    from scrapy.utils.project import get_project_settings

    parser = argparse.ArgumentParser(prog="python -m crawler.distributed", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("seed", help="start a distributed run: push the spiders' start requests to Redis")
    cmd.add_argument("spiders", nargs="+", metavar="SPIDER")
    cmd.add_argument("--redis-url", help="default: the REDIS_URL setting, else redis://localhost:6379")
    cmd.add_argument("--keep", action="store_true",
                     help="add to a running crawl instead of starting a new run (keep queue and dupefilter)")
    cmd.add_argument("--reset-state", action="store_true",
                     help="also forget the duplicate/incremental state of earlier runs")
    cmd.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="override a setting")
    args = parser.parse_args(argv)

    settings = get_project_settings()
    for pair in args.set:
        key, _, value = pair.partition("=")
        settings.set(key, value, priority="cmdline")
    if args.redis_url:
        settings.set("REDIS_URL", args.redis_url, priority="cmdline")
    for name in args.spiders:
        seed(settings, name, keep=args.keep, reset_state=args.reset_state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
