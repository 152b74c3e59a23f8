"""Incremental crawling (opt-in): a re-run does not emit articles an earlier run already wrote.

Off by default, as in scrapy-deltafetch: a crawl crawls. Turn it on with `-s INCREMENTAL=True`, a
spider's `custom_settings = {"INCREMENTAL": True}` (or class attribute `incremental = True`), or a
profile's `[crawl] incremental = true`; `-s INCREMENTAL=...` on the command line always wins.

The URLs of this run's articles are kept in memory and written to the crawl state (namespace
"seen", STATE_BACKEND / STATE_URI, one store per spider and per mode, replay or live) only when the
accounting extension says every feed was stored (`crawler.extensions.output_stored`): the state
never holds a page the output does not. A killed or failed run teaches it nothing, so the next run
writes those pages again (at least once, never lost). On the next run a request for a known URL is
refused before download and ends as a `seen-before` rejection, so accounting still reconciles.
List pages are never articles, so they are always fetched again and new articles are found.
`-s INCREMENTAL_RESET=True` forgets the earlier runs first.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES

from .extensions import output_stored
from .items import ARTICLE_CLASSES
from .middlewares import RequestRejected, url_key
from .state import SEEN, crawl_state

logger = logging.getLogger(__name__)


class SeenBefore(RequestRejected):
    reason = "seen-before"


def incremental_enabled(crawler) -> bool:
    settings = crawler.settings
    if (settings.getpriority("INCREMENTAL") or 0) >= SETTINGS_PRIORITIES["cmdline"]:
        return settings.getbool("INCREMENTAL")
    attribute = getattr(crawler.spidercls, "incremental", None)
    return settings.getbool("INCREMENTAL") if attribute is None else bool(attribute)


class IncrementalMiddleware:
    """Downloader middleware (first in line, so a seen page costs no request at all)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.written: list[str] = []  # article URLs of this run, learned once the feeds are stored

    @classmethod
    def from_crawler(cls, crawler):
        if not incremental_enabled(crawler):
            raise NotConfigured  # off by choice: nothing to warn about
        mw = cls(crawler)
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(mw.remember, signal=output_stored)
        if not crawler.settings.getdict("FEEDS"):
            logger.warning("INCREMENTAL is on but no feed is written (-o/-O or FEEDS): "
                           "nothing this run emits will be remembered")
        return mw

    @property
    def store(self):
        return crawl_state(self.crawler)

    def process_request(self, request, spider=None):
        if request.meta.get("incremental_ignore"):
            return None
        first = self.store.get(SEEN, url_key(request.url))
        if first is not None:
            self.stats.inc_value("incremental/skipped")
            raise SeenBefore(f"written by an earlier run at {first}; without -s INCREMENTAL=True it is fetched again")
        return None

    def item_scraped(self, item, response, spider):
        if isinstance(item, ARTICLE_CLASSES):
            self.written.extend({item.get("url"), getattr(response, "url", None)} - {None})

    def remember(self):
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.store.add_many(SEEN, [(url_key(url), now) for url in self.written])  # one transaction
        self.stats.inc_value("incremental/recorded", len(self.written))
        self.written.clear()
