"""Scrapy settings for the portal crawler. Every value here can be overridden with `-s NAME=VALUE`."""
import os
from pathlib import Path

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
    # Sees 3xx responses before RedirectMiddleware (600): loops and off-site redirects get a reason.
    "crawler.middlewares.RedirectGuardMiddleware": 650,
    # Scrapy's offsite filter, with ports and schemes (and no spider without allowed_domains).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.PortOffsiteMiddleware": 50,
    # Live mode: no loopback/private/link-local hosts unless ALLOW_PRIVATE_ADDRESSES.
    "crawler.middlewares.AddressGuardMiddleware": 55,
    # The Refresh HTTP header, followed like <meta http-equiv=refresh> (MetaRefreshMiddleware, 580).
    "crawler.middlewares.RefreshHeaderMiddleware": 585,
}
# Live crawls never fetch loopback, link-local or private addresses unless this is True.
ALLOW_PRIVATE_ADDRESSES = False

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
# Scrapy (2.13+) starts CONCURRENT_ITEMS asyncio tasks for every response's output, however few
# items it yields: at the default 100 that was half the reactor's CPU in a replay crawl (11.6 -> 6.6
# CPU s for 2,000 pages with 8). Our callbacks yield one page, or a list page's links; cleaning in
# processes overlaps across responses, not within one, so a small number loses nothing.
CONCURRENT_ITEMS = 16
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

# --- cleaning ------------------------------------------------------------------------------------
# The cleaning add-on (crawler/addons.py) is what any Scrapy project would enable: pipelines,
# accounting, incremental mode (opt-in), the rejections feed beside each items feed. Its settings
# and their defaults are listed in crawler.addons.DEFAULTS; set any of them here or with -s.
# Crawl state: one store per spider (%(name)s) and per mode (%(mode)s: replay or live).
# CRAWLER_STATE_URI in the environment moves it (the tests point it at a temporary folder).
STATE_URI = os.environ.get("CRAWLER_STATE_URI") or str(PROJECT_ROOT / ".scrapy" / "state" / "%(name)s-%(mode)s.sqlite")
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
FEED_EXPORT_ENCODING = "utf-8"
EXTENSIONS = {
    "crawler.review.ReviewSite": 600,
}
# A review site of the crawl (cleaners.review): set REVIEW_DIR to a folder; REVIEW_AGAINST to a golden
# folder (tests/golden) to compare each page with it. Off by default: it saves every response body.
REVIEW_DIR = None
REVIEW_AGAINST = None
# `scrapy crawl` exits non-zero when the run's accounting fails (a page without a record, a feed
# not stored, distributed URLs unaccounted for).
COMMANDS_MODULE = "crawler.commands"

# --- distributed crawling ------------------------------------------------------------------------
# -s DISTRIBUTED=redis -s REDIS_URL=redis://host:6379/0 runs any spider as one of N scrapy-redis
# workers sharing a queue (see crawler/distributed.py and the README). Off by default.
DISTRIBUTED = None
ADDONS = {
    "crawler.distributed.RedisAddon": 0,
    "crawler.addons.Cleaning": 300,
}

SPIDER_CONTRACTS = {
    "crawler.contracts.PortalStartContract": 10,
    "crawler.contracts.PortalArticleContract": 10,
    "crawler.contracts.CleansToContract": 10,
}
