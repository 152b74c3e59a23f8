"""Item pipelines of the cleaning add-on (crawler.addons.Cleaning).

`CleaningPipeline` turns every page a spider hands over (a yielded `Response`, a `PageItem`, or any
item with `url` and `html`/`body`) into an `ArticleItem` or a `Rejection`; items that are not pages
pass untouched. The cleaning itself is one function, `crawler.cleaning.clean_page`, that runs the cleaners' steps in
order and never raises; the pipeline only adapts items and counts what each step did in the crawl
stats (`cleaners/removed/<rule>`, `cleaners/rejected/<reason>`, `cleaners/errors/<step>`), while
the item's `removed` lists every piece of text a rule stripped.

`DuplicatesPipeline` turns an article whose text was already emitted under another URL into a
`duplicate-of <url>` rejection; `ZyteShapePipeline` (CLEANERS_ITEM_SHAPE = "zyte") writes articles
in zyte-common-items `Article` shape, last, so every pipeline before it sees one shape.
"""
from __future__ import annotations

from itemadapter import ItemAdapter, is_item
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from cleaners import Cleaner, Page, Rejected

from . import fingerprints
from .cleaning import CLEANER_SETTINGS, Outcome, clean_page, cleaner_from_values, portal_name, rejected

__all__ = ["CleaningPipeline", "DuplicatesPipeline", "ZyteShapePipeline", "Outcome", "build_cleaner",
           "clean_page", "page_of"]
from .extensions import output_stored
from .items import ArticleItem, PageItem, Rejection, zyte_article
from .state import DUP_OF, StateStore, crawl_state, in_chunks, marks


# --- the cleaning (crawler.cleaning: scrapy-free, shared with the cleaning workers) ----------------

def build_cleaner(settings) -> Cleaner:
    """A Cleaner from the settings: CLEANERS_PROFILE_PATH (folders, or an os.pathsep-separated
    string, read after the built-in profiles and the environment variable of the same name),
    CLEANERS_CONVERT, CLEANERS_GENERIC_EXTRACTOR, CLEANERS_RULES (names of the shared rules to run;
    default all) or CLEANERS_RULES_DISABLED (names to leave out)."""
    try:
        return cleaner_from_values(cleaner_values(settings))
    except ValueError as exc:
        raise NotConfigured(str(exc)) from None


def cleaner_values(settings) -> dict:
    """The settings crawler.cleaning reads, as plain values (lists as lists) for a worker process."""
    values = {name: settings.get(name) for name in CLEANER_SETTINGS}
    for name in ("CLEANERS_RULES", "CLEANERS_RULES_DISABLED"):
        values[name] = settings.getlist(name)
    if not isinstance(values["CLEANERS_PROFILE_PATH"], str):
        values["CLEANERS_PROFILE_PATH"] = list(values["CLEANERS_PROFILE_PATH"] or [])
    values["DUPLICATES_ENABLED"] = settings.getbool("DUPLICATES_ENABLED", True)
    return values


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
        self.pool = None  # started when the spider opens (CLEANERS_WORKERS > 0)
        self._tuned = False  # the collector tuned while this pipeline is open (crawler.collector)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        from .cleaning_pool import workers_setting
        pipeline = cls(build_cleaner(crawler.settings), crawler.stats, workers_setting(crawler.settings),
                       crawler.settings)
        crawler.signals.connect(pipeline.close_pool, signal=signals.engine_stopped)
        return pipeline

    def open_spider(self, spider=None):
        from . import collector
        self._tuned = collector.tune(self.settings.getint("CLEANERS_GC_THRESHOLD", collector.DEFAULT_THRESHOLD)
                                     if self.settings is not None else 0)
        if self.workers:  # the workers import the cleaners while Scrapy fetches the first pages
            self._pool().start()

    def close_spider(self, spider=None):
        if self._tuned:
            from . import collector
            collector.restore()
            self._tuned = False

    def _pool(self):
        if self.pool is None:
            from .cleaning_pool import CleaningPool
            self.pool = CleaningPool.from_settings(self.settings, self.workers)
        return self.pool

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
        try:
            outcome = await maybe_deferred_to_future(self._pool().clean(page, profile))
        except Rejected as rejection:  # too-slow, worker-died: the pool could not clean it
            portal = portal_name(self.cleaner, profile if isinstance(profile, str) else None, page.url)
            outcome = rejected(page, portal, rejection, None)
        return self._item(outcome)

    def _item(self, outcome: Outcome):
        for rule, n in outcome.counters.items():
            self.stats.inc_value(f"cleaners/removed/{rule}", n)
        if outcome.failed_step:
            self.stats.inc_value(f"cleaners/errors/{outcome.failed_step}")
        if outcome.article:
            item = ArticleItem(**outcome.record)
            if outcome.prints is not None:
                item._prints = outcome.prints  # not a field: never exported
            return item
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
        first, how = self.first_copy(url, body, getattr(item, "_prints", None))
        if first is None:
            return item
        # Keys this page registered before it turned out a copy point at it: send them on to the
        # article that was kept, so a third copy names that one, not a rejected page.
        store = self.store
        first = store.get(DUP_OF, first) or first
        store.add(DUP_OF, url, first)
        self.stats.inc_value(f"duplicates/{how.split(' ')[0]}")
        return Rejection(url=url, portal=item.get("portal"), status=200, reason=f"duplicate-of {first}", detail=how)

    def first_copy(self, url: str, body: str, prints=None) -> tuple[str | None, str]:
        """(URL of an earlier copy, how it matched), or (None, "") for a new article."""
        if self._finder is None:
            self._finder = fingerprints.DuplicateFinder(self.store, self.max_distance)
        return self._finder.first_copy(url, body, prints)


class PendingClaims:
    """Write, then remember, for the duplicate filter: claims (fingerprint -> first URL) made in this
    process stay pending until the crawl that made them has stored its feeds (signal
    crawler.extensions.output_stored), and only then go to the persistent store. A run that is
    killed or fails to write leaves no claim behind, so no later page is rejected as a copy of an
    article that is in no output. Crawlers of one process sharing a store (crawl_all) share the
    pending claims, so a repost across portals is still caught within the run.

    Pending claims wait in a private temporary SQLite file (deleted when closed), not in Python
    objects: ~3 KB a page as dicts, which grew a 20,000-page crawl by 60 MiB; SQLite keeps a few
    MiB of cache whatever the run's length.

    A store shared between processes (Redis, distributed runs) takes claims at once instead: two
    workers must never both emit one article; an article a killed worker claimed but never wrote
    is reported by the run's accounting (crawler.distributed.RedisAccounting)."""

    _by_store: dict[tuple, "PendingClaims"] = {}

    def __init__(self):
        import sqlite3
        self.db = sqlite3.connect("", isolation_level=None, check_same_thread=False)  # "": temporary file
        self.db.execute("PRAGMA journal_mode=OFF")  # nothing here must survive the process
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE claims (ns TEXT, k TEXT, v TEXT, o INTEGER, PRIMARY KEY (ns, k)) WITHOUT ROWID")
        # rowid order: a bucket's members are answered in the order they came, as the stores do
        self.db.execute("CREATE TABLE buckets (ns TEXT, b INTEGER, m BLOB, o INTEGER, UNIQUE (ns, b, m))")
        # One transaction for the file's whole life: nothing here must survive the process, and a
        # commit per claim (autocommit) cost more than the claim itself.
        self.db.execute("BEGIN")
        self._owners: dict[int, tuple[int, object]] = {}  # id(owner) -> (number, owner kept alive)

    def _owner(self, owner) -> int:
        return self._owners.setdefault(id(owner), (len(self._owners), owner))[0]

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

    # Each call reads the pending claims and the store once for all its keys (a handful of SQL
    # statements per article instead of a few per key), then writes the new claims in one go.
    def add_many(self, store, namespace: str, pairs, owner) -> list[str | None]:
        """Per pair: None if the key was new (it is now pending), else the value held first."""
        pairs = list(pairs)
        held = self._held(store, namespace, [key for key, _ in pairs])
        answers, new, mine = [], [], self._owner(owner)
        for key, value in pairs:
            answers.append(held.get(key))
            if key not in held:  # a key twice in one call: the second sees the first
                held[key] = value
                new.append((namespace, key, value, mine))
        self.db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?)", new)
        return answers

    def get_many(self, store, namespace: str, keys) -> list[str | None]:
        keys = list(keys)
        held = self._held(store, namespace, keys)
        return [held.get(key) for key in keys]

    def _held(self, store, namespace: str, keys: list) -> dict:
        """key -> value for the keys pending here or in the store (pending first)."""
        held = self._pending(namespace, keys)
        unknown = [key for key in keys if key not in held]
        if unknown:
            held.update((k, v) for k, v in zip(unknown, store.get_many(namespace, unknown)) if v is not None)
        return held

    def _pending(self, namespace: str, keys: list) -> dict:
        held = {}
        for part in in_chunks(keys):
            held.update(self.db.execute(f"SELECT k, v FROM claims WHERE ns = ? AND k IN ({marks(part)})",
                                        (namespace, *part)))
        return held

    def bucket_add(self, store, namespace: str, entries, owner) -> list[list[bytes]]:
        """Members already in each bucket (stored, then pending in the order they came); the new
        ones wait here."""
        entries = list(entries)
        buckets = [bucket for bucket, _ in entries]
        stored = store.bucket_get(namespace, buckets)
        pending: dict[int, list[bytes]] = {}
        for part in in_chunks(sorted(set(buckets))):
            for bucket, member in self.db.execute(
                    f"SELECT b, m FROM buckets WHERE ns = ? AND b IN ({marks(part)}) ORDER BY rowid", (namespace, *part)):
                pending.setdefault(bucket, []).append(bytes(member))
        answers, mine = [], self._owner(owner)
        for (bucket, member), held in zip(entries, stored):
            waiting = pending.setdefault(bucket, [])
            answers.append([m for m in [*held, *waiting] if m != member])
            if member not in waiting:
                waiting.append(member)
        self.db.executemany("INSERT OR IGNORE INTO buckets VALUES (?, ?, ?, ?)",
                            ((namespace, bucket, member, mine) for bucket, member in entries))
        return answers

    def flush(self, store, owner) -> None:
        """This owner's claims into the store in bulk, in one transaction, streamed (never all in memory)."""
        mine = self._owner(owner)
        with store.batch():
            for namespace, in self.db.execute("SELECT DISTINCT ns FROM claims WHERE o = ?", (mine,)).fetchall():
                store.put_many(namespace, self.db.execute("SELECT k, v FROM claims WHERE ns = ? AND o = ?",
                                                          (namespace, mine)))
            for namespace, in self.db.execute("SELECT DISTINCT ns FROM buckets WHERE o = ?", (mine,)).fetchall():
                store.bucket_put(namespace, ((b, bytes(m)) for b, m in self.db.execute(
                    "SELECT b, m FROM buckets WHERE ns = ? AND o = ?", (namespace, mine))))
        self.db.execute("DELETE FROM claims WHERE o = ?", (mine,))
        self.db.execute("DELETE FROM buckets WHERE o = ?", (mine,))


class _OwnerView(StateStore):
    """The store as one owner's claims see it: additions wait in PendingClaims until flush()
    (which is also where their transaction is), lookups see the store and the pending claims."""

    def __init__(self, claims: PendingClaims, owner, store):
        self.claims, self.owner, self.store = claims, owner, store

    def add(self, namespace, key, value):
        return self.claims.add_many(self.store, namespace, [(key, value)], self.owner)[0]

    def add_many(self, namespace, pairs):
        return self.claims.add_many(self.store, namespace, pairs, self.owner)

    def get(self, namespace, key):
        return self.claims.get_many(self.store, namespace, [key])[0]

    def get_many(self, namespace, keys):
        return self.claims.get_many(self.store, namespace, keys)

    def bucket_add(self, namespace, entries):
        return self.claims.bucket_add(self.store, namespace, entries, self.owner)

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
