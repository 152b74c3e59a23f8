"""The [crawl] section, from list pages whose article links are known (a manifest's pages): the
start page, the domains, and the link selectors that reach the articles and the further list pages."""
from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from .dom import candidates, text_of
from .study import Study
from .template import Choice

_NEXT = re.compile(r"^(下一?页|下页|后页|next|>|›|»|\d{1,3})$", re.I)


def _href(a, base: str) -> str:
    return urldefrag(urljoin(base, (a.get("href") or "").strip()))[0]


def _link_selector(lists: list[Study], wanted: set[str], key: str, neutral: set[str] = frozenset()) -> Choice | None:
    """The selector whose links on the list pages reach every wanted URL, with the fewest others
    (links to `neutral` URLs count neither way)."""
    pool: list[str] = []
    for s in lists:
        for a in s.tree.root.iter("a"):
            if _href(a, s.sample.url) in wanted:
                pool += [c for c in candidates(a, positional=False) if c not in pool]
                parent = a.getparent()
                if parent is not None:
                    pool += [c for c in candidates(parent, " a", positional=False) if c not in pool]
    best = None
    for rank, selector in enumerate(pool):
        reached, other = set(), 0
        for s in lists:
            for a in s.tree.select(selector):
                if a.tag != "a":
                    continue
                url = _href(a, s.sample.url)
                if url in wanted:
                    reached.add(url)
                elif url not in neutral:
                    other += 1
        score = (len(reached), -other, -rank)
        if reached and (best is None or score > best[0]):
            best = (score, selector, len(reached))
    if best is None:
        return None
    return Choice(key, best[1], best[2], len(wanted))


def learn_crawl(studies: list[Study], allowed: list[str]) -> tuple[dict, list[Choice]]:
    lists = [s for s in studies if s.sample.kind == "list" and s.sample.url]
    articles = {s.sample.url for s in studies if s.sample.kind == "article" and s.sample.url}
    if not lists:
        return {}, []
    crawl = {"start_urls": [lists[0].sample.url], "allowed_domains": allowed}
    choices = []
    article_links = _link_selector(lists, articles, "article_links")
    if article_links:
        crawl["article_links"] = article_links.value
        choices.append(article_links)
    more = {s.sample.url for s in lists[1:]}
    for s in lists:
        more |= {_href(a, s.sample.url) for a in s.tree.root.iter("a") if _NEXT.match(text_of(a))}
    more -= {lists[0].sample.url} | articles
    more = {u for u in more if urlsplit(u).netloc == urlsplit(lists[0].sample.url).netloc}
    neutral = {s.sample.url for s in lists}
    pagination = _link_selector(lists, more, "pagination_links", neutral) if more else None
    if pagination:
        crawl["pagination_links"] = pagination.value
        choices.append(pagination)
    if articles:
        crawl["sample_article"] = next(s.sample.url for s in studies if s.sample.url in articles)
    return crawl, choices


def url_patterns(studies: list[Study]) -> tuple[list[str], list[str]]:
    """One pattern per host of the pages (www. optional), narrowed to the first folder of the path
    when every page of that host lies under it (/dy/ on a site that has much else); and the domains
    to crawl."""
    paths: dict[str, list[str]] = {}
    for s in studies:
        if s.sample.url and (s.generic is not None or s.sample.kind in ("article", "list")):
            parts = urlsplit(s.sample.url)
            host = parts.hostname or ""
            if host:
                bare = host[4:] if host.startswith("www.") else host
                paths.setdefault(bare, []).append(parts.path or "/")
    patterns = []
    for bare, found in paths.items():
        folders = {p.split("/")[1] if p.count("/") >= 2 else "" for p in found}
        folder = folders.pop() + "/" if len(folders) == 1 and len(found) >= 2 and "" not in folders else ""
        patterns.append(r"^https?://(www\.)?" + re.escape(bare) + "/" + re.escape(folder))
    return patterns, list(paths)
