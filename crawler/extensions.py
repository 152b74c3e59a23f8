"""Crawl accounting: every page ends as an article or a rejection, and the run says so.

`Accounting` (an extension the cleaning add-on enables) counts articles and rejections as they are
scraped, turns pages that would otherwise vanish (another pipeline's DropItem, a pipeline that
raised, a redirect the dupefilter dropped) into `Rejection` items sent through the feeds like any
other, and when the feeds are stored prints the one-line summary
`investchn: 6 pages -> 4 articles, 2 rejections (not-article 2) [ok]`.

The verdict is the `accounting/ok` stat: pages = articles + rejections, and every feed stored. Only
then is `output_stored` sent, the signal on which crawl state (incremental mode) learns what this
run wrote: state never runs ahead of the output. `scrapy crawl` (crawler.commands.crawl) and
`crawler.crawl_all` exit non-zero when it is false.
"""
from __future__ import annotations

import io
import logging
import os

from scrapy import signals
from scrapy.extensions.feedexport import FeedExporter, FileFeedStorage
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from .items import ARTICLE_CLASSES, PageItem, Rejection

logger = logging.getLogger(__name__)

# Sent once, after every feed of the run was stored without error (and pages balance).
output_stored = object()


class Accounting:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.feeds_closed: Deferred | None = None
        self.checks: list = []  # callables (spider) -> list of problems; distributed runs add one

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        for handler, signal in ((ext.spider_opened, signals.spider_opened),
                                (ext.spider_closed, signals.spider_closed),
                                (ext.feed_exporter_closed, signals.feed_exporter_closed),
                                (ext.item_scraped, signals.item_scraped),
                                (ext.item_dropped, signals.item_dropped),
                                (ext.item_error, signals.item_error),
                                (ext.request_dropped, signals.request_dropped)):
            crawler.signals.connect(handler, signal=signal)
        return ext

    def spider_opened(self, spider):
        if self.crawler.get_extension(FeedExporter) is not None:
            self.feeds_closed = Deferred()
        else:
            logger.info("No feed (-o/-O or FEEDS): articles and rejections are counted, not written")

    # -- counting ---------------------------------------------------------------------------------
    def item_scraped(self, item, response, spider):
        if isinstance(item, ARTICLE_CLASSES):
            self.stats.inc_value("accounting/articles")
        elif isinstance(item, Rejection):
            self.stats.inc_value("accounting/rejections")
            # Reasons like "duplicate-of <url>" are counted by their code, not per URL.
            self.stats.inc_value(f"accounting/rejections/{item['reason'].split(' ')[0]}")

    def item_dropped(self, item, response, exception, spider):
        """Another pipeline dropped one of our items: it still ends as a record."""
        if isinstance(item, Rejection):
            self.emit(item, response)
        elif _ours(item):
            self.emit(Rejection(url=item_url(item, response), portal=_portal(item), status=getattr(response, "status", None),
                                reason="dropped", detail=f"{type(exception).__name__}: {exception}"), response)

    def item_error(self, item, response, spider, failure):
        """A pipeline raised something other than DropItem: Scrapy logs it and forgets the item."""
        if _ours(item) or isinstance(item, Rejection):
            self.emit(Rejection(url=item_url(item, response), portal=_portal(item), status=getattr(response, "status", None),
                                reason="pipeline-error", detail=f"{type(failure.value).__name__}: {failure.value}"),
                      response)

    def request_dropped(self, request, spider):
        """The scheduler's dupefilter dropped a redirect target: the redirecting URL got a response
        but neither callback nor errback will run for it. Plain links dropped there never had one."""
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        self.stats.inc_value("accounting/pages")
        self.emit(Rejection(url=chain[0], portal=getattr(spider, "name", None), status=None,
                            reason=f"duplicate-of {request.url}",
                            detail=f"redirects to {request.url}, which this crawl already requested"), None)

    def emit(self, rejection: Rejection, response) -> None:
        """Send a record through item_scraped, as if a pipeline had returned it: the feeds (with
        their item_classes filters) and every other listener see it like any rejection."""
        self.crawler.signals.send_catch_log(signal=signals.item_scraped, item=rejection, response=response,
                                            spider=self.crawler.spider)

    # -- the verdict --------------------------------------------------------------------------------
    def feed_exporter_closed(self):
        if self.feeds_closed is not None and not self.feeds_closed.called:
            self.feeds_closed.callback(None)

    async def spider_closed(self, spider, reason):
        # FeedExporter stores its feeds on spider_closed too; the verdict waits for them.
        if self.feeds_closed is not None:
            await maybe_deferred_to_future(self.feeds_closed)
        self.finish(spider, reason)

    def finish(self, spider, reason) -> None:
        stats = self.stats
        articles = stats.get_value("accounting/articles", 0)
        rejections = stats.get_value("accounting/rejections", 0)
        pages = stats.get_value("accounting/pages", 0)
        reasons = {k.rsplit("/", 1)[1]: v for k, v in stats.get_stats().items()
                   if k.startswith("accounting/rejections/")}
        detail = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
        balanced = pages == articles + rejections
        problems = [] if balanced else [f"MISMATCH: {pages - articles - rejections} pages without a record"]
        failed = sum(v for k, v in stats.get_stats().items() if k.startswith("feedexport/failed_count/"))
        if failed:
            problems.append(f"FAILED: {failed} feed(s) not stored")
        for check in self.checks:
            problems.extend(check(spider))
        stats.set_value("accounting/balanced", balanced)
        stats.set_value("accounting/ok", not problems)
        verdict = "; ".join(problems) if problems else "ok"
        summary = (f"{spider.name}: {pages} pages -> {articles} articles, {rejections} rejections"
                   f"{' (' + detail + ')' if detail else ''} [{verdict}]")
        stats.set_value("accounting/summary", summary)
        (logger.error if problems else logger.info)(summary)
        if not problems and self.feeds_closed is not None:
            self.crawler.signals.send_catch_log(signal=output_stored)


class DurableFileFeedStorage(FileFeedStorage):
    """Local feeds that are on disk when Scrapy says they are stored: a write error anywhere in the
    run (a full disk) fails the store, and a successful store is fsync'ed (file, then its folder),
    so a URL that crawl state learns after it is in a file that survives a crash. Remote storages
    (s3, gs, ftp) are durable once their upload returns, which is when Scrapy reports them stored;
    a failed upload fails the run the same way."""

    def open(self, spider):
        file = super().open(spider)
        raw = file.detach() if isinstance(file, io.BufferedWriter) else file
        return _TrackedWriter(raw)

    def store(self, file):
        error = getattr(file, "error", None)
        try:
            if error is None:
                file.flush()
                os.fsync(file.fileno())
        finally:
            try:
                file.close()
            except OSError as exc:
                error = error or exc
        if error is not None:
            raise OSError(f"writing the feed failed: {error}") from error
        _fsync_folder(os.path.dirname(os.path.abspath(self.path)))


def _fsync_folder(folder: str) -> None:
    """A file created by this run survives a crash only once its folder entry is on disk too."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # platforms without directory handles (Windows): the file's own fsync is all there is
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the data itself was synced above
    finally:
        os.close(fd)


class _TrackedWriter(io.BufferedWriter):
    """Remembers the first write error (exporters' errors are only logged by the signal machinery)."""
    error: OSError | None = None

    def write(self, data):
        try:
            return super().write(data)
        except OSError as exc:
            self.error = self.error or exc
            raise

    def flush(self):
        try:
            return super().flush()
        except OSError as exc:
            self.error = self.error or exc
            raise


def _ours(item) -> bool:
    return isinstance(item, (*ARTICLE_CLASSES, PageItem))


def item_url(item, response) -> str | None:
    try:
        return item.get("url") or getattr(response, "url", None)
    except AttributeError:  # an item type without .get (a dataclass)
        return getattr(item, "url", None) or getattr(response, "url", None)


def _portal(item) -> str | None:
    try:
        return item.get("portal") or (item.get("metadata") or {}).get("portal")
    except AttributeError:
        return getattr(item, "profile", None)
