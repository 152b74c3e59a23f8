"""Items. Field names follow schema.org / zyte-common-items `Article` (see cleaners.ARTICLE_FIELDS)."""
import scrapy

from cleaners import ARTICLE_FIELDS

# Fields the pipelines use while they work; never exported (FEED_EXPORT_FIELDS lists the others).
INTERNAL_FIELDS = (
    "page",       # cleaners.Page, then the cleaners.Document the steps work on
    "rejection",  # set by a spider errback: {"reason", "status", "detail"} for a response that failed
    "status",     # HTTP status of the response (None if there was none), for rejection records
)

ArticleItem = type("ArticleItem", (scrapy.Item,), {
    "__doc__": "One page on its way through the pipelines: an article when it leaves them.",
    "__module__": __name__,
    **{name: scrapy.Field() for name in (*ARTICLE_FIELDS, *INTERNAL_FIELDS)},
})
