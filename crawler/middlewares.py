"""Downloader middlewares."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)


class FixtureMissing(IgnoreRequest):
    """Replay mode met a URL that has no fixture. It is never fetched from the network."""


class FixtureIndex:
    """All portals' saved responses by URL, read from fixtures/<portal>/manifest.json."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.pages: dict[str, dict] = {}
        for manifest in sorted(self.root.glob("*/manifest.json")):
            data = json.loads(manifest.read_text(encoding="utf-8"))
            for page in data.get("pages", []):
                page = {**page, "path": manifest.parent / page["file"]} if page.get("file") else dict(page)
                self.pages[self.key(page["url"])] = page

    @staticmethod
    def key(url: str) -> str:
        return canonicalize_url(url, keep_fragments=False)

    def get(self, url: str) -> dict | None:
        return self.pages.get(self.key(url))

    def __len__(self) -> int:
        return len(self.pages)


class FixtureReplayMiddleware:
    """Answers every request from fixtures/ instead of the network (setting REPLAY_FIXTURES).

    A fixture entry gives the body file, `content_type`, optional `status` and `headers` (e.g. a
    Location for redirects). The response then goes back through the whole middleware chain, so
    retries, redirects and size limits behave as they would live.
    """

    def __init__(self, index: FixtureIndex, stats=None):
        self.index = index
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REPLAY_FIXTURES"):
            raise NotConfigured("REPLAY_FIXTURES is off: crawling live")
        index = FixtureIndex(crawler.settings.get("REPLAY_FIXTURES_DIR"))
        mw = cls(index, crawler.stats)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider):
        logger.info("Replaying %d fixture pages from %s (no network access)", len(self.index), self.index.root)

    def process_request(self, request, spider=None):
        page = self.index.get(request.url)
        if page is None:
            if request.url.endswith("/robots.txt"):
                return Response(request.url, status=404, request=request)
            if self.stats:
                self.stats.inc_value("replay/missing")
            raise FixtureMissing(f"no fixture for {request.url}")
        if self.stats:
            self.stats.inc_value("replay/hit")
        headers = {"Content-Type": page.get("content_type", "text/html"), **page.get("headers", {})}
        body = page["path"].read_bytes() if "path" in page else page.get("body", "").encode("utf-8")
        cls = HtmlResponse if "html" in headers["Content-Type"] else Response
        return cls(url=request.url, status=int(page.get("status", 200)), headers=headers, body=body,
                   request=request)
