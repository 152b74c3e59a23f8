"""Downloader middlewares."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urljoin, urlparse

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from w3lib.url import canonicalize_url, safe_url_string

logger = logging.getLogger(__name__)


class RequestRejected(IgnoreRequest):
    """A request our middlewares refuse; `reason` is the code the spider's errback records."""
    reason = "ignored"


class FixtureMissing(RequestRejected):
    """Replay mode met a URL that has no fixture. It is never fetched from the network."""
    reason = "no-fixture"


class RedirectLoop(RequestRejected):
    reason = "redirect-loop"


class OffsiteRedirect(RequestRejected):
    reason = "offsite-redirect"


def url_key(url: str) -> str:
    """One page, one key: the same URL written differently (query order, escapes, fragment)."""
    return canonicalize_url(url, keep_fragments=False)


class FixtureIndex:
    """All portals' saved responses by URL, read from fixtures/<portal>/manifest.json."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.pages: dict[str, dict] = {}
        for manifest in sorted(self.root.glob("*/manifest.json")):
            data = json.loads(manifest.read_text(encoding="utf-8"))
            for page in data.get("pages", []):
                page = {**page, "path": manifest.parent / page["file"]} if page.get("file") else dict(page)
                self.pages[url_key(page["url"])] = page

    def get(self, url: str) -> dict | None:
        return self.pages.get(url_key(url))

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


class RedirectGuardMiddleware:
    """Ends redirects that would otherwise vanish without a record (before RedirectMiddleware).

    A redirect back to a URL already in the chain is a loop: RedirectMiddleware would follow it
    until REDIRECT_MAX_TIMES, or the scheduler's dupefilter would silently drop the repeat. A redirect
    off the spider's allowed_domains would be dropped silently by OffsiteMiddleware at scheduling.
    Both become errback failures with a reason instead.
    """

    REDIRECTS = (301, 302, 303, 307, 308)

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location")
        if response.status not in self.REDIRECTS or not location or request.meta.get("dont_redirect"):
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if url_key(target) in {url_key(url) for url in chain}:
            raise RedirectLoop(f"redirect loop: {' -> '.join([*chain, target])}")
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        host = (urlparse(target).hostname or "").lower()
        if domains and not any(host == d.lower() or host.endswith("." + d.lower()) for d in domains):
            raise OffsiteRedirect(f"redirects to {target}, outside allowed_domains {domains}")
        return response
