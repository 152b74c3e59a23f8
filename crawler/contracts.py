"""`scrapy check` contracts for portal spiders.

The sample URLs come from the spider's profile, so one docstring on the shared callbacks serves every
portal; `@cleans_to` runs the callback's item through the cleaners and checks the verdict.
"""
from __future__ import annotations

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from .pipelines import build_cleaner, clean_page, page_of


class _ProfileUrlContract(Contract):
    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = method.__self__

    def url(self) -> str:
        raise NotImplementedError

    def adjust_request_args(self, args):
        args["url"] = self.url()
        # A contract check is not a crawl: fetch the sample even if a crawl already emitted it.
        args["meta"] = {**(args.get("meta") or {}), "incremental_ignore": True}
        return args


class PortalStartContract(_ProfileUrlContract):
    """@portal_start: the sample request is the profile's first start URL."""
    name = "portal_start"

    def url(self):
        return self.spider.profile.crawl["start_urls"][0]


class PortalArticleContract(_ProfileUrlContract):
    """@portal_article: the sample request is the profile's `[crawl] sample_article`."""
    name = "portal_article"

    def url(self):
        return self.spider.profile.crawl["sample_article"]


class CleansToContract(Contract):
    """@cleans_to article|rejection: the add-on's cleaning (crawler.pipelines.clean_page, with the
    crawl's settings) turns the callback's page into that."""
    name = "cleans_to"

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = method.__self__

    def post_process(self, output):
        expected = self.args[0]
        cleaner = _cleaner(self.spider.crawler.settings)
        pages = [found for found in map(page_of, output) if found is not None]
        if not pages:
            raise ContractFail("the callback handed over no page to clean")
        for page, profile in pages:
            outcome = clean_page(cleaner, page, profile)
            if not outcome.article:
                if expected != "rejection":
                    raise ContractFail(f"expected an article, got a rejection: {outcome.record['reason']}: "
                                       f"{outcome.record['detail']}")
                continue
            if expected != "article":
                raise ContractFail(f"expected a rejection, got an article: {outcome.record.get('headline')!r}")
            if not outcome.record.get("headline") or not outcome.record.get("articleBody"):
                raise ContractFail("the article has no headline or no body")


_CLEANERS: dict[int, object] = {}


def _cleaner(settings):
    """One Cleaner per crawl (building one reads every profile)."""
    key = id(settings)
    if key not in _CLEANERS:
        _CLEANERS[key] = build_cleaner(settings)
    return _CLEANERS[key]
