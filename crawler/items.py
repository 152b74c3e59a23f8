"""Item classes: what a spider hands to the cleaning add-on, and what comes out of it.

In:  a `scrapy.http.Response` the callback yields as is, or a `PageItem` (or any item with `url` and
     `html` or `body` fields): a page to clean.
Out: an `ArticleItem` (schema.org / zyte-common-items `Article` field names, see README) or a
     `Rejection` (a page that is not an article, with a reason). Both are plain items: every feed,
     pipeline and exporter Scrapy has applies to them; feeds tell them apart with `item_classes`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import scrapy


@dataclass
class PageItem:
    """A page for the cleaners, as the project's spiders yield it (a `scrapy check` contract can
    count it, which a bare Response it cannot). `profile` names the profile to clean it with
    (default: the one whose url_patterns match, else generic mode), or holds a site's learned
    template as profile data (crawler.site_templates)."""
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    status: int = 200
    profile: str | dict | None = None

    @classmethod
    def from_response(cls, response, profile: str | None = None) -> "PageItem":
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        return cls(url=response.url, body=response.body, headers=headers, status=response.status, profile=profile)


class ArticleItem(scrapy.Item):
    """A clean article. Fields in cleaners.ARTICLE_FIELDS order (tests/test_addon.py holds them equal)."""
    url = scrapy.Field()
    portal = scrapy.Field()
    headline = scrapy.Field()
    datePublished = scrapy.Field()
    datePublishedRaw = scrapy.Field()
    authors = scrapy.Field()
    breadcrumbs = scrapy.Field()
    inLanguage = scrapy.Field()
    articleBody = scrapy.Field()
    description = scrapy.Field()
    pullQuotes = scrapy.Field()
    source = scrapy.Field()
    editor = scrapy.Field()
    tags = scrapy.Field()
    additionalProperties = scrapy.Field()
    scriptConverted = scrapy.Field()
    extractor = scrapy.Field()
    encoding = scrapy.Field()
    removed = scrapy.Field()


class ZyteArticleItem(scrapy.Item):
    """CLEANERS_ITEM_SHAPE = "zyte": a zyte-common-items `Article` (built by `zyte_article`)."""
    url = scrapy.Field()
    headline = scrapy.Field()
    datePublished = scrapy.Field()
    datePublishedRaw = scrapy.Field()
    authors = scrapy.Field()
    breadcrumbs = scrapy.Field()
    inLanguage = scrapy.Field()
    description = scrapy.Field()
    articleBody = scrapy.Field()
    metadata = scrapy.Field()


class Rejection(scrapy.Item):
    """A page that did not become an article: `reason` is a short stable code, `detail` prose."""
    url = scrapy.Field()
    portal = scrapy.Field()
    status = scrapy.Field()
    reason = scrapy.Field()
    detail = scrapy.Field()


# scrapy.Item sorts its fields by name; feeds write them in this order.
REJECTION_FIELDS = ("url", "portal", "status", "reason", "detail")
ARTICLE_CLASSES = (ArticleItem, ZyteArticleItem)

# Our fields that zyte-common-items `Article` has under the same name and meaning.
_ZYTE_FIELDS = ("url", "headline", "datePublished", "datePublishedRaw", "inLanguage", "description", "articleBody")


def zyte_article(article: dict, utc_offset: str = "+08:00") -> ZyteArticleItem:
    """Our article in zyte-common-items `Article` shape: `authors` as [{"name"}], `breadcrumbs` as
    [{"name"}] (the pages give no link per crumb), `datePublished` with a UTC offset (`utc_offset`,
    the portals' zone, when the page gives none; midnight for a bare date) and every other field of
    ours (portal, source, editor, tags, removed, ...) under `metadata`, beside `dateDownloaded`."""
    from datetime import datetime, timezone

    out = {k: article[k] for k in _ZYTE_FIELDS if article.get(k)}
    if out.get("datePublished"):
        out["datePublished"] = with_offset(out["datePublished"], utc_offset)
    if article.get("authors"):
        out["authors"] = [{"name": name} for name in article["authors"]]
    if article.get("breadcrumbs"):
        out["breadcrumbs"] = [{"name": name} for name in article["breadcrumbs"]]
    metadata = {"dateDownloaded": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    metadata.update((k, v) for k, v in article.items()
                    if k not in (*_ZYTE_FIELDS, "authors", "breadcrumbs") and v not in (None, "", []))
    out["metadata"] = metadata
    return ZyteArticleItem(**out)


def with_offset(iso: str, utc_offset: str) -> str:
    """'2021-12-03' -> '2021-12-03T00:00:00+08:00'; a time that has a zone keeps it."""
    if "T" not in iso:
        iso += "T00:00:00"
    time = iso.split("T", 1)[1]
    if time.endswith("Z") or "+" in time or "-" in time:
        return iso
    return iso + utc_offset
