"""Article metadata from the DOM: profile selectors first, then what pages declare in <head>, then
what Chinese pages print near the title."""
from __future__ import annotations

import json
import re

from . import dates
from .document import Document
from .html import normalise_space, text_of, xpath
from .rules.meta import CRUMB_SPLIT, FIELD_PATTERNS, TAG_SPLIT, split_breadcrumbs, split_names

_TITLE_SEP = re.compile(r"\s*(?:[_|｜]|--|——|—|–|\s-\s|::|»)\s*")
_DATE_META = ("article:published_time", "og:article:published_time", "og:release_date", "pubdate",
              "publishdate", "publish_date", "publishtime", "datepublished", "dc.date", "dc.date.issued",
              "sailthru.date", "parsely-pub-date", "date", "firstpublishedtime", "weibo:article:create_at")
_AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author")
_SOURCE_META = ("source", "contentsource", "og:site_name_source", "mediaid")


def _meta(root, names, index: dict | None = None) -> str:
    """The first <meta> (in page order) named one of `names` with a content. `index` is
    _meta_index(root), for a caller that asks several times."""
    found = [index[n] for n in names if n in index] if index is not None else \
        [hit for hit in _meta_entries(root) if hit[1] in names][:1]
    return min(found)[2] if found else ""


def _meta_entries(root):
    for position, el in enumerate(root.iter("meta")):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key:
            value = (el.get("content") or "").strip()
            if value:
                yield position, key, value


def _meta_index(root) -> dict:
    """Each <meta> name's first (position, name, content): one pass over the page's <meta>."""
    index: dict = {}
    for entry in _meta_entries(root):
        index.setdefault(entry[1], entry)
    return index


def _json_ld(root) -> dict:
    for el in xpath('//script[@type="application/ld+json"]')(root):
        try:
            data = json.loads(el.text or "")
        except (ValueError, RecursionError):  # unparseable or nested past the stack: ignore the block, not the page
            continue
        for obj in (data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []):
            if isinstance(obj, dict) and ("datePublished" in obj or "headline" in obj):
                return obj
    return {}


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text)


def headline(root, title_text: str, metas: dict | None = None) -> str:
    """The article title without the site name that <title> usually carries."""
    squashed_title = _squash(title_text)
    candidates = [text_of(h) for h in root.iter("h1", "h2")]
    # A heading that the <title> contains is the headline (the rest of <title> is the site name).
    for cand in candidates:
        if len(cand) >= 4 and _squash(cand) and _squash(cand) in squashed_title and not (
                _SITE_PART.search(cand) and len(_squash(cand)) < 0.5 * len(squashed_title)):
            return cand
    og = _meta(root, ("og:title", "twitter:title"), metas)
    if og:
        return strip_site_suffix(og)
    # Old templates print the title in a <td>, <div> or <font>: the longest short element whose text
    # starts the <title> is the headline ("标题-栏目-网站名").
    best = ""
    title_text = title_text.strip()
    if len(squashed_title) >= 8:
        for el in root.iter("td", "div", "span", "p", "strong", "b", "font", "h3", "h4"):
            if len(el) > 3:
                continue
            raw = el.text_content()
            if len(raw) > 4 * len(title_text) + 200:
                continue   # (whitespace aside, far longer than the title: no need to normalise 10 MB)
            first = _VISIBLE.search(raw)
            if first is None or raw[first.start()] != title_text[0]:
                continue   # (cannot start the title: not worth normalising)
            cand = normalise_space(raw)
            if len(best) < len(cand) < len(title_text) and len(cand) >= max(4, 0.4 * len(title_text)) \
                    and title_text.startswith(cand):
                best = cand
    if best:
        return best
    if title_text:
        return strip_site_suffix(title_text)
    h1 = [c for c in candidates[:1] if c]
    return h1[0] if h1 else ""


# The first character normalise_space keeps (it trims whitespace and these invisible spaces).
_VISIBLE = re.compile(r"[^\s\u200b\ufeff]")


# A part of <title> that names the site, not the article: a domain, or a name ending like a site's.
_SITE_PART = re.compile(r"https?://|www\.|^[\w.-]+\.(com|cn|net|org|gov|edu)(\.[a-z]{2})?$|"
                        r"(网|网站|频道|论坛|社区|官网|门户|客户端|首页|博客|blog|powered by.*)\s*$", re.I)


# '(页 1)', '(第2页)', '- Page 3': which page of a paginated thread or article, not its title.
_PAGE_MARK = re.compile(r"\s*(?:[(（]\s*(?:页\s*\d+|第\s*\d+\s*页)\s*[)）]|[-–|]\s*page\s+\d+)(?=\s*(?:[-_|｜]|$))", re.I)


def strip_site_suffix(title: str) -> str:
    """The article's part of a '标题_栏目_网站名' title: the longest part that does not name a site."""
    title = _PAGE_MARK.sub("", title)
    parts = [p.strip() for p in _TITLE_SEP.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    article = [p for p in parts if not _SITE_PART.search(p)] or parts
    return max(article, key=len)


def _from_selector(doc: Document, key: str):
    return doc.profile.select(doc.tree, key) if doc.profile else []


def _labelled(text: str, field: str) -> str:
    m = FIELD_PATTERNS[field].search(text)
    return m.group("value").strip() if m else text.strip()


def extract_metadata(doc: Document, root) -> None:
    """Fill doc.fields from the whole page (profile selectors, then generic evidence)."""
    title_el = root.find(".//title")
    title_text = text_of(title_el) if title_el is not None else ""
    ld = _json_ld(root)
    metas = _meta_index(root)

    els = _from_selector(doc, "headline")
    doc.set_default("headline", text_of(els[0]) if els else "")
    doc.set_default("headline", (ld.get("headline") or "").strip() if isinstance(ld.get("headline"), str) else "")
    if not doc.fields.get("headline"):   # (headline() reads every heading and old-template cell: only when needed)
        doc.set_default("headline", headline(root, title_text, metas))

    for el in _from_selector(doc, "date"):
        _set_date(doc, text_of(el))
    declared = [v for v in (ld.get("datePublished"), _meta(root, _DATE_META, metas)) if isinstance(v, str)]
    for value in declared:
        _set_date(doc, value)
    _adopt_zone(doc, declared)

    for key, field in (("source", "source"), ("editor", "editor"), ("author", "authors")):
        els = _from_selector(doc, key)
        if els:
            value = _labelled(text_of(els[0]), field)
            doc.set_default(field, split_names(value) if field == "authors" else value)
    author = _meta(root, _AUTHOR_META, metas)
    if author and not re.match(r"https?://", author) and (doc.profile is not None or _plausible_author(author)):
        doc.set_default("authors", [a.strip() for a in re.split(r"[,，;；、]", author) if a.strip()])
    # Bylines and dates sit near the headline: the first VISIBLE_CHARS hold them on any real page,
    # and scanning all of a 10 MB text node cost a second (bounded work per page, issue #8).
    text = None   # (read when a field still needs it)
    if doc.profile is None and not doc.fields.get("authors"):
        text = visible_text(root, VISIBLE_CHARS)
        doc.set_default("authors", page_authors(text, _squash_space(doc.fields.get("headline") or "")))
    doc.set_default("source", _meta(root, _SOURCE_META, metas))

    crumbs = _from_selector(doc, "breadcrumbs")
    parents = {c.getparent() for c in crumbs}
    if len(crumbs) == 1 or (len(parents) == 1 and None not in parents):
        # The trail's own text: the last crumb (current page) is often plain text, not a link.
        trail = crumbs[0] if len(crumbs) == 1 else crumbs[0].getparent()
        doc.set_default("breadcrumbs", split_breadcrumbs(text_of(trail)))
    elif crumbs:
        doc.set_default("breadcrumbs", [t for t in (text_of(c) for c in crumbs) if t and not CRUMB_SPLIT.fullmatch(t)])

    tags = [text_of(t) for t in _from_selector(doc, "tags")]
    if len(tags) == 1:
        tags = [t for t in TAG_SPLIT.split(re.sub(r"^.*?[:：]", "", tags[0])) if t]
    doc.set_default("tags", [t for t in tags if t])

    desc = _from_selector(doc, "description")
    doc.set_default("description", text_of(desc[0]) if desc else _meta(root, ("description", "og:description"), metas))

    if doc.profile is not None and doc.profile.patterns:
        page_text = root.text_content()
        for name, rx in doc.profile.patterns.items():
            m = rx.search(page_text)
            if m:
                doc.set_default(name, m.group("value").strip())

    if doc.profile is None and not doc.fields.get("datePublished"):
        if text is None:
            text = visible_text(root, VISIBLE_CHARS)
        found = dates.near_headline(text, _squash_space(doc.fields.get("headline") or "")) if text else None
        if found:
            doc.set_default("datePublished", found[0])
            doc.set_default("datePublishedRaw", found[1])

    lang = (root.get("lang") or root.get("xml:lang") or "").strip()
    doc.set_default("inLanguage", lang.split("-")[0].lower() if lang else "")


# What \s+ -> ' ' changes: runs of 2+, or one character that is not a plain space (leaving single
# spaces alone is the same result without a match per word gap of a 10 MB English paragraph).
_SPACE_RUN = re.compile(r"\s\s+|[^\S ]")
_SKIP_TEXT = frozenset(("script", "style", "noscript", "textarea", "select", "option", "title", "head"))


# How much of the page's visible text the byline and date searches read.
VISIBLE_CHARS = 200_000


def visible_text(root, limit: int = 0) -> str:
    """The page's visible text in reading order, whitespace collapsed (scripts, styles, <head> skipped);
    with `limit`, its first `limit` characters, collected and collapsed only that far."""
    parts, size = [], 0
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and tag not in _SKIP_TEXT:
            text = el.text   # (each read decodes a new string: once)
            if text:
                parts.append(text)
                size += len(text) + 1
        tail = el.tail
        if tail and el is not root:   # (the root's tail would be outside the page)
            parts.append(tail)
            size += len(tail) + 1
        if limit and size > 2 * limit:
            text = _collapse_head(" ".join(parts), limit)
            if len(text) >= limit:
                return text[:limit]
            parts, size = [text], len(text)
    text = _SPACE_RUN.sub(" ", " ".join(parts))
    return text[:limit] if limit else text


def _collapse_head(text: str, limit: int) -> str:
    """_SPACE_RUN collapsed over text, or over enough of its head to give `limit` characters."""
    head = _SPACE_RUN.sub(" ", text[:2 * limit])
    if len(head) > limit + 1:   # (a run cut at the slice end changes at most its last character)
        return head[:limit]
    return _SPACE_RUN.sub(" ", text)


_CJK_NAME = r"[\u4e00-\u9fff·]"
# Words that follow a byline on the same line and are not names.
_NOT_NAMES = frozenset("出自 来源 编辑 责编 发布 时间 日期 阅读 点击 评论 浏览 分享 打印 收藏 字号 报道 摄影 "
                       "博客 专栏 采访 团队 风采 名单 招聘 信箱 热线 联系 other others the a an user users admin".split())
_LABELLED_AUTHOR = re.compile(
    r"(?:(?:作者|撰文|(?<![\u4e00-\u9fff])文)\s*[:：/])\s*"
    r"(?P<value>[^\s|｜,，;；:：()（）\[\]【】<>《》=\"']{1,20}+(?!=)(?:\s+" + _CJK_NAME + r"{2,3}(?![\u4e00-\u9fff]))*)"
    r"|(?:作者|撰文)\s+(?P<bare>" + _CJK_NAME + r"{2,4}(?![\u4e00-\u9fff]))"
    r"|(?i:posted by)\s+(?P<posted>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}|[^\s,;:()]{2,20})")
_REPORTER = re.compile(
    r"(?:^|(?<=[\s（(【\[□·报台社网]))(?:特约|首席|实习)?(?:记者|通讯员)\s*(?P<value>" + _CJK_NAME + r"{2,4}?(?=\s|/|发自|报道|摄|[）)，,。]|$)"
    r"(?:\s+" + _CJK_NAME + r"{2,3}(?=\s|[）)]))*)(?!\s*/?\s*摄)")   # '记者 某某 摄' credits a photo
# "新华日报·交汇点记者 徐睿翔": an outlet's name right before 记者, the name set off by spaces.
_OUTLET_REPORTER = re.compile(
    r"(?<=[\u4e00-\u9fff])(?:记者|通讯员)\s+(?P<value>" + _CJK_NAME + r"{2,4}(?:\s+" + _CJK_NAME + r"{2,3})*)(?=\s|$)(?!\s*/?\s*摄)")
# "2004年7月16日08:19 [ 黄宇 ] 来源：…": a name in brackets in the date line.
_DATELINE_NAME = re.compile(r"(?<=\d)\s*[\[【]\s*(?P<value>" + _CJK_NAME + r"{2,4}(?:\s+" + _CJK_NAME + r"{2,3})*)\s*[\]】]")
# "…。（姚峰 上海报道）", "…。（袁源）": names in brackets closing a paragraph.
_CLOSING_BYLINE = re.compile(
    r"[。！”]\s*[（(]\s*(?P<value>" + _CJK_NAME + r"{2,3}(?:\s+" + _CJK_NAME + r"{2,3})*)"
    r"\s*(?:\S{2,4}报道)?\s*[）)]")
_INSTITUTION = re.compile(r"(社|网|报|台|部|局|厅|院|会|完|续|图|组|闻|片|频|载)$")


def page_authors(text: str, headline: str) -> list[str]:
    """Authors printed on the page (generic mode): '作者：某某' near the title, else a reporter
    byline ('记者 某某', '本报记者某某发自…'), else names in brackets closing a paragraph."""
    start = text.find(headline) if len(headline) >= 4 else -1
    start = max(start, 0)
    for rx in (_LABELLED_AUTHOR, _REPORTER, _OUTLET_REPORTER, _DATELINE_NAME, _CLOSING_BYLINE):
        first = _first_possible(rx, text, start)
        if first < 0:
            continue
        for m in rx.finditer(text, first):
            if rx is _LABELLED_AUTHOR and m.group("posted"):
                names = [m.group("posted")] if m.group("posted").lower() not in _NOT_NAMES else []
            else:
                names = [n for n in split_names(m.group("value") or m.group("bare")) if n not in _NOT_NAMES]
            if rx is _CLOSING_BYLINE and any(_INSTITUTION.search(n) for n in names):
                continue
            if names:
                return names
    return []


# The characters a match of each byline pattern can start with. Patterns that open with a
# lookbehind are tried at every position of the text; the search starts at the first place a match
# could begin instead (the lookbehind still sees the text before it).
_STARTS = {_LABELLED_AUTHOR: re.compile("[作撰文pP]"), _REPORTER: re.compile("[特首实记通]"),
           _OUTLET_REPORTER: re.compile("[记通]"), _DATELINE_NAME: re.compile(r"[\[【]")}


def _first_possible(rx, text: str, start: int) -> int:
    """Where the first match of rx at or after `start` could begin; -1 when none can."""
    starts = _STARTS.get(rx)
    if starts is None:
        return start
    m = starts.search(text, start)
    if m is None:
        return -1
    first = m.start()
    if rx is _DATELINE_NAME:   # (the match takes the spaces before the bracket)
        while first > start and text[first - 1].isspace():
            first -= 1
    return first


def _plausible_author(value: str) -> bool:
    """A <meta name=author> holding a person, not the site ('某某网', 'www.example.com', an id)."""
    value = value.strip()
    return (len(value) <= 30 and not re.search(r"www\.|\.(com|cn|net|org)\b|\d|_", value, re.I)
            and not re.search(r"(网|报|社|集团|公司|网络|频道)$", value)
            and not re.search(r"[\u4e00-\u9fff]{9,}", value))   # a phrase, not a name list


def _squash_space(text: str) -> str:
    return " ".join(text.split())


def _adopt_zone(doc: Document, declared: list[str]) -> None:
    """A printed time has no UTC offset; <head> often declares the same moment with one
    (article:published_time 2025-10-14T09:32:18+08:00): keep the page's offset."""
    current = doc.fields.get("datePublished") or ""
    if "T" not in current or current.endswith("Z") or re.search(r"[+-]\d\d:\d\d$", current):
        return
    for value in declared:
        parsed = dates.parse_date(value)
        if parsed and parsed[0].startswith(current[:16]) and re.search(r"(Z|[+-]\d\d:\d\d)$", parsed[0]):
            doc.fields["datePublished"] = current + parsed[0][19:]
            return


def _set_date(doc: Document, text: str) -> None:
    parsed = dates.parse_date(text)
    if parsed:
        doc.set_default("datePublished", parsed[0])
        doc.set_default("datePublishedRaw", parsed[1])
