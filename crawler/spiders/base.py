"""The spider every portal uses: start at the profile's list pages, follow pagination and article
links, and hand every page it receives to the cleaning add-on (crawler.addons.Cleaning), which
decides what is an article, exactly as it would for any other project's spider."""
from __future__ import annotations

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from cleaners import ProfileRegistry

from ..items import PageItem, Rejection
from ..middlewares import RequestRejected


def failure_reason(failure) -> tuple[str, int | None, str]:
    """(reason code, HTTP status, detail) for a request that produced no usable response."""
    exc = failure.value
    text = str(exc)
    if failure.check(HttpError):
        status = exc.response.status
        return f"http-{status}", status, f"HTTP {status}"
    if failure.check(RequestRejected):  # ours: no-fixture, redirect-loop, seen-before, ...
        return exc.reason, None, text
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timeout", None, text or "the request timed out"
    if failure.check(DownloadCancelledError) or _too_large(exc):
        # DOWNLOAD_MAXSIZE: a Content-Length over it, more bytes than it arriving, or a compressed
        # body that would inflate past it (HttpCompressionMiddleware checks the decompressed size).
        return "too-large", None, text
    if failure.check(ResponseDataLossError):
        return "truncated", None, "the connection closed before the whole body arrived (Content-Length not met)"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns-failed", None, text
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection-failed", None, text
    if failure.check(IgnoreRequest):
        if "robots.txt" in text:
            return "robots-forbidden", None, text
        if "redirect" in text.lower():
            return "too-many-redirects", None, text
    return "fetch-failed", None, f"{type(exc).__name__}: {text}"


def _too_large(exc) -> bool:
    return type(exc.__cause__).__name__ == "_DecompressionMaxSizeExceeded" or "DOWNLOAD_MAXSIZE" in str(exc)


def _links(response, selector: str | None):
    """The <a> elements a profile's link selector names: CSS, or XPath when it starts with '/'."""
    if not selector:
        return ()
    if selector.lstrip().startswith(("/", "(", "./")):
        return response.xpath(selector)
    return response.css(selector)


class PortalSpider(scrapy.Spider):
    """Subclasses set `name` (= profile name); everything else comes from the profile."""

    profile = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.profile is None:
            type(self).profile = ProfileRegistry.default().get(self.name)
        crawl = self.profile.crawl
        self.start_urls = list(getattr(self, "start_urls", None) or crawl.get("start_urls", []))
        self.allowed_domains = list(crawl.get("allowed_domains", []))

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):  # also what Scrapy < 2.13 calls
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def parse(self, response):
        """A list page: follow its pagination and article links; the page itself is an item too
        (the pipelines reject it as not an article), so every response is accounted for.

        @portal_start
        @returns items 1 1
        @returns requests 2
        @cleans_to rejection
        """
        yield PageItem.from_response(response, profile=self.name)
        if not isinstance(response, TextResponse):  # a PDF or image where a list was expected: no links
            return
        crawl = self.profile.crawl
        # The next list page first: Scrapy's scheduler is last-in first-out, so this page's articles
        # are fetched before the next list adds its own, and the queue holds one list's links rather
        # than the whole portal's (20,000 queued requests were ~40 MiB in the crawl benchmark).
        for link in _links(response, crawl.get("pagination_links")):
            yield response.follow(link, callback=self.parse, errback=self.failed)
        for link in _links(response, crawl.get("article_links")):
            yield response.follow(link, callback=self.parse_article, errback=self.failed)

    def parse_article(self, response):
        """An article page.

        @portal_article
        @returns items 1 1
        @returns requests 0 0
        @cleans_to article
        """
        yield PageItem.from_response(response, profile=self.name)

    def failed(self, failure):
        """Errback: a request that failed still ends as one record (a rejection with a reason)."""
        reason, status, detail = failure_reason(failure)
        request = failure.request
        # After redirects the failing request is the last hop; the record names the URL we asked for.
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        yield Rejection(url=url, portal=self.name, status=status, reason=reason, detail=detail)
