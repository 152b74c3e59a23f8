"""Crawl accounting: every response ends as an article item or a rejection with a reason."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy import signals

logger = logging.getLogger(__name__)


def rejections_uri(settings) -> str | None:
    """REJECTIONS_URI if set; else beside the first local items feed; else the default."""
    if settings.get("REJECTIONS_URI"):
        return settings.get("REJECTIONS_URI")
    for uri in settings.getdict("FEEDS"):
        uri = str(uri)
        if "://" not in uri or uri.startswith("file://"):
            path = Path(uri.removeprefix("file://"))
            return str(path.with_name(path.name.split(".")[0] + ".rejections.jsonl"))
    return settings.get("REJECTIONS_DEFAULT_URI")


class RejectionLog:
    """Writes dropped pages (RejectedItem records) as JSON lines to REJECTIONS_URI, counts them per
    reason in the stats, and prints a one-line summary when the spider closes."""

    def __init__(self, crawler, uri: str | None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.uri = uri
        self.file = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, rejections_uri(crawler.settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        return ext

    def spider_opened(self, spider):
        if self.uri:
            path = Path(self.uri % {"name": spider.name})
            path.parent.mkdir(parents=True, exist_ok=True)
            self.file = path.open("w", encoding="utf-8")

    def item_scraped(self, item, response, spider):
        self.stats.inc_value("accounting/articles")

    def item_dropped(self, item, response, exception, spider):
        record = getattr(exception, "record", None) or {  # DropItem from someone else's pipeline
            "url": _url(item, response), "status": getattr(response, "status", None),
            "reason": "dropped", "detail": f"{type(exception).__name__}: {exception}"}
        self.write(record)

    def item_error(self, item, response, spider, failure):
        """A pipeline raised something other than DropItem: Scrapy logs it and forgets the item."""
        self.write({"url": _url(item, response), "status": getattr(response, "status", None),
                    "reason": "pipeline-error", "detail": f"{type(failure.value).__name__}: {failure.value}"})

    def request_dropped(self, request, spider):
        """The scheduler's dupefilter dropped a redirect target: the redirecting URL got a response
        but neither callback nor errback will run for it. Plain links dropped there never had one."""
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        self.stats.inc_value("accounting/pages")
        self.write({"url": chain[0], "status": None, "reason": f"duplicate-of {request.url}",
                    "detail": f"redirects to {request.url}, which this crawl already requested"})

    def write(self, record: dict) -> None:
        self.stats.inc_value("accounting/rejections")
        # Reasons like "duplicate-of <url>" are counted by their code, not per URL.
        self.stats.inc_value(f"accounting/rejections/{record['reason'].split(' ')[0]}")
        if self.file:
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.file.flush()

    def spider_closed(self, spider, reason):
        if self.file:
            self.file.close()
        articles = self.stats.get_value("accounting/articles", 0)
        rejections = self.stats.get_value("accounting/rejections", 0)
        pages = self.stats.get_value("accounting/pages", 0)
        reasons = {k.rsplit("/", 1)[1]: v for k, v in self.stats.get_stats().items()
                   if k.startswith("accounting/rejections/")}
        detail = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
        balanced = "ok" if pages == articles + rejections else "MISMATCH"
        self.stats.set_value("accounting/balanced", pages == articles + rejections)
        summary = (f"{spider.name}: {pages} pages -> {articles} articles, {rejections} rejections"
                   f"{' (' + detail + ')' if detail else ''} [{balanced}]")
        self.stats.set_value("accounting/summary", summary)
        logger.info(summary)


def _url(item, response) -> str | None:
    try:
        return item.get("url") or getattr(response, "url", None)
    except AttributeError:  # an item type without .get
        return getattr(response, "url", None)
