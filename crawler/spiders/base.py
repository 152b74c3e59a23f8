"""The spider every portal uses: start at the profile's list pages, follow pagination and article
links, and hand every page it receives to the cleaning add-on (crawler.addons.Cleaning), which
decides what is an article, exactly as it would for any other project's spider."""
from __future__ import annotations

import scrapy
from scrapy.http import TextResponse

from cleaners import ProfileRegistry

from ..items import PageItem
from ..failures import rejection_for


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
        yield rejection_for(failure, failure.request, self.name)
