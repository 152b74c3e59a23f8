"""The profile schema: what a profile file may hold, checked as it loads.

Every problem names the file and the key (`investchn.toml: selectors.body: ...`), so a person can fix
it without reading code. A string where a list is expected is an error (not one regex per character),
selectors must compile (CSS, or XPath when they start with '/', '(' or './'), names must be safe file
names (they become spider names, feed and state file names), and profile regexes run with a time
limit (`SafePattern`), so a backtracking pattern cannot hang a crawl.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import regex

log = logging.getLogger("cleaners.profiles")

SELECTOR_KEYS = ("body", "headline", "date", "source", "author", "editor", "breadcrumbs", "tags",
                 "pull_quotes", "description")
CRAWL_KEYS = {"start_urls": "urls", "allowed_domains": "names", "article_links": "css",
              "pagination_links": "css", "sample_article": "url", "incremental": "bool"}
TOP_KEYS = ("name", "description", "url_patterns", "required", "crawl", "selectors", "noise", "remove",
            "patterns")
# Spider, feed and state names are made from it: no path separators, no dots at the start.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
KIND = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Seconds one profile regex may run on one text before it is stopped (and disabled).
REGEX_TIMEOUT = 0.25


class ProfileError(ValueError):
    pass


class SafePattern:
    """A profile regex (the `regex` package, re-compatible syntax) that runs with a time limit.

    A search that runs out of time counts as no match, logs an error naming the profile and key, and
    disables the pattern for the rest of the process: one bad pattern costs at most REGEX_TIMEOUT."""

    def __init__(self, pattern: str, where: str, flags: int = 0):
        self.pattern = pattern
        self.where = where
        self.disabled = False
        try:
            self._rx = regex.compile(pattern, flags | regex.VERSION0)
        except (regex.error, ValueError, TypeError) as exc:
            raise ProfileError(f"{where}: bad regular expression {pattern!r}: {exc}") from None
        self.groupindex = self._rx.groupindex

    def search(self, text: str, pos: int = 0):
        if self.disabled or text is None:
            return None
        try:
            return self._rx.search(text, pos, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            self.disabled = True
            log.error("%s: the regular expression %r ran over %.2f s on a %d-character text; disabled",
                      self.where, self.pattern, REGEX_TIMEOUT, len(text))
            return None

    def __repr__(self) -> str:
        return f"SafePattern({self.pattern!r})"


def _css_or_xpath(selector: str) -> None:
    """Raise ValueError when the selector does not compile."""
    from lxml import etree
    if selector.lstrip().startswith(("/", "(", "./")):
        etree.XPath(selector)
    else:
        from cssselect import HTMLTranslator
        HTMLTranslator().css_to_xpath(selector)


class _Checker:
    def __init__(self, where: str):
        self.where = where
        self.problems: list[str] = []

    def bad(self, key: str, problem: str) -> None:
        self.problems.append(f"{key}: {problem}")

    def string(self, data: dict, key: str, path: str, default: str = "") -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.bad(path, f"must be a string, not {type(value).__name__} ({value!r})")
            return default
        return value

    def strings(self, value: Any, path: str, single_ok: bool = False) -> tuple[str, ...]:
        """A list of strings (or, where single_ok, one string standing for a one-item list)."""
        if isinstance(value, str):
            if single_ok:
                return (value,) if value else ()
            self.bad(path, f"must be a list of strings, not the string {value!r} (write [{value!r}])")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(path, f"must be a list of strings, not {value!r}")
            return ()
        return tuple(v for v in value if v)

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.bad(key, f"must be a table ([{key}] with key = value lines), not {type(value).__name__} ({value!r})")
            return {}
        return value

    def selectors(self, value: Any, path: str) -> tuple[str, ...]:
        found = self.strings(value, path, single_ok=True)
        for selector in found:
            try:
                _css_or_xpath(selector)
            except Exception as exc:  # cssselect's SelectorError, lxml's XPathSyntaxError
                self.bad(path, f"selector {selector!r} does not compile: {exc}")
        return found

    def regex(self, value: str, path: str, flags: int = 0) -> SafePattern | None:
        try:
            return SafePattern(value, f"{self.where}: {path}", flags)
        except ProfileError as exc:
            self.problems.append(str(exc).split(": ", 1)[1])
            return None


def check_profile(data: dict[str, Any], where: str) -> dict[str, Any]:
    """Check parsed TOML against the schema; the keyword arguments of `Profile`, or ProfileError."""
    from ..document import ARTICLE_FIELDS
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a profile is a TOML table")
    c = _Checker(where)
    for key in data:
        if key not in TOP_KEYS:
            c.bad(key, f"unknown key; known: {', '.join(TOP_KEYS)}")
    name = data.get("name")
    if not name or not isinstance(name, str):
        c.bad("name", "a profile needs a string 'name'")
        name = ""
    elif not SAFE_NAME.match(name):
        c.bad("name", f"{name!r} is not a safe name (letters, digits, '-' and '_', at most 64, "
                      "no path separators): it names the spider, its feeds and its state")
    description = c.string(data, "description", "description")

    url_patterns = tuple(p for p in (c.regex(v, f"url_patterns[{i}]")
                                     for i, v in enumerate(c.strings(data.get("url_patterns", []), "url_patterns")))
                         if p)

    patterns = {}
    for key, value in c.table(data, "patterns").items():
        if not isinstance(value, str):
            c.bad(f"patterns.{key}", f"must be a regex string, not {value!r}")
            continue
        rx = c.regex(value, f"patterns.{key}")
        if rx is not None and "value" not in rx.groupindex:
            c.bad(f"patterns.{key}", "needs a group named 'value': (?P<value>...)")
        elif rx is not None:
            patterns[key] = rx

    required = c.strings(data.get("required", []), "required")
    for field in required:
        if field not in ARTICLE_FIELDS and field not in patterns:
            c.bad("required", f"{field!r} is no field an article has (known: {', '.join(ARTICLE_FIELDS)}, "
                              "or a [patterns] name)")

    selectors = {}
    table = c.table(data, "selectors")
    unknown = set(table) - set(SELECTOR_KEYS)
    if unknown:
        c.bad("selectors", f"unknown selector keys {sorted(unknown)}; known: {', '.join(SELECTOR_KEYS)}")
    for key in SELECTOR_KEYS:
        if key in table:
            found = c.selectors(table[key], f"selectors.{key}")
            if found:
                selectors[key] = found

    noise = {}
    for kind, value in c.table(data, "noise").items():
        if not KIND.match(kind):
            c.bad(f"noise.{kind}", "a kind is a short name (letters, digits, '-', '_', '.')")
        found = c.selectors(value, f"noise.{kind}")
        if found:
            noise[kind] = found

    remove = {}
    for kind, value in c.table(data, "remove").items():
        if not KIND.match(kind):
            c.bad(f"remove.{kind}", "a kind is a short name (letters, digits, '-', '_', '.')")
        rxs = tuple(r for r in (c.regex(v, f"remove.{kind}")
                                for v in c.strings(value, f"remove.{kind}", single_ok=True)) if r)
        if rxs:
            remove[kind] = rxs

    crawl = {}
    table = c.table(data, "crawl")
    for key, value in table.items():
        kind = CRAWL_KEYS.get(key)
        path = f"crawl.{key}"
        if kind is None:
            c.bad(path, f"unknown key; known: {', '.join(CRAWL_KEYS)}")
        elif kind in ("urls", "names"):
            crawl[key] = list(c.strings(value, path))
            if kind == "urls" and not all(re.match(r"https?://", u) for u in crawl[key]):
                c.bad(path, "every start URL must be an http(s) URL")
        elif kind == "bool":
            if not isinstance(value, bool):
                c.bad(path, f"must be true or false, not {value!r}")
            else:
                crawl[key] = value
        elif kind == "css":
            if not isinstance(value, str):
                c.bad(path, f"must be one selector string, not {value!r}")
            else:
                c.selectors(value, path)
                crawl[key] = value
        else:
            crawl[key] = c.string(table, key, path)
    if crawl.get("start_urls") and not crawl.get("allowed_domains"):
        c.bad("crawl.allowed_domains", "a spider needs the domains it may crawl")

    if c.problems:
        raise ProfileError(f"{where}: " + "; ".join(c.problems))
    return dict(name=name, description=description, url_patterns=url_patterns, selectors=selectors,
                noise=noise, remove=remove, patterns=patterns, crawl=crawl, required=required)
