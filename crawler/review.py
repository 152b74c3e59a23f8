"""REVIEW_DIR: after a crawl, the review site of what it crawled (see cleaners.review).

While the spider runs, the extension saves every response body it sees (after the downloader
middlewares: replayed or live, decompressed, within DOWNLOAD_MAXSIZE) under
REVIEW_DIR/originals/<spider>/ with a manifest.json in the fixtures' format, and every record the
crawl emits (articles, and rejections whether they arrive as items or as dropped items) in
REVIEW_DIR/records/<spider>.jsonl. When the spider closes it rebuilds REVIEW_DIR/index.html from all
the spiders' records there, so several spiders (crawl_all) share one review. Saving the bodies
ourselves, rather than replaying fixtures, shows exactly the bytes the cleaners got, live or not.
Off unless REVIEW_DIR is set; REVIEW_AGAINST (a golden folder) adds the golden comparison.
"""
from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from cleaners import ARTICLE_FIELDS
from cleaners.review import build_review

logger = logging.getLogger(__name__)

# Besides the article fields: what a rejection record carries.
_RECORD_FIELDS = (*ARTICLE_FIELDS, "status", "reason", "detail")


class ReviewSite:
    def __init__(self, crawler, directory: Path, against: str | None):
        self.crawler = crawler
        self.directory = directory
        self.against = against
        self.manifest: dict[str, dict] = {}
        self.records = None
        self.originals: Path | None = None

    @classmethod
    def from_crawler(cls, crawler):
        directory = crawler.settings.get("REVIEW_DIR")
        if not directory:
            raise NotConfigured
        ext = cls(crawler, Path(directory), crawler.settings.get("REVIEW_AGAINST"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.originals = self.directory / "originals" / spider.name
        shutil.rmtree(self.originals, ignore_errors=True)     # this run replaces the last one
        self.originals.mkdir(parents=True, exist_ok=True)
        records = self.directory / "records" / f"{spider.name}.jsonl"
        records.parent.mkdir(parents=True, exist_ok=True)
        self.records = records.open("w", encoding="utf-8")

    def response_received(self, response, request, spider):
        if request.meta.get("dont_obey_robotstxt") and response.url.endswith("/robots.txt"):
            return
        entry = self.manifest.get(response.url)
        name = entry["file"] if entry else f"{len(self.manifest):05d}.html"
        (self.originals / name).write_bytes(response.body)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        self.manifest[response.url] = {"url": response.url, "file": name, "content_type": content_type,
                                       "status": response.status}

    def item_scraped(self, item, response, spider):
        self.write(_record(item))

    def item_dropped(self, item, response, exception, spider):
        record = getattr(exception, "record", None)
        if not isinstance(record, dict):
            record = {"url": _record(item).get("url") or getattr(response, "url", None),
                      "reason": "dropped", "detail": f"{type(exception).__name__}: {exception}"}
        self.write(record)

    def write(self, record: dict) -> None:
        if self.records:
            self.records.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    def spider_closed(self, spider, reason):
        if self.records:
            self.records.close()
        (self.originals / "manifest.json").write_text(json.dumps(
            {"portal": spider.name, "pages": list(self.manifest.values())}, ensure_ascii=False, indent=1),
            encoding="utf-8")
        try:
            index, problems = build_review(sorted((self.directory / "records").glob("*.jsonl")), self.directory,
                                           pages=[self.directory / "originals"], against=self.against)
        except Exception:  # the crawl's output is written already; a review failure must not hide it
            logger.exception("review: the review site could not be written")
            return
        for problem in problems:
            logger.warning("review: %s", problem)
        logger.info("review: %s", index)
        spider.crawler.stats.set_value("review/index", str(index))


def _record(item) -> dict:
    try:
        data = ItemAdapter(item).asdict()
    except TypeError:
        return {}
    keep = ARTICLE_FIELDS if "articleBody" in data else _RECORD_FIELDS
    return {k: v for k, v in data.items() if k in keep and v not in (None, "", [], {})}
