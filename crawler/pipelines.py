"""Item pipelines: one per cleaning step (extraction, cleaning, normalisation, validation).

Each pipeline runs one step of `cleaners.Cleaner` on the page the item carries, copies the fields the
step produced onto the item, and counts what the step's rules removed in the crawl stats
(`cleaners/removed/<rule>`). A page that is not an article is dropped with a reason
(`RejectedItem`); `crawler.extensions.RejectionLog` writes those to the rejections feed.
"""
from __future__ import annotations

from collections import Counter

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from cleaners import Cleaner, Page, Rejected

from . import fingerprints
from .state import DUP_OF, crawl_state


class RejectedItem(DropItem):
    """A dropped page, with the record that explains why."""

    def __init__(self, record: dict):
        self.record = record
        detail = f" ({record['detail']})" if record.get("detail") else ""
        super().__init__(f"{record['reason']}{detail} <{record.get('url')}>", log_level="DEBUG")


def _cleaner(crawler) -> Cleaner:
    """One Cleaner per crawler, shared by the four pipelines."""
    cleaner = getattr(crawler, "_cleaner", None)
    if cleaner is None:
        settings = crawler.settings
        cleaner = Cleaner(convert=settings.get("CLEANERS_CONVERT") or None,
                          generic=settings.get("CLEANERS_GENERIC_EXTRACTOR", "generic"))
        crawler._cleaner = cleaner
    return cleaner


class CleanerStepPipeline:
    step = ""

    def __init__(self, cleaner: Cleaner, stats):
        self.cleaner = cleaner
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(_cleaner(crawler), crawler.stats)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        if "page" not in adapter:     # not ours (another spider's item): pass it on untouched
            return item
        if adapter.get("rejection"):  # set by a spider errback: nothing to extract
            raise self.reject(adapter, {"url": adapter.get("url"), **adapter["rejection"]})
        page = adapter["page"]
        before = Counter(getattr(page, "counters", {}))
        try:
            doc = self.run(adapter, page)
        except Rejected as rejection:
            raise self.reject(adapter, rejection.to_record(getattr(page, "page", page)))
        except Exception as exc:  # a page that breaks a step is a rejection, never a crash
            self.stats.inc_value(f"cleaners/errors/{self.step}")
            raise self.reject(adapter, Rejected("extract-failed", f"{self.step}: {type(exc).__name__}: {exc}")
                              .to_record(getattr(page, "page", page)))
        for rule, n in (doc.counters - before).items():
            self.stats.inc_value(f"cleaners/removed/{rule}", n)
        adapter["page"] = doc
        self.sync(adapter, doc)
        return item

    def run(self, adapter: ItemAdapter, page):
        raise NotImplementedError

    def reject(self, adapter: ItemAdapter, record: dict) -> RejectedItem:
        record = {"url": adapter.get("url"), "portal": adapter.get("portal"), **record}
        self.stats.inc_value(f"cleaners/rejected/{record['reason'].split(' ')[0]}")
        return RejectedItem(record)

    @staticmethod
    def sync(adapter: ItemAdapter, doc) -> None:
        """Show the step's result on the item, so a pipeline inserted between steps can read it."""
        for key, value in doc.to_item().items():
            if key in adapter.field_names():
                adapter[key] = value


class ExtractionPipeline(CleanerStepPipeline):
    """Decode, parse, choose the profile, extract metadata and the content lines."""
    step = "extract"

    def run(self, adapter, page):
        if not isinstance(page, Page):
            raise TypeError(f"expected a cleaners.Page, got {type(page).__name__}")
        portal = adapter.get("portal") or "auto"
        doc = self.cleaner.load(page, portal)
        return self.cleaner.extract(doc)


class CleaningPipeline(CleanerStepPipeline):
    """The shared chrome rules (cleaners.rules)."""
    step = "clean"

    def run(self, adapter, doc):
        return self.cleaner.clean(doc)


class NormalisationPipeline(CleanerStepPipeline):
    """Pinyin annotations out, Traditional to Simplified, whitespace collapsed."""
    step = "normalise"

    def run(self, adapter, doc):
        return self.cleaner.normalise(doc)


class ValidationPipeline(CleanerStepPipeline):
    """Drop what is not an article; the item leaves with only its exported fields."""
    step = "validate"

    def process_item(self, item, spider=None):
        item = super().process_item(item, spider)
        adapter = ItemAdapter(item)
        for key in ("page", "rejection"):
            adapter.pop(key, None)
        return item

    def run(self, adapter, doc):
        return self.cleaner.validate(doc)


class DuplicatesPipeline:
    """One item per article: the same text under a second URL (or reposted on another portal, when
    the portals share a store) becomes a `duplicate-of <first url>` rejection.

    Exact copies share a body fingerprint; near copies (other chrome left in, small edits) share a
    SimHash bucket or most paragraphs (crawler.fingerprints.DuplicateFinder). Every lookup is a batched
    StateStore write, so first-come-wins is atomic in SQLite and in Redis, and one store serves many workers. A page
    that matches only itself (the same URL in an earlier run) is not a duplicate: whether to emit it
    again is incremental mode's call.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_distance = crawler.settings.getint("DUPLICATES_MAX_DISTANCE", fingerprints.MAX_DISTANCE)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DUPLICATES_ENABLED", True):
            raise NotConfigured  # off by choice: nothing to warn about
        return cls(crawler)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        url, body = adapter.get("url"), adapter.get("articleBody")
        if not url or not body:
            return item
        first, how = self.first_copy(url, body)
        if first is None:
            return item
        # Keys this page registered before it turned out a copy point at it: send them on to the
        # article that was kept, so a third copy names that one, not a rejected page.
        store = crawl_state(self.crawler)
        first = store.get(DUP_OF, first) or first
        store.add(DUP_OF, url, first)
        self.stats.inc_value(f"duplicates/{how.split(' ')[0]}")
        raise RejectedItem({"url": url, "portal": adapter.get("portal"), "status": adapter.get("status"),
                            "reason": f"duplicate-of {first}", "detail": how})

    def first_copy(self, url: str, body: str) -> tuple[str | None, str]:
        """(URL of an earlier copy, how it matched), or (None, "") for a new article."""
        finder = getattr(self, "_finder", None)
        if finder is None:
            finder = self._finder = fingerprints.DuplicateFinder(crawl_state(self.crawler), self.max_distance)
        return finder.first_copy(url, body)
