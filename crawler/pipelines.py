"""Item pipelines of the cleaning add-on (crawler.addons.Cleaning).

`CleaningPipeline` turns every page a spider hands over (a yielded `Response`, a `PageItem`, or any
item with `url` and `html`/`body`) into an `ArticleItem` or a `Rejection`; items that are not pages
pass untouched. The cleaning itself is one function, `clean_page`, that runs the cleaners' steps in
order and never raises; the pipeline only adapts items and counts what each step did in the crawl
stats (`cleaners/removed/<rule>`, `cleaners/rejected/<reason>`, `cleaners/errors/<step>`), while
the item's `removed` lists every piece of text a rule stripped.

`DuplicatesPipeline` turns an article whose text was already emitted under another URL into a
`duplicate-of <url>` rejection; `ZyteShapePipeline` (CLEANERS_ITEM_SHAPE = "zyte") writes articles
in zyte-common-items `Article` shape, last, so every pipeline before it sees one shape.
"""
from __future__ import annotations

import contextlib
import os
from collections import Counter
from dataclasses import dataclass, field

from itemadapter import ItemAdapter, is_item
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from cleaners import Cleaner, Page, ProfileRegistry, Rejected
from cleaners.rules import DEFAULT_RULES

from . import fingerprints
from .extensions import output_stored
from .items import ArticleItem, PageItem, Rejection, zyte_article
from .state import DUP_OF, crawl_state


# --- the cleaning, one page at a time ----------------------------------------------------------

@dataclass
class Outcome:
    """What cleaning one page gave: an article's fields or a rejection record, and the removals
    each rule made (for the stats)."""
    record: dict
    article: bool
    counters: Counter = field(default_factory=Counter)
    failed_step: str | None = None


def clean_page(cleaner: Cleaner, page: Page, profile: str | dict | None = None) -> Outcome:
    """Every step of the cleaners on one page; never raises (a step that breaks is a rejection).
    Plain data in and out, so it can run in another thread or process. `profile` is a profile's name,
    or a site's learned template as profile data (crawler.site_templates)."""
    if isinstance(profile, dict):
        from .site_templates import clean_with_template
        return clean_with_template(cleaner, page, profile)
    portal = profile or "auto"
    resolved = cleaner.registry.resolve(portal, page.url)
    name = resolved.name if resolved else "generic"
    doc, step = None, "load"
    try:
        doc = cleaner.load(page, name)
        for step, run in (("extract", cleaner.extract), ("clean", cleaner.clean),
                          ("normalise", cleaner.normalise), ("validate", cleaner.validate)):
            run(doc)
    except Rejected as rejection:
        return _rejected(page, name, rejection, doc)
    except RecursionError:
        return _rejected(page, name, Rejected("too-deep", "the page nests elements too deeply to parse"), doc)
    except Exception as exc:  # a page that breaks a step is a rejection, never a crash
        outcome = _rejected(page, name, Rejected("extract-failed", f"{step}: {type(exc).__name__}: {exc}"), doc)
        outcome.failed_step = step
        return outcome
    return Outcome(doc.to_item(), True, Counter(doc.counters))


def _rejected(page: Page, portal: str, rejection: Rejected, doc) -> Outcome:
    record = {"url": page.url, "portal": portal, "status": page.status, "reason": rejection.reason,
              "detail": rejection.detail}
    return Outcome(record, False, Counter(doc.counters) if doc is not None else Counter())


def build_cleaner(settings) -> Cleaner:
    """A Cleaner from the settings: CLEANERS_PROFILE_PATH (folders, or an os.pathsep-separated
    string, read after the built-in profiles and the environment variable of the same name),
    CLEANERS_CONVERT, CLEANERS_GENERIC_EXTRACTOR, CLEANERS_RULES (names of the shared rules to run;
    default all) or CLEANERS_RULES_DISABLED (names to leave out)."""
    dirs = settings.get("CLEANERS_PROFILE_PATH") or []
    registry = ProfileRegistry.default()
    for directory in dirs.split(os.pathsep) if isinstance(dirs, str) else dirs:
        for profile in ProfileRegistry.from_dirs(directory) if directory else ():
            registry.add(profile)
    names = settings.getlist("CLEANERS_RULES")
    disabled = set(settings.getlist("CLEANERS_RULES_DISABLED"))
    known = {rule.name for rule in DEFAULT_RULES}
    unknown = (set(names) | disabled) - known
    if unknown:
        raise NotConfigured(f"CLEANERS_RULES / CLEANERS_RULES_DISABLED: unknown rules {sorted(unknown)}; "
                            f"known: {', '.join(sorted(known))}")
    rules = tuple(r for r in DEFAULT_RULES if (not names or r.name in names) and r.name not in disabled)
    return Cleaner(registry=registry, convert=settings.get("CLEANERS_CONVERT") or None,
                   generic=settings.get("CLEANERS_GENERIC_EXTRACTOR") or "generic", rules=rules)


def page_of(item) -> tuple[Page, str | None] | None:
    """(the page, the profile asked for) if the item is a page to clean, else None."""
    if isinstance(item, Response):
        return Page(body=item.body, url=item.url, headers=_headers(item), status=item.status), None
    if isinstance(item, PageItem):
        return Page(body=item.body, url=item.url, headers=dict(item.headers), status=item.status), item.profile
    if not is_item(item):
        return None
    adapter = ItemAdapter(item)
    body = adapter.get("html") if adapter.get("html") is not None else adapter.get("body")
    if not adapter.get("url") or not isinstance(body, (str, bytes)):
        return None
    headers = {str(k).lower(): str(v) for k, v in (adapter.get("headers") or {}).items()}
    return Page(body=body, url=adapter["url"], headers=headers, status=adapter.get("status") or 200), adapter.get("profile")


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}


# --- pipelines ---------------------------------------------------------------------------------

class CleaningPipeline:
    """Pages in, articles and rejections out; every other item passes untouched. With
    CLEANERS_WORKERS > 0 (the default: CPU count - 1) pages are cleaned in worker processes
    (crawler.cleaning_pool), so Scrapy keeps fetching and exporting meanwhile; 0 cleans here."""

    def __init__(self, cleaner: Cleaner, stats, workers: int = 0, settings=None):
        self.cleaner = cleaner
        self.stats = stats
        self.workers = workers
        self.settings = settings
        self.pool = None  # started with the first page, so a pipeline that cleans nothing spawns nothing

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        from .cleaning_pool import workers_setting
        pipeline = cls(build_cleaner(crawler.settings), crawler.stats, workers_setting(crawler.settings),
                       crawler.settings)
        crawler.signals.connect(pipeline.close_pool, signal=signals.engine_stopped)
        return pipeline

    def process_item(self, item, spider=None):
        if isinstance(item, Rejection):  # a request that got no usable response (a spider's errback)
            self.stats.inc_value("accounting/pages")
            return item
        found = page_of(item)
        if found is None:
            return item
        self.stats.inc_value("accounting/pages")
        if self.workers:
            return self._clean_in_pool(*found)
        return self._item(clean_page(self.cleaner, *found))

    async def _clean_in_pool(self, page: Page, profile: str | None):
        from scrapy.utils.defer import maybe_deferred_to_future

        from .cleaning_pool import CleaningPool
        if self.pool is None:
            self.pool = CleaningPool.from_settings(self.settings, self.workers)
        try:
            outcome = await maybe_deferred_to_future(self.pool.clean(page, profile))
        except Rejected as rejection:  # too-slow, worker-died: the pool could not clean it
            resolved = self.cleaner.registry.resolve(profile if isinstance(profile, str) else "auto", page.url)
            outcome = _rejected(page, resolved.name if resolved else "generic", rejection, None)
        return self._item(outcome)

    def _item(self, outcome: Outcome):
        for rule, n in outcome.counters.items():
            self.stats.inc_value(f"cleaners/removed/{rule}", n)
        if outcome.failed_step:
            self.stats.inc_value(f"cleaners/errors/{outcome.failed_step}")
        if outcome.article:
            return ArticleItem(**outcome.record)
        self.stats.inc_value(f"cleaners/rejected/{outcome.record['reason'].split(' ')[0]}")
        return Rejection(**outcome.record)

    def close_pool(self):
        if self.pool is not None:
            self.pool.close()


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
        self._store = None
        self._finder = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DUPLICATES_ENABLED", True):
            raise NotConfigured  # off by choice: nothing to warn about
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.output_stored, signal=output_stored)
        return pipeline

    @property
    def store(self):
        """The crawl state, through this process's pending claims when the store is a local one."""
        if self._store is None:
            self._store = PendingClaims.view(self.crawler, self)
        return self._store

    def output_stored(self):
        if isinstance(self._store, _OwnerView):
            self._store.flush()

    def process_item(self, item, spider=None):
        if not isinstance(item, ArticleItem):
            return item
        url, body = item.get("url"), item.get("articleBody")
        if not url or not body:
            return item
        first, how = self.first_copy(url, body)
        if first is None:
            return item
        # Keys this page registered before it turned out a copy point at it: send them on to the
        # article that was kept, so a third copy names that one, not a rejected page.
        store = self.store
        first = store.get(DUP_OF, first) or first
        store.add(DUP_OF, url, first)
        self.stats.inc_value(f"duplicates/{how.split(' ')[0]}")
        return Rejection(url=url, portal=item.get("portal"), status=200, reason=f"duplicate-of {first}", detail=how)

    def first_copy(self, url: str, body: str) -> tuple[str | None, str]:
        """(URL of an earlier copy, how it matched), or (None, "") for a new article."""
        if self._finder is None:
            self._finder = fingerprints.DuplicateFinder(self.store, self.max_distance)
        return self._finder.first_copy(url, body)


class PendingClaims:
    """Write, then remember, for the duplicate filter: claims (fingerprint -> first URL) made in this
    process stay in memory until the crawl that made them has stored its feeds (signal
    crawler.extensions.output_stored), and only then go to the persistent store. A run that is
    killed or fails to write leaves no claim behind, so no later page is rejected as a copy of an
    article that is in no output. Crawlers of one process sharing a store (crawl_all) share the
    pending claims, so a repost across portals is still caught within the run.

    A store shared between processes (Redis, distributed runs) takes claims at once instead: two
    workers must never both emit one article; an article a killed worker claimed but never wrote
    is reported by the run's accounting (crawler.distributed.RedisAccounting)."""

    _by_store: dict[tuple, "PendingClaims"] = {}

    def __init__(self):
        self.claims: dict[tuple[str, str], tuple[str, object]] = {}  # (namespace, key) -> (value, owner)
        self.buckets: dict[tuple[str, int], dict[bytes, object]] = {}  # (namespace, bucket) -> {member: owner}

    @classmethod
    def view(cls, crawler, owner):
        """The StateStore interface for one owner (a pipeline), over its crawler's store."""
        from .state import MemoryStore, SqliteStore
        store = crawl_state(crawler)
        if not isinstance(store, (SqliteStore, MemoryStore)):
            return store
        settings = crawler.settings
        identity = (settings.get("STATE_BACKEND"), str(settings.get("STATE_URI")) % {"name": crawler.spidercls.name})
        claims = cls._by_store.setdefault(identity, cls())
        return _OwnerView(claims, owner, store)

    def add(self, store, namespace: str, key: str, value: str, owner) -> str | None:
        held = self.get(store, namespace, key)
        if held is not None:
            return held
        self.claims[(namespace, key)] = (value, owner)
        return None

    def get(self, store, namespace: str, key: str) -> str | None:
        pending = self.claims.get((namespace, key))
        return pending[0] if pending else store.get(namespace, key)

    def bucket_add(self, store, namespace: str, entries, owner) -> list[list[bytes]]:
        """Members already in each bucket (stored or pending); the new ones wait in memory."""
        stored = store.bucket_get(namespace, [bucket for bucket, _ in entries])
        answers = []
        for (bucket, member), held in zip(entries, stored):
            pending = self.buckets.setdefault((namespace, bucket), {})
            answers.append([m for m in [*held, *pending] if m != member])
            pending.setdefault(member, owner)
        return answers

    def flush(self, store, owner) -> None:
        """This owner's claims into the store, one batch per namespace (one transaction)."""
        with store.batch():
            mine: dict[str, list] = {}
            for (namespace, key), (value, who) in list(self.claims.items()):
                if who is owner:
                    mine.setdefault(namespace, []).append((key, value))
                    del self.claims[(namespace, key)]
            for namespace, pairs in mine.items():
                store.add_many(namespace, pairs)
            for (namespace, bucket), members in list(self.buckets.items()):
                ours = [m for m, who in members.items() if who is owner]
                if ours:
                    store.bucket_add(namespace, [(bucket, m) for m in ours])
                    for m in ours:
                        del members[m]
                if not members:
                    del self.buckets[(namespace, bucket)]


class _OwnerView:
    def __init__(self, claims: PendingClaims, owner, store):
        self.claims, self.owner, self.store = claims, owner, store

    def add(self, namespace, key, value):
        return self.claims.add(self.store, namespace, key, value, self.owner)

    def get(self, namespace, key):
        return self.claims.get(self.store, namespace, key)

    def add_many(self, namespace, pairs):
        return [self.add(namespace, key, value) for key, value in pairs]

    def bucket_add(self, namespace, entries):
        return self.claims.bucket_add(self.store, namespace, entries, self.owner)

    def batch(self):
        return contextlib.nullcontext()  # claims wait in memory: the transaction is flush()'s

    def flush(self):
        self.claims.flush(self.store, self.owner)


class ZyteShapePipeline:
    """CLEANERS_ITEM_SHAPE = "zyte": articles leave as zyte-common-items `Article` (crawler.items.
    zyte_article); CLEANERS_UTC_OFFSET is the zone of dates the pages print without one."""

    def __init__(self, utc_offset: str):
        self.utc_offset = utc_offset

    @classmethod
    def from_crawler(cls, crawler):
        if (crawler.settings.get("CLEANERS_ITEM_SHAPE") or "").lower() != "zyte":
            raise NotConfigured
        return cls(crawler.settings.get("CLEANERS_UTC_OFFSET") or "+08:00")

    def process_item(self, item, spider=None):
        if isinstance(item, ArticleItem):
            return zyte_article(dict(item), self.utc_offset)
        return item
