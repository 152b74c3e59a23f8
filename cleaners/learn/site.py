"""Site-aware cleaning without a profile: learn each site's template from its own pages as they
arrive, then clean every page of the site with it (incremental API; issue 10, item 3).

State lives in a small key-value store (`get`/`set` of bytes), so several crawl workers can share it
(a Redis hash or the crawl state store implements the same two calls). Pages of a site are kept as
samples until `threshold` of them are seen; then the template is learned once and stored. The caller
decides what to do with pages that arrive before that (hold them and clean them when `observe`
returns True, or clean them generically): `clean` never loses a page, and falls back to generic mode
when a site has no template yet or a page does not fit it. What a template removed is recorded as
`site-template:<kind>`. A site whose pages give no template after `max_samples` of them is given up
(generic mode from then on) and its samples are dropped, so the store never grows without bound.
"""
from __future__ import annotations

import base64
import json
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..core import Cleaner
from ..document import Page
from ..profiles import Profile, ProfileError, ProfileRegistry
from . import learn
from .pages import Sample


class KeyValueStore(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


class MemoryStore:
    """The store for one process (tests, the command line)."""

    def __init__(self):
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.data[key] = value


def site_of(url: str | None) -> str:
    host = (urlsplit(url or "").hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


class SiteTemplates:
    def __init__(self, store: KeyValueStore | None = None, threshold: int = 3, max_sample_bytes: int = 2_000_000,
                 convert: str | None = "t2s", max_samples: int | None = None):
        self.store = store if store is not None else MemoryStore()
        self.threshold = max(threshold, 1)
        self.max_sample_bytes = max_sample_bytes
        # Pages of a site sampled before it is given up (list pages count too: a site of lists
        # and one-off pages has no article template to learn).
        self.max_samples = max(max_samples or 4 * self.threshold, self.threshold)
        self.generic = Cleaner(ProfileRegistry([]), convert=convert)
        self.convert = convert
        self._cleaners: dict[str, Cleaner] = {}

    # -- state -----------------------------------------------------------------------------------
    def _key(self, site: str, what: str) -> str:
        return f"site-template:{site}:{what}"

    def _samples(self, site: str) -> list[dict]:
        raw = self.store.get(self._key(site, "samples"))
        return json.loads(raw) if raw else []

    def template(self, site: str) -> Profile | None:
        """The site's learned template, once there is one."""
        data = self.template_data(site)
        if data is None:
            return None
        try:
            return Profile.from_dict(data, f"<site template {site}>")
        except ProfileError:
            return None

    def template_data(self, site: str) -> dict | None:
        """The learned template as profile data (what a worker process needs to clean with it)."""
        raw = self.store.get(self._key(site, "profile"))
        return json.loads(raw) if raw else None

    def given_up(self, site: str) -> bool:
        """True once the site's pages gave no template within max_samples: generic mode for it."""
        return self.store.get(self._key(site, "given-up")) is not None

    # -- the incremental API -----------------------------------------------------------------------
    def observe(self, page: Page) -> bool:
        """Record a page of its site; True when the site's template is ready (learned now or before)."""
        site = site_of(page.url)
        if not site or self.template(site) is not None:
            return bool(site)
        if self.given_up(site):
            return False
        body = page.body if isinstance(page.body, bytes) else page.body.encode("utf-8")
        samples = self._samples(site)
        if len(body) <= self.max_sample_bytes and page.url not in {s["url"] for s in samples}:
            samples.append({"url": page.url, "content_type": page.content_type,
                            "body": base64.b64encode(body).decode("ascii")})
            self.store.set(self._key(site, "samples"), json.dumps(samples).encode("utf-8"))
        if len(samples) < self.threshold:
            return False
        if self._learn(site, samples):
            return True
        if len(samples) >= self.max_samples:
            self.store.set(self._key(site, "given-up"), str(len(samples)).encode("ascii"))
            self.store.set(self._key(site, "samples"), b"[]")
        return False

    def _learn(self, site: str, samples: list[dict]) -> bool:
        name = "site-" + "".join(c if c.isalnum() else "-" for c in site)[:58]
        pages = [Sample(s["url"], base64.b64decode(s["body"]), s["url"], s["content_type"]) for s in samples]
        result = learn(pages, name)
        if result.articles < self.threshold or "body" not in result.data.get("selectors", {}):
            return False          # not enough article pages yet: keep collecting
        data = {k: v for k, v in result.data.items() if k != "crawl"}
        self.store.set(self._key(site, "profile"), json.dumps(data, ensure_ascii=False).encode("utf-8"))
        self.store.set(self._key(site, "samples"), b"[]")   # the samples are no longer needed
        return True

    def clean(self, page: Page) -> dict[str, Any]:
        """An item (or rejection record): with the site's template when it has one and the page fits
        it, else generic mode."""
        profile = self.template(site_of(page.url))
        if profile is not None:
            cleaner = self._cleaners.get(profile.name)
            if cleaner is None or cleaner.registry.get(profile.name) != profile:
                cleaner = self._cleaners[profile.name] = Cleaner(ProfileRegistry([profile]), convert=self.convert)
            item = cleaner.run(page, profile.name)
            if "reason" not in item:
                return as_site_template(item)
        return self.generic.run(page, "generic")


def as_site_template(item: dict) -> dict:
    """An item a learned template produced, as such: portal `generic` (no profile was written for the
    site), extractor `site-template`, and its `profile:<kind>` removals as `site-template:<kind>`."""
    item["portal"], item["extractor"] = "generic", "site-template"
    for record in item.get("removed") or ():
        record["rule"] = site_rule(record["rule"])
    return item


def site_rule(rule: str) -> str:
    return "site-template:" + rule[len("profile:"):] if rule.startswith("profile:") else rule
