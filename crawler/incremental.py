"""Incremental crawling: a re-run does not emit articles an earlier run already emitted.

Every emitted article's URL is recorded in the crawl state (namespace "seen", STATE_BACKEND /
STATE_URI, persisted between runs by the default SqliteStore). On the next run a request for such
a URL is refused before download and ends as a `seen-before` rejection, so accounting still
reconciles and the portal is not asked for pages we have. List pages are never emitted, so they are
always fetched again and new articles are found. `-s INCREMENTAL=False` turns this off (nothing is
skipped or recorded); `-s INCREMENTAL_RESET=True` forgets the earlier runs first.
"""
from __future__ import annotations

from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured

from .middlewares import RequestRejected, url_key
from .state import SEEN, crawl_state


class SeenBefore(RequestRejected):
    reason = "seen-before"


class IncrementalMiddleware:
    """Downloader middleware (first in line, so a seen page costs no request at all)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("INCREMENTAL"):
            raise NotConfigured  # off by choice: nothing to warn about
        mw = cls(crawler)
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
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
            raise SeenBefore(f"emitted by an earlier run at {first}; -s INCREMENTAL=False emits it again")
        return None

    def item_scraped(self, item, response, spider):
        url = getattr(response, "url", None) or item.get("url")
        for u in {url, item.get("url")} - {None}:
            self.store.add(SEEN, url_key(u), datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.stats.inc_value("incremental/recorded")
