"""Downloader middlewares: fixture replay, and the fences every request and redirect passes."""
from __future__ import annotations

import ipaddress
import json
import logging
import re
import socket
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import urljoin, urlparse

from scrapy import signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import CloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import get_meta_refresh
from twisted.internet.threads import deferToThread
from w3lib.url import canonicalize_url, safe_url_string

logger = logging.getLogger(__name__)


class RequestRejected(IgnoreRequest):
    """A request our middlewares refuse; `reason` is the code the spider's errback records."""
    reason = "ignored"


class FixtureMissing(RequestRejected):
    """Replay mode met a URL that has no fixture. It is never fetched from the network."""
    reason = "no-fixture"


class RedirectLoop(RequestRejected):
    reason = "redirect-loop"


class OffsiteRedirect(RequestRejected):
    reason = "offsite-redirect"


class PrivateAddress(RequestRejected):
    reason = "private-address"


def url_key(url: str) -> str:
    """One page, one key: the same URL written differently (query order, escapes, fragment)."""
    return canonicalize_url(url, keep_fragments=False)


def refuse(crawler, reason: str, problem: str):
    """Close the spider before its first request, and fail the run: the accounting verdict (and so
    the exit status) carries the problem instead of an `[ok]` over zero pages."""
    logger.error(problem)
    for extension in getattr(crawler.extensions, "middlewares", ()):
        if isinstance(getattr(extension, "checks", None), list):  # crawler.extensions.Accounting
            extension.checks.append(lambda spider: [f"REFUSED: {reason}"])
    return CloseSpider(reason)


# --- where a crawl may go --------------------------------------------------------------------------
SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlparse(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number, or out of range
        return "", None
    return (parts.hostname or "").lower().rstrip("."), port


def on_site(url: str, allowed_domains) -> bool:
    """An http(s) URL whose host is an allowed domain (or under one) and whose port is the one the
    entry names ("localhost:8080"), or the scheme's default port for an entry without one."""
    scheme = urlparse(url).scheme
    if scheme not in SCHEMES:
        return False
    host, port = _host_port(url)
    for entry in allowed_domains or ():
        domain, entry_port = _host_port(f"{scheme}://{entry}")
        if domain and (host == domain or host.endswith("." + domain)) and port == entry_port:
            return True
    return False


class PortOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter with ports and schemes: `localhost:18081` is not `localhost`, and
    only http(s) URLs are ever requested (a `file:///etc/passwd` link is off-site). A spider without
    allowed_domains is refused: it would follow links anywhere. (Replaces Scrapy's
    OffsiteMiddleware in DOWNLOADER_MIDDLEWARES.)"""

    def spider_opened(self, spider) -> None:
        if not getattr(spider, "allowed_domains", None):
            raise refuse(self.crawler, "no-allowed-domains",
                         f"{spider.name}: refusing to crawl without allowed_domains (give the profile's "
                         '[crawl] section allowed_domains = ["example.cn"])')
        super().spider_opened(spider)

    def should_follow(self, request, spider) -> bool:
        return on_site(request.url, getattr(spider, "allowed_domains", None))


def _blocked_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class AddressGuardMiddleware:
    """Live mode: requests whose host is (or resolves to) a loopback, link-local, private or other
    non-public address are refused (`private-address`), so a page cannot point the crawler at the
    machine's own services or its network. ALLOW_PRIVATE_ADDRESSES=True lifts this (tests serving
    pages from localhost; crawls of an intranet)."""

    def __init__(self):
        self.verdicts: dict[str, str | None] = {}  # host -> blocked address, or None

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("REPLAY_FIXTURES") or crawler.settings.getbool("ALLOW_PRIVATE_ADDRESSES"):
            raise NotConfigured  # replay fetches nothing, or private addresses are allowed: no warning
        return cls()

    async def process_request(self, request, spider=None):
        if urlparse(request.url).scheme not in SCHEMES:
            raise RequestRejected(f"only http(s) URLs are fetched, not {request.url}")
        host, port = _host_port(request.url)
        if host not in self.verdicts:
            self.verdicts[host] = await self._resolve(host, port)
        blocked = self.verdicts[host]
        if blocked:
            raise PrivateAddress(f"{host} is {blocked}, a loopback, private or link-local address "
                                 "(set ALLOW_PRIVATE_ADDRESSES=True to crawl such hosts)")
        return None

    @staticmethod
    async def _resolve(host: str, port: int | None) -> str | None:
        try:
            return host if _blocked_address(host.strip("[]")) else None
        except ValueError:  # a name, not an address literal
            pass
        try:
            infos = await maybe_deferred_to_future(deferToThread(socket.getaddrinfo, host, port or 80))
        except OSError:
            return None  # the download itself fails and is recorded as dns-failed
        return next((info[4][0] for info in infos if _blocked_address(info[4][0])), None)


# --- redirects -------------------------------------------------------------------------------------
_REFRESH = re.compile(r"^\s*(\d+(?:\.\d*)?)?\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)", re.I)


def refresh_header(response) -> tuple[float | None, str | None]:
    """(delay, absolute URL) of a `Refresh: 0; url=…` header (browsers follow it like a meta refresh)."""
    value = response.headers.get("Refresh")
    if not value:
        return None, None
    m = _REFRESH.match(value.decode("latin-1"))
    if not m or not m.group(2).strip():
        return None, None
    return float(m.group(1) or 0), urljoin(response.url, m.group(2).strip())


class RefreshHeaderMiddleware(MetaRefreshMiddleware):
    """Follows the `Refresh` HTTP header as MetaRefreshMiddleware follows <meta http-equiv=refresh>
    (same setting, same METAREFRESH_MAXDELAY): a page that is only a Refresh header is a redirect,
    not an empty page."""

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_redirect") or request.method == "HEAD" \
                or urlparse(request.url).scheme not in SCHEMES or 300 <= response.status < 400:
            return response
        delay, url = refresh_header(response)
        if url is None or delay >= self._maxdelay or urlparse(url).scheme not in SCHEMES:
            return response
        return self._redirect(self._redirect_request_using_get(request, response, safe_url_string(url)),
                              request, "refresh header")


class RedirectGuardMiddleware:
    """Ends redirects that would otherwise vanish without a record (before the redirect middlewares).

    Every kind: 3xx Location, <meta http-equiv=refresh> and the Refresh header. A redirect back to a
    URL already in the chain is a loop: it would be followed until REDIRECT_MAX_TIMES, or the
    scheduler's dupefilter would silently drop the repeat. A redirect off the spider's
    allowed_domains (host and port), or to another scheme, would be dropped silently by the offsite
    filter at scheduling. Both become errback failures with a reason instead.
    """

    REDIRECTS = (301, 302, 303, 307, 308)

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.meta_refresh = settings.getbool("METAREFRESH_ENABLED")
        self.ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")
        self.max_delay = settings.getint("METAREFRESH_MAXDELAY")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def target(self, request, response) -> tuple[str | None, str]:
        """(absolute URL, kind) of the redirect this response makes, if the redirect middlewares
        would follow it."""
        if request.meta.get("dont_redirect"):
            return None, ""
        location = response.headers.get("Location")
        if response.status in self.REDIRECTS:
            if location:
                return safe_url_string(urljoin(request.url, location.decode("latin-1"))), "redirect"
            return None, ""
        if not self.meta_refresh or request.method == "HEAD" or urlparse(request.url).scheme not in SCHEMES:
            return None, ""
        delay, url = refresh_header(response)
        kind = "Refresh header"
        if url is None and isinstance(response, HtmlResponse):
            delay, url = get_meta_refresh(response, ignore_tags=self.ignore_tags)
            kind = "meta refresh"
        # As MetaRefreshMiddleware: a long delay is a page to read, a non-http target is no redirect.
        if not url or delay >= self.max_delay or urlparse(url).scheme not in SCHEMES:
            return None, ""
        return safe_url_string(url), kind

    def process_response(self, request, response, spider=None):
        target, kind = self.target(request, response)
        if target is None:
            return response
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if url_key(target) in {url_key(url) for url in chain}:
            raise RedirectLoop(f"redirect loop ({kind}): {' -> '.join([*chain, target])}")
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        if not on_site(target, domains):
            raise OffsiteRedirect(f"{kind} to {target}, outside allowed_domains {domains}")
        return response


# --- replay ----------------------------------------------------------------------------------------
class FixtureError(ValueError):
    """A manifest that cannot be trusted: its portal is not replayed."""


def fixture_path(folder: Path, name) -> Path:
    """The manifest's `file`, inside its portal's folder: no absolute path, no '..', no symlink
    that leads out."""
    if not isinstance(name, str) or not name:
        raise FixtureError(f"file {name!r} is not a file name")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        raise FixtureError(f"file {name!r} is an absolute path")
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        raise FixtureError(f"file {name!r} climbs out of {folder} ('..')")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise FixtureError(f"file {name!r} resolves to {path}, outside {folder} (a symlink out)")
    if not path.is_file():
        raise FixtureError(f"file {name!r} does not exist in {folder}")
    return path


def read_manifest(manifest: Path) -> dict[str, dict]:
    """A manifest's pages by URL key, each checked; raises FixtureError naming the manifest's fault."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FixtureError(f"cannot be read as JSON: {exc}") from None
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, list):
        raise FixtureError('no "pages" list')
    found: dict[str, dict] = {}
    for n, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("url"), str):
            raise FixtureError(f"page {n} has no url")
        if urlparse(page["url"]).scheme not in SCHEMES:
            raise FixtureError(f"page {n}: {page['url']!r} is not an http(s) URL")
        for key, kind in (("content_type", str), ("headers", dict), ("body", str), ("status", int)):
            if key in page and not isinstance(page[key], kind):
                raise FixtureError(f"page {n} ({page['url']}): {key} must be a {kind.__name__}")
        if "file" in page:
            page = {**page, "path": fixture_path(manifest.parent, page["file"])}
        key = url_key(page["url"])
        if key in found:
            raise FixtureError(f"{page['url']} is listed twice")
        found[key] = page
    return found


class FixtureIndex:
    """All portals' saved responses by URL, read from fixtures/<portal>/manifest.json.

    A manifest that fails its checks is left out and its portal (the folder's name) gets the error;
    so does a URL two folders both claim (naming both). Other portals are unaffected."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.pages: dict[str, dict] = {}
        self.errors: dict[str, list[str]] = {}
        owner: dict[str, Path] = {}
        for manifest in sorted(self.root.glob("*/manifest.json")):
            try:
                pages = read_manifest(manifest)
            except FixtureError as exc:
                self._error(manifest, f"{manifest}: {exc}")
                continue
            for key, page in pages.items():
                if key in owner:
                    message = f"{page['url']} is claimed by both {owner[key]} and {manifest}"
                    self._error(owner[key], message)
                    self._error(manifest, message)
                    continue
                owner[key] = manifest
                self.pages[key] = page

    def _error(self, manifest: Path, message: str) -> None:
        self.errors.setdefault(manifest.parent.name, []).append(message)

    def get(self, url: str) -> dict | None:
        return self.pages.get(url_key(url))

    def __len__(self) -> int:
        return len(self.pages)


class FixtureReplayMiddleware:
    """Answers every request from fixtures/ instead of the network (setting REPLAY_FIXTURES).

    A fixture entry gives the body file, `content_type`, optional `status` and `headers` (e.g. a
    Location for redirects). The response then goes back through the whole middleware chain, so
    retries, redirects and size limits behave as they would live. A spider whose own fixtures are
    broken is closed at once with the error (`broken-fixtures`); other spiders replay as usual.
    """

    def __init__(self, index: FixtureIndex, stats=None, crawler=None):
        self.index = index
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REPLAY_FIXTURES"):
            raise NotConfigured("REPLAY_FIXTURES is off: crawling live")
        index = FixtureIndex(crawler.settings.get("REPLAY_FIXTURES_DIR"))
        mw = cls(index, crawler.stats, crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider):
        errors = self.index.errors.get(spider.name)
        if errors:
            raise refuse(self.crawler, "broken-fixtures",
                         f"{spider.name}: fixtures not replayed: " + "; ".join(errors))
        for portal, problems in self.index.errors.items():
            logger.warning("fixtures of %s are not replayed: %s", portal, "; ".join(problems))
        logger.info("Replaying %d fixture pages from %s (no network access)", len(self.index), self.index.root)

    def process_request(self, request, spider=None):
        page = self.index.get(request.url)
        if page is None:
            if request.url.endswith("/robots.txt"):
                return Response(request.url, status=404, request=request)
            if self.stats:
                self.stats.inc_value("replay/missing")
            raise FixtureMissing(f"no fixture for {request.url}")
        if self.stats:
            self.stats.inc_value("replay/hit")
        headers = {"Content-Type": page.get("content_type", "text/html"), **page.get("headers", {})}
        body = page["path"].read_bytes() if "path" in page else page.get("body", "").encode("utf-8")
        cls = HtmlResponse if "html" in headers["Content-Type"] else Response
        return cls(url=request.url, status=int(page.get("status", 200)), headers=headers, body=body,
                   request=request)
