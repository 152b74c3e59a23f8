"""Scrapy settings for the portal crawler. Every value here can be overridden with `-s NAME=VALUE`."""
import os
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
    # First: a page an earlier run emitted is refused before any other work (`seen-before`).
    "crawler.incremental.IncrementalMiddleware": 50,
    # Sees 3xx responses before RedirectMiddleware (600): loops and off-site redirects get a reason.
    "crawler.middlewares.RedirectGuardMiddleware": 650,
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
# A truncated body (fewer bytes than Content-Length) is retried, then rejected as `truncated`: a
# partial article would pass for a whole one.
DOWNLOAD_FAIL_ON_DATALOSS = True
REDIRECT_MAX_TIMES = 10
MEMUSAGE_WARNING_MB = 1536
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

# --- items -------------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 100,
    "crawler.pipelines.CleaningPipeline": 200,
    "crawler.pipelines.NormalisationPipeline": 300,
    "crawler.pipelines.ValidationPipeline": 400,
    "crawler.pipelines.DuplicatesPipeline": 500,
}
# Duplicates: a near copy is one whose SimHash is at most this many bits away (crawler.fingerprints).
DUPLICATES_ENABLED = True
DUPLICATES_MAX_DISTANCE = 3

# --- crawl state (duplicates, incremental mode) --------------------------------------------------
# One store per spider (%(name)s), shared by the duplicate filter and incremental mode; give several
# spiders the same STATE_URI to catch articles reposted across portals. CRAWLER_STATE_URI in the
# environment moves it (the tests point it at a temporary folder).
STATE_BACKEND = "crawler.state.SqliteStore"
STATE_URI = os.environ.get("CRAWLER_STATE_URI") or str(PROJECT_ROOT / ".scrapy" / "state" / "%(name)s.sqlite")
# Incremental: a re-run skips articles an earlier run emitted (as `seen-before` rejections).
# -s INCREMENTAL=False emits everything again; -s INCREMENTAL_RESET=True forgets earlier runs.
INCREMENTAL = True
INCREMENTAL_RESET = False
# Cleaner options: Traditional -> Simplified conversion ("t2s", "tw2s", "hk2s" or None to keep the
# script), and the extractor for pages no profile matches.
CLEANERS_CONVERT = "auto"   # per page: t2s, tw2s or hk2s (cleaners.script.regional_config)
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
