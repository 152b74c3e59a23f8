"""Site-aware generic crawling (issue 10, item 3): a site without a profile is cleaned with the
template learned from its own pages, the first pages included.

`SiteTemplatePipeline` runs just before `CleaningPipeline`. Every page that would be cleaned in
generic mode (no profile asked for, none whose url_patterns match) is recorded in its site's
template state (`cleaners.learn.site.SiteTemplates`, kept in the crawl state store: SQLite locally,
Redis with scrapy-redis, so every worker adds to and uses one template per site) and *held* until the
site's template is learned (SITE_TEMPLATE_PAGES article pages seen). Then every held page of the
site, and every later one, goes on to `CleaningPipeline` with the template's data as its profile
(`PageItem.profile`), so it is cleaned like any page, in the worker pool when there is one
(`crawler.cleaning.clean_with_template`); a page the template does not fit is cleaned in generic mode. What the
template removed is recorded as `site-template:<kind>`. A template, once learned, stays in the state
store: the next crawl of the site holds nothing. Workers add samples by read-modify-write: two adding
at the same moment may drop one sample (the site is then learned one page later), two learning at
once store the same template; learning (tens of milliseconds, once per site) runs on the reactor.

Nothing is lost: held pages are released to generic mode (each still becomes an article or a
rejection, counted by crawler.extensions.Accounting) when
- the site's pages give no template within SiteTemplates.max_samples pages (it is given up);
- the site holds SITE_TEMPLATE_MAX_HELD pages, or all held pages SITE_TEMPLATE_MAX_HELD_BYTES
  (the oldest go first);
- a page has waited SITE_TEMPLATE_MAX_WAIT seconds;
- the crawl has nothing left to do but the held pages: no download in flight, no start request or
  scheduled request left (or the scraper backing out because it is full), every item in the
  pipelines a held one, on two checks in a row. Scrapy sends `spider_idle` only when no item is
  in its pipelines, so a held page would otherwise keep the crawl open for ever;
- the spider is closing (CLOSESPIDER_*, a shutdown signal).
"""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import defer, task

from cleaners import ProfileRegistry
from cleaners.learn.site import SiteTemplates, site_of

from .items import PageItem
from .state import SITE_TEMPLATES, crawl_state

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.5            # how often held pages are checked (idle crawl, waits, other workers' templates)
MAX_SAMPLE_BYTES = 512_000    # larger pages are cleaned with the template but not kept as samples


class StateKeyValue:
    """The get/set store SiteTemplates asks for, over the crawl's StateStore (one namespace)."""

    def __init__(self, store):
        self.store = store

    def get(self, key: str) -> bytes | None:
        value = self.store.get(SITE_TEMPLATES, key)
        return None if value is None else value.encode("utf-8")

    def set(self, key: str, value: bytes) -> None:
        self.store.put(SITE_TEMPLATES, key, value.decode("utf-8"))


@dataclass
class _Held:
    item: PageItem
    deferred: defer.Deferred
    since: float
    size: int


class SiteTemplatePipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.threshold = max(settings.getint("SITE_TEMPLATE_PAGES", 3), 1)
        self.max_held = max(settings.getint("SITE_TEMPLATE_MAX_HELD", 20), 1)
        self.max_bytes = settings.getint("SITE_TEMPLATE_MAX_HELD_BYTES", 2_000_000)
        self.max_wait = settings.getfloat("SITE_TEMPLATE_MAX_WAIT", 60.0)
        self._registry = None
        self.held: dict[str, list[_Held]] = {}
        self.held_bytes = 0
        self._sites: SiteTemplates | None = None
        self._templates: dict[str, dict] = {}   # learned templates never change: read each once
        self._idle_checks = 0
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("SITE_TEMPLATES_ENABLED", True):
            raise NotConfigured  # off by choice
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def registry(self) -> ProfileRegistry:
        """The profiles: pages one claims are not ours (read on the first page without a profile, so
        the portal spiders, whose pages all name theirs, never build it)."""
        if self._registry is None:
            from .pipelines import build_cleaner
            self._registry = build_cleaner(self.crawler.settings).registry
        return self._registry

    @property
    def sites(self) -> SiteTemplates:
        if self._sites is None:
            self._sites = SiteTemplates(StateKeyValue(crawl_state(self.crawler)), threshold=self.threshold,
                                        max_sample_bytes=MAX_SAMPLE_BYTES, convert=None)
        return self._sites

    def spider_opened(self, spider=None):
        self._loop = task.LoopingCall(self._check)
        self._loop.start(TICK_SECONDS, now=False)

    def spider_closed(self, spider=None, reason=None):
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._release_all("closing")

    # -- pages in --------------------------------------------------------------------------------
    def process_item(self, item, spider=None):
        from .pipelines import page_of
        found = page_of(item)
        if found is None or found[1] is not None:
            return item               # not a page, or its spider named a profile (or generic mode)
        page = found[0]
        site = site_of(page.url)
        if not site or self.registry.match(page.url) is not None:
            return item
        pending = PageItem(url=page.url, body=page.body if isinstance(page.body, bytes) else page.body.encode("utf-8"),
                           headers=dict(page.headers), status=page.status)
        try:
            template = self._template(site)
            if template is None and self.sites.observe(page):
                template = self._template(site)
                self.stats.inc_value("site_templates/learned")
                logger.info("Learned the template of %s from its pages", site)
            given_up = template is None and self.sites.given_up(site)
        except Exception as exc:  # the state store failed (Redis down): this page in generic mode
            logger.warning("Site template state for %s unavailable (%s: %s): generic mode", site,
                           type(exc).__name__, exc)
            self.stats.inc_value("site_templates/errors")
            return pending
        if template is not None:
            self._release_site(site, template, "template")
            return _with_template(pending, template)
        if given_up:
            self._release_site(site, None, "given-up")
            return pending
        return self._held_until_released(self._hold(site, pending))

    @staticmethod
    async def _held_until_released(deferred: defer.Deferred):
        from scrapy.utils.defer import maybe_deferred_to_future
        return await maybe_deferred_to_future(deferred)

    def _template(self, site: str) -> dict | None:
        template = self._templates.get(site)
        if template is None:
            template = self.sites.template_data(site)
            if template is not None:
                self._templates[site] = template
        return template

    # -- holding and releasing ---------------------------------------------------------------------
    def _hold(self, site: str, item: PageItem) -> defer.Deferred:
        held = _Held(item, defer.Deferred(), time.monotonic(), len(item.body))
        self.held.setdefault(site, []).append(held)
        self.held_bytes += held.size
        self.stats.inc_value("site_templates/held")
        self.stats.max_value("site_templates/max_held_pages", sum(len(v) for v in self.held.values()))
        self.stats.max_value("site_templates/max_held_bytes", self.held_bytes)
        while len(self.held[site]) > self.max_held:
            self._release(site, self.held[site][0], None, "bound")
        while self.held_bytes > self.max_bytes and self.held:
            oldest = min(self.held, key=lambda s: self.held[s][0].since)
            self._release(oldest, self.held[oldest][0], None, "bound")
        return held.deferred

    def _release(self, site: str, held: _Held, template: dict | None, why: str) -> None:
        pages = self.held[site]
        pages.remove(held)
        if not pages:
            del self.held[site]
        self.held_bytes -= held.size
        self.stats.inc_value(f"site_templates/released/{why}")
        held.deferred.callback(_with_template(held.item, template) if template is not None else held.item)

    def _release_site(self, site: str, template: dict | None, why: str) -> None:
        for held in list(self.held.get(site, ())):
            self._release(site, held, template, why)

    def _release_all(self, why: str) -> None:
        for site in list(self.held):
            self._release_site(site, None, why)

    def _check(self) -> None:
        """Every TICK_SECONDS: templates other workers learned, pages that waited too long, and a
        crawl with nothing left to do but held pages. Never raises (that would stop the checks and
        keep the held pages for ever): on a surprise, every held page goes on."""
        try:
            self._check_held()
        except Exception:
            logger.exception("Checking the held pages failed: releasing them to generic mode")
            self._release_all("error")

    def _check_held(self) -> None:
        if not self.held:
            self._idle_checks = 0
            return
        try:
            for site in list(self.held):
                template = self._template(site)
                if template is not None:
                    self._release_site(site, template, "template")
        except Exception as exc:
            logger.warning("Site template state unavailable (%s: %s)", type(exc).__name__, exc)
        deadline = time.monotonic() - self.max_wait
        for site in list(self.held):
            for held in [h for h in self.held[site] if h.since <= deadline]:
                self._release(site, held, None, "timeout")
        if self._closing():
            self._release_all("closing")
            return
        self._idle_checks = self._idle_checks + 1 if self._only_held_left() else 0
        if self._idle_checks >= 2:
            self._idle_checks = 0
            self._release_all("idle")

    def _closing(self) -> bool:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        return engine is None or not engine.running or (slot is not None and slot.closing is not None)

    def _only_held_left(self) -> bool:
        """Nothing downloading, nothing to schedule, no item in the pipelines but held ones."""
        engine = self.crawler.engine
        scraper = getattr(engine.scraper, "slot", None)
        held = sum(len(v) for v in self.held.values())
        if engine.downloader.active or getattr(engine, "_start", None) is not None:
            return False
        if scraper is not None and (scraper.queue or scraper.itemproc_size > held):
            return False
        slot = getattr(engine, "_slot", None)
        if slot is not None and slot.scheduler.has_pending_requests():
            # Requests wait, but the engine takes none while the scraper is full (of held pages).
            return scraper is not None and scraper.needs_backout()
        return True


def _with_template(item: PageItem, template: dict) -> PageItem:
    return dataclasses.replace(item, profile=template)
