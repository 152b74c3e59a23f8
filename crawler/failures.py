"""Requests that got no usable response still end as one record each: a `Rejection` with a reason.

A spider with an errback (ours: `PortalSpider.failed`) records them itself. A plain spider (the
README's add-on example has none) would otherwise lose them without a trace: Scrapy only logs a
download error, an HTTP error response or a refused request when no errback takes it. The add-on's
`UnhandledFailures` middlewares record those in the same form the errback would, and a page whose
callback raised before handing it over (`spider-error`).
"""
from __future__ import annotations

import weakref

from scrapy import Request
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.http.request import NO_CALLBACK
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from .extensions import Accounting, item_url
from .items import Rejection
from .middlewares import RequestRejected



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


def asked_url(request) -> str:
    """After redirects the request at hand is the last hop; a record names the URL that was asked for."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def rejection_for(failure, request, portal: str | None) -> Rejection:
    reason, status, detail = failure_reason(failure)
    return Rejection(url=asked_url(request), portal=portal, status=status, reason=reason, detail=detail)


class UnhandledFailures:
    """Downloader middleware (outermost, so retries come first) and spider middleware (before
    Scrapy's HttpErrorMiddleware, which would drop an error response): a failure no errback
    handles becomes a rejection, and so does a response whose callback raised before handing the
    page over (yielding the response, or an item with its URL): Scrapy would only log it."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.handed_over: weakref.WeakSet = weakref.WeakSet()  # responses whose page is already on its way

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception, spider=None):
        if request.errback is not None or request.callback is NO_CALLBACK:
            return None  # the spider records it, or a component's own download (robots.txt): not a page
        accounting = self.crawler.get_extension(Accounting)
        if accounting is not None:  # emitted as if scraped: the feeds and every counter see it
            self.crawler.stats.inc_value("accounting/pages")
            accounting.emit(rejection_for(Failure(exception), request, self._portal()), None)
        return None  # Scrapy still logs the error as usual

    def process_spider_output(self, response, result, spider=None):
        for out in result:
            self._note(response, out)
            yield out

    async def process_spider_output_async(self, response, result, spider=None):
        async for out in result:
            self._note(response, out)
            yield out

    def _note(self, response, out) -> None:
        if out is response or (not isinstance(out, Request) and item_url(out, None) == response.url):
            self.handed_over.add(response)

    def process_spider_exception(self, response, exception, spider=None):
        request = response.request
        if isinstance(exception, HttpError):
            if request is None or request.errback is not None:
                return None
            return [rejection_for(Failure(exception), request, self._portal())]  # through the pipelines
        if response in self.handed_over:
            return None  # the page has its record; Scrapy logs the error
        # The callback failed before handing the page over: record it, and let the exception go on
        # to Scrapy (its log line, stats, spider_error signal, and CloseSpider still closing).
        accounting = self.crawler.get_extension(Accounting)
        if accounting is not None:
            url = asked_url(request) if request is not None else response.url
            self.crawler.stats.inc_value("accounting/pages")
            accounting.emit(Rejection(url=url, portal=self._portal(), status=response.status, reason="spider-error",
                                      detail=f"{type(exception).__name__}: {exception}"), response)
        return None

    def _portal(self) -> str | None:
        return getattr(self.crawler.spider, "name", None)
