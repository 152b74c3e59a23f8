"""The cleaning add-on: one setting turns any Scrapy project's pages into clean articles.

    ADDONS = {"crawler.addons.Cleaning": 300}

A spider hands over pages by yielding the `Response` itself (or a `crawler.items.PageItem`, or any
item with `url` and `html`/`body` fields); each becomes an `ArticleItem` or a `Rejection`. The
add-on enables the pipelines, the accounting extension and (opt-in) incremental mode, and splits
every items feed in two: the feed keeps everything but rejections, and a second feed beside it
(`out.jsonl` -> `out.rejections.jsonl`, same format and options) takes the rejections through an
`item_classes` filter. Every value it sets is a default: a project or `-s` setting wins.
"""
from __future__ import annotations

import logging
from pathlib import PurePosixPath

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import load_object
from scrapy.utils.project import data_path

logger = logging.getLogger(__name__)

# Settings the add-on reads, with their defaults (README, "Crawling", explains each).
DEFAULTS = {
    "CLEANERS_CONVERT": "auto",              # "auto" (t2s/tw2s/hk2s per page), "t2s", "tw2s", "hk2s", or empty
    "CLEANERS_GENERIC_EXTRACTOR": "generic",  # or "trafilatura", "readability"
    "CLEANERS_PROFILE_PATH": [],             # extra profile folders
    "CLEANERS_RULES": [],                    # shared rules to run (empty: all)
    "CLEANERS_RULES_DISABLED": [],
    "CLEANERS_WORKERS": None,                # cleaning processes: None = CPU count - 1 (at least 1); 0 = in-process
    "CLEANERS_TIMEOUT": 60,                  # seconds a page may take in a worker before it is too-slow
    "CLEANERS_GC_THRESHOLD": 10_000,         # collector's first-generation threshold while cleaning (crawler.collector); 0 = Python's
    "CLEANERS_ITEM_SHAPE": "",               # "zyte": zyte-common-items Article
    "CLEANERS_UTC_OFFSET": "+08:00",         # zone of dates printed without one (zyte shape)
    "CLEANERS_REJECTIONS_FEED": True,        # derive a rejections feed beside each items feed
    "REJECTIONS_URI": None,                  # or name it
    "DUPLICATES_ENABLED": True,
    "DUPLICATES_MAX_DISTANCE": 3,
    "INCREMENTAL": False,                    # opt-in: skip pages an earlier run wrote
    "INCREMENTAL_RESET": False,
    "STATE_BACKEND": "crawler.state.SqliteStore",
    # One store per spider and per mode (replay or live), so the two never block each other.
    "STATE_URI": None,                        # default: <project>/.scrapy/state/%(name)s-%(mode)s.sqlite
    "STATE_KEY_PREFIX": "%(name)s:state:%(mode)s",  # Redis keys (crawler.redis_state)
    "STATE_EXPECTED_PAGES": 100_000,         # sizes the Redis state's shards (crawler.redis_state)
    # Site-aware generic crawling (crawler.site_templates): profile-less sites cleaned with the
    # template learned from their pages, which are held until it is learned.
    "SITE_TEMPLATES_ENABLED": True,
    "SITE_TEMPLATE_PAGES": 3,                # article pages of a site to learn its template from
    "SITE_TEMPLATE_MAX_HELD": 20,            # pages held per site (the oldest are released beyond)
    "SITE_TEMPLATE_MAX_HELD_BYTES": 2_000_000,  # bytes held in all (below Scrapy's 5 MB scraper slot)
    "SITE_TEMPLATE_MAX_WAIT": 60,            # seconds a page may be held
    "FEED_EXPORT_ENCODING": "utf-8",
}
COMPONENTS = {
    "ITEM_PIPELINES": {"crawler.site_templates.SiteTemplatePipeline": 90,
                       "crawler.pipelines.CleaningPipeline": 100,
                       "crawler.pipelines.DuplicatesPipeline": 500,
                       "crawler.pipelines.ZyteShapePipeline": 800},
    "EXTENSIONS": {"crawler.extensions.Accounting": 500},
    # First: a page an earlier run wrote is refused before any other work (`seen-before`). Outermost:
    # a failure that no errback takes, after retries, is recorded (crawler.failures).
    "DOWNLOADER_MIDDLEWARES": {"crawler.failures.UnhandledFailures": 10,
                               "crawler.incremental.IncrementalMiddleware": 50},
    # Before Scrapy's HttpErrorMiddleware (50) in the exception chain: an error response a spider
    # has no errback for becomes an `http-<status>` rejection instead of a log line.
    "SPIDER_MIDDLEWARES": {"crawler.failures.UnhandledFailures": 55},
}
# Local feeds fsync'ed and failing on any write error (crawler.extensions.DurableFileFeedStorage).
FEED_STORAGES = {"": "crawler.extensions.DurableFileFeedStorage", "file": "crawler.extensions.DurableFileFeedStorage"}
REJECTION_CLASS = "crawler.items.Rejection"
ITEMS_FILTER = "crawler.addons.NoRejections"
REPLAY_MIDDLEWARE = "crawler.middlewares.FixtureReplayMiddleware"


class Cleaning:
    """Scrapy add-on (ADDONS)."""

    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings)
        for name, components in COMPONENTS.items():
            for path, order in components.items():
                # The class, not its path: Scrapy compares each entry already there, loaded, with
                # it, so a project's {path: None} keeps the component off (a path never matched).
                settings.setdefault_in_component_priority_dict(name, load_object(path), order)
        _set_at_least_addon(settings, "FEED_STORAGES", {**FEED_STORAGES, **settings.getdict("FEED_STORAGES")})
        split_feeds(settings)


def apply_defaults(settings: BaseSettings) -> None:
    """DEFAULTS at add-on priority (below the project's), then %(mode)s resolved in the state names."""
    for name, value in DEFAULTS.items():
        settings.set(name, value, priority="addon")
    if not settings.get("STATE_URI"):
        settings.set("STATE_URI", str(data_path("state", createdir=True)) + "/%(name)s-%(mode)s.sqlite", priority="addon")
    mode = state_mode(settings)
    for name in ("STATE_URI", "STATE_KEY_PREFIX"):
        value = settings.get(name)
        if value and "%(mode)s" in value:
            settings.set(name, value.replace("%(mode)s", mode), priority=settings.getpriority(name))


def state_mode(settings: BaseSettings) -> str:
    """'replay' when the fixture replay middleware answers the requests, else 'live'."""
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    replaying = settings.getbool("REPLAY_FIXTURES") and middlewares.get(REPLAY_MIDDLEWARE) is not None
    return "replay" if replaying else "live"


def split_feeds(settings: BaseSettings) -> None:
    """Every items feed (no item_classes / item_filter of its own) gets the NoRejections filter and
    a rejections feed with the same options: URI beside it, or REJECTIONS_URI."""
    feeds = settings.getdict("FEEDS")
    if not feeds or not settings.getbool("CLEANERS_REJECTIONS_FEED", True):
        return
    if any(REJECTION_CLASS in _class_paths(opts) for opts in feeds.values()):
        return  # the project routes rejections itself
    out: dict[str, dict] = {}
    explicit = settings.get("REJECTIONS_URI")
    for uri, opts in feeds.items():
        opts = dict(opts or {})
        out[str(uri)] = opts
        if opts.get("item_classes") or opts.get("item_filter"):
            continue
        opts["item_filter"] = ITEMS_FILTER
        target = explicit or rejections_beside(str(uri))
        if target is None:
            logger.warning("Feed %s: no file name to put the rejections beside; set REJECTIONS_URI", uri)
            continue
        if target in out or target in feeds:
            continue
        rejections = {k: v for k, v in opts.items() if k not in ("item_filter", "fields")}
        out[target] = {**rejections, "item_classes": [REJECTION_CLASS],
                       "fields": ["url", "portal", "status", "reason", "detail"]}
    _set_at_least_addon(settings, "FEEDS", out)


def _set_at_least_addon(settings: BaseSettings, name: str, value) -> None:
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"]))


def rejections_beside(uri: str) -> str | None:
    """out.jsonl -> out.rejections.jsonl; s3://b/%(name)s.csv -> s3://b/%(name)s.rejections.csv."""
    if uri in ("-", "stdout:") or uri.startswith(("stdout:", "stderr:")):
        return None
    head, sep, path = uri.rpartition("://")
    name = PurePosixPath(path).name if path else ""
    if not name:
        return None
    stem, dot, ext = name.rpartition(".")
    new = f"{stem}.rejections.{ext}" if dot and stem else f"{name}.rejections"
    return f"{head}{sep}{path[:len(path) - len(name)]}{new}"


def _class_paths(opts) -> set[str]:
    classes = (opts or {}).get("item_classes") or ()
    return {c if isinstance(c, str) else f"{c.__module__}.{c.__qualname__}" for c in classes}


class NoRejections:
    """Feed item_filter: everything but rejections (which have a feed of their own)."""

    def __init__(self, feed_options=None):
        from .items import Rejection
        self.rejection = Rejection

    def accepts(self, item) -> bool:
        return not isinstance(item, self.rejection)
