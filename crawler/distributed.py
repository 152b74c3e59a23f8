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
import sys
import time
import warnings

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.request import request_from_dict

logger = logging.getLogger(__name__)
# scrapy-redis 0.9 still passes spider= to the stats collector: one warning per request, not ours to fix.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

# What the switch sets; a -s on the command line still wins over each of them.
REDIS_SETTINGS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    # A worker that stops (finished, killed, redeployed) must not flush the queue the others share.
    "SCHEDULER_PERSIST": True,
    # Batch runs end: a worker closes once the shared queue has been empty this many seconds
    # (0 = wait for work forever).
    "MAX_IDLE_TIME_BEFORE_CLOSE": 30,
    "STATE_BACKEND": "crawler.redis_state.RedisStore",
}
START_MIDDLEWARE = "crawler.distributed.RedisStartRequests"


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


# --- command line --------------------------------------------------------------------------------

def seed(settings, name: str, keep: bool = False, reset_state: bool = False) -> int:
    """Push SPIDER's start requests to Redis. Unless keep, it is a new run: the spider's request
    queue and dupefilter from an earlier run are cleared first (they persist across workers)."""
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import get_spider_loader
    from scrapy_redis import connection, defaults

    spidercls = get_spider_loader(settings).load(name)
    spider = spidercls.from_crawler(Crawler(spidercls, settings))
    server = connection.from_settings(settings)
    key = start_key(settings, name)
    if not keep:
        server.delete(key,
                      settings.get("SCHEDULER_QUEUE_KEY", defaults.SCHEDULER_QUEUE_KEY) % {"spider": name},
                      settings.get("SCHEDULER_DUPEFILTER_KEY", defaults.SCHEDULER_DUPEFILTER_KEY) % {"spider": name})
    if reset_state:
        from .redis_state import RedisStore
        RedisStore.from_settings(settings, name).clear_all()

    async def collect():
        return [r async for r in spider.start() if isinstance(r, Request)]

    requests = asyncio.run(collect())
    if requests:
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
