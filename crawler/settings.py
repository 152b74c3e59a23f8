"""Scrapy settings for the portal crawler. Every value here can be overridden with `-s NAME=VALUE`."""
from pathlib import Path

from cleaners import ARTICLE_FIELDS

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# --- replay ------------------------------------------------------------------------------------
# Development and tests replay the portals from fixtures/: no request leaves the machine. Set
# REPLAY_FIXTURES=False to crawl the live portals.
REPLAY_FIXTURES = True
REPLAY_FIXTURES_DIR = str(PROJECT_ROOT / "fixtures")

DOWNLOADER_MIDDLEWARES = {
    # Last before the download handler, so every other middleware (retry, redirect, compression,
    # size limits) sees replayed responses exactly as it would see live ones.
    "crawler.middlewares.FixtureReplayMiddleware": 950,
}

# --- politeness and bounds ---------------------------------------------------------------------
USER_AGENT = "cn-portal-cleaners (+https://example.invalid/cn-portal-cleaners)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

# --- items -------------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 100,
    "crawler.pipelines.CleaningPipeline": 200,
    "crawler.pipelines.NormalisationPipeline": 300,
    "crawler.pipelines.ValidationPipeline": 400,
}
# Cleaner options: Traditional -> Simplified conversion ("t2s", "tw2s", "hk2s" or None to keep the
# script), and the extractor for pages no profile matches.
CLEANERS_CONVERT = "t2s"
CLEANERS_GENERIC_EXTRACTOR = "generic"

# Rejections (pages that are not articles, HTTP errors, …) are dropped items with a reason, written
# as JSON lines beside the items feed (out.jsonl -> out.rejections.jsonl), or to REJECTIONS_URI if
# set (%(name)s is the spider name).
REJECTIONS_URI = None
REJECTIONS_DEFAULT_URI = str(PROJECT_ROOT / "output" / "%(name)s.rejections.jsonl")
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
EXTENSIONS = {
    "crawler.extensions.RejectionLog": 500,
}

# Items feed: give one with -o/-O (scrapy crawl NAME -O out.jsonl); `make run` writes output/.
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(ARTICLE_FIELDS)

# --- distributed crawling ------------------------------------------------------------------------
# -s DISTRIBUTED=redis -s REDIS_URL=redis://host:6379/0 runs any spider as one of N scrapy-redis
# workers sharing a queue (see crawler/distributed.py and the README). Off by default.
DISTRIBUTED = None
ADDONS = {
    "crawler.distributed.RedisAddon": 0,
}

SPIDER_CONTRACTS = {
    "crawler.contracts.PortalStartContract": 10,
    "crawler.contracts.PortalArticleContract": 10,
    "crawler.contracts.CleansToContract": 10,
}
