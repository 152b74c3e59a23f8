"""`scrapy check` contracts for portal spiders.

The sample URLs come from the spider's profile, so one docstring on the shared callbacks serves every
portal; `@cleans_to` runs the callback's item through the cleaners and checks the verdict.
"""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from cleaners import Cleaner, Rejected


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
    """@cleans_to article|rejection: the cleaners turn the callback's item into that."""
    name = "cleans_to"
    _cleaner = None

    def post_process(self, output):
        expected = self.args[0]
        cleaner = CleansToContract._cleaner = CleansToContract._cleaner or Cleaner()
        items = [ItemAdapter(x) for x in output if not hasattr(x, "callback")]
        for item in items:
            try:
                doc = cleaner.process(item["page"], item.get("portal"))
            except Rejected as rejection:
                if expected != "rejection":
                    raise ContractFail(f"expected an article, got a rejection: {rejection}")
                continue
            if expected != "article":
                raise ContractFail(f"expected a rejection, got an article: {doc.fields.get('headline')!r}")
            if not doc.fields.get("headline") or not doc.body:
                raise ContractFail("the article has no headline or no body")
