"""Metadata selectors: where on the page the headline, date, source, author, editor, breadcrumbs and
tags are printed, found from where generic mode found those values (or where a label announces them)
and kept only if they give the right value on the pages and a wrong one on none."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .. import dates
from ..rules.meta import BREADCRUMB_LABEL, CRUMB_SPLIT, FIELD_PATTERNS, META_LABEL, TAGS, split_breadcrumbs
from ..validate import char_shingles
from .dom import candidates, norm, own_handles, squash, text_of
from .study import Study
from .template import Choice, container_of

_LEAD = "（([【 \t"
# selector key -> the item field it fills
FIELD_OF = {"headline": "headline", "date": "datePublished", "source": "source", "author": "authors",
            "editor": "editor", "breadcrumbs": "breadcrumbs", "tags": "tags"}


def _deepest(els: list) -> list:
    """Drop every element that contains another one of the list."""
    keep = set(els)
    for el in els:
        for a in el.iterancestors():
            keep.discard(a)
    return [e for e in els if e in keep]


def _short(el, limit: int) -> bool:
    return el.tag not in ("html", "head", "title", "body", "script", "style") and len(squash(text_of(el))) <= limit


def _labelled(field: str, text: str) -> str:
    """The value of a line that opens with a label ('来源：…', '信息来源：…') stating `field`."""
    text = text.strip()
    m = FIELD_PATTERNS[field].match(text.lstrip(_LEAD))
    if not m and META_LABEL.match(text):
        m = FIELD_PATTERNS[field].search(text)
    return m.group("value").strip() if m else ""


def _joined(value) -> str:
    return norm(" ".join(value) if isinstance(value, list) else value or "")


# -- what an element says, per field, and whether that is right for the page -----------------------
def _check(key: str, els: list, s: Study):
    """True (right), False (wrong) or None (no opinion: nothing selected, or no reference)."""
    if not els:
        return None
    text = text_of(els[0])
    if key == "headline":
        ref = s.value("headline")
        return None if not ref else norm(text) == norm(ref)
    if key == "date":
        ref = s.value("datePublished")
        got = next((p for p in (dates.parse_date(text_of(e)) for e in els) if p), None)
        if got is None:
            return False
        return None if not ref else got[0][:10] == ref[:10]
    if key in ("source", "author", "editor"):
        field = FIELD_OF[key]
        if _labelled(field, text):
            return True
        ref = _joined(s.value(field))
        if ref:
            return norm(text) == ref
        return True if _hinted(key, els[0]) else None
    if key == "breadcrumbs":
        return len(_crumbs(els)) >= 2
    if key == "tags":
        tags = [text_of(e) for e in els]
        return 1 <= len(tags) <= 20 and all(0 < len(t) <= 20 for t in tags)
    return None


def _crumbs(els: list) -> list[str]:
    parents = {e.getparent() for e in els}
    if len(els) == 1 or (len(parents) == 1 and None not in parents):
        trail = els[0] if len(els) == 1 else els[0].getparent()
        return split_breadcrumbs(text_of(trail))
    return [t for t in (text_of(e) for e in els) if t and not CRUMB_SPLIT.fullmatch(t)]


# -- where to look, per field ----------------------------------------------------------------------
def _found(key: str, s: Study, container) -> list[str]:
    """Candidate selectors for `key` on this page. Not inside the body container: what is printed
    there (credit lines) the body's own rules read, and a place inside the prose is a position,
    not a name."""
    root = s.tree.root
    body = root.find("body")
    if body is None:
        return []
    inside = set(container.iter()) if container is not None else set()
    els = [e for e in body.iter() if isinstance(e.tag, str) and e not in inside]
    suffix = ""
    if key == "headline":
        ref = norm(s.value("headline") or "")
        hits = [e for e in els if ref and _short(e, 200) and norm(text_of(e)) == ref]
    elif key == "date":
        ref = (s.value("datePublished") or "")[:10]
        hits = [e for e in els if ref and _short(e, 80) and (dates.parse_date(text_of(e)) or ("",))[0][:10] == ref]
    elif key in ("source", "author", "editor"):
        field = FIELD_OF[key]
        ref = _joined(s.value(field))
        hits = [e for e in els if _short(e, 60) and (_labelled(field, text_of(e)) or (ref and norm(text_of(e)) == ref)
                                                   or _hinted(key, e))]
    elif key == "breadcrumbs":
        hits = [e for e in els if e.tag != "a" and _short(e, 200) and _is_trail(e, s)]
        suffix = " a"
    elif key == "tags":
        hits = [e for e in els if e.tag != "a" and _short(e, 200) and TAGS.match(text_of(e)) and e.find(".//a") is not None]
        hits += [a.getparent() for a in body.iter("a") if "tag" in (a.get("rel") or "").split()]
        suffix = " a"
    else:
        return []
    out = []
    for el in _deepest([h for h in hits if h not in inside]):
        out += [c for c in candidates(el, suffix) if c not in out]
    return out


# Class or id words naming what a short element holds, for a name printed without a label
# (<span class="account">某某发布</span>).
_NAME_HINTS = {"source": re.compile(r"source|laiyuan|copyfrom|account|wemedia|origin", re.I),
               "author": re.compile(r"author|writer|byline|zuozhe|reporter", re.I),
               "editor": re.compile(r"editor|bianji|zebian", re.I)}


def _hinted(key: str, el) -> bool:
    """A short name (no label, no date, no colon) in an element whose class or id names the field."""
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    text = text_of(el)
    return (bool(_NAME_HINTS[key].search(names)) and 0 < len(text) <= 30 and not re.search(r"[:：|｜]", text)
            and not dates.parse_date(text) and not _chrome(text))


def _is_trail(el, s: Study) -> bool:
    links = list(el.iter("a"))
    if len(links) < 2:
        return False
    text = text_of(el)
    first = links[0]
    href = urlsplit(first.get("href") or "")
    home = href.path in ("", "/", "/index.html", "/index.htm", "/index.shtml") and not href.query
    return (bool(BREADCRUMB_LABEL.match(text)) or home) and bool(re.search(r"[>»›→＞]", text))


def learn_fields(studies: list[Study], body: list[str], support: int) -> list[Choice]:
    articles = [s for s in studies if s.generic is not None]
    containers = [container_of(s, body) for s in articles]
    out = []
    for key in FIELD_OF:
        pool: list[str] = []
        for s, container in zip(articles, containers):
            pool += [c for c in _found(key, s, container) if c not in pool]
        # Selectors tried in order (a second template of the site gets its own): each further one
        # must be right on pages the earlier ones miss, and wrong on none.
        chosen, covered = [], set()
        while len(chosen) < 3:
            best = None
            for rank, selector in enumerate(pool):
                if selector in chosen:
                    continue
                selected = [s.tree.select(selector) for s in articles]
                verdicts = [_check(key, els, s) for els, s in zip(selected, articles)]
                right = {i for i, v in enumerate(verdicts) if v} - covered
                wrong = [i for i, v in enumerate(verdicts) if v is False and i not in covered]
                if wrong or len(right) < support or not _varies_or_labelled(key, selected):
                    continue
                score = (len(right), -sum(len(els) for els in selected), -rank)
                if best is None or score > best[0]:
                    best = (score, selector, right)
            if best is None:
                break
            chosen.append(best[1])
            covered |= best[2]
        if chosen:
            out.append(Choice(key, chosen if len(chosen) > 1 else chosen[0], len(covered), len(articles)))
    return out


def _varies_or_labelled(key: str, selected: list[list]) -> bool:
    """A name field (source, author, editor) found only because its text equals what generic mode
    found is weak evidence when it is the same on every page (an account or site name): keep it
    only when its label is printed, or when it changes from page to page."""
    if key not in ("source", "author", "editor"):
        return True
    texts = [text_of(els[0]) for els in selected if els]
    if all(_labelled(FIELD_OF[key], t) for t in texts):
        return True
    return len(texts) < 2 or len({norm(t) for t in texts}) > 1


_PAIR = re.compile(r"^\s*([\u4e00-\u9fff]{2,8})\s*[:：]\s*(\S.{0,40})$")


def _chrome(text: str) -> bool:
    """A line one of the shared chrome rules would remove (上一篇：…, 分享到：…)."""
    from ..document import Line
    from ..rules import DEFAULT_RULES
    from ..rules.base import LineRule
    return any(isinstance(r, LineRule) and r.matches(Line(text)) for r in DEFAULT_RULES)


def _grams(text: str) -> set[str]:
    return char_shingles(norm(text))


def _repeats(text: str, body: set[str], lines: set[str]) -> bool:
    """A highlight: at least 20 characters, not a body line itself, most of it printed again in the body."""
    grams = _grams(text)
    return len(norm(text)) >= 20 and norm(text) not in lines and len(grams & body) >= 0.6 * len(grams)


def learn_pull_quotes(studies: list[Study], body: list[str], support: int) -> Choice | None:
    """Highlights printed before (or at the top of) the body that repeat the body's own sentences."""
    articles = [s for s in studies if s.generic is not None]
    pool: list[str] = []
    grams = []
    for s in articles:
        container = container_of(s, body)
        g = set().union(*(_grams(t) for t in s.seeds)) if s.seeds else set()
        lines = {norm(t) for t in s.seeds}
        grams.append((g, lines))
        if container is None:
            continue
        near = list(container)[:2]
        for el in [container, *list(container.iterancestors())[:2]]:
            near += [sib for sib in el.itersiblings(preceding=True)][:3]
        for el in near:
            if not isinstance(el.tag, str) or el.tag in ("h1", "h2") or not _repeats(text_of(el), g, lines):
                continue
            ps = [c for c in el if c.tag == "p" and text_of(c)]
            for c in candidates(el, " p" if len(ps) >= 2 else "", positional=False):
                if c not in pool:
                    pool.append(c)
    best = None
    for rank, selector in enumerate(pool):
        right = wrong = 0
        for s, (g, lines) in zip(articles, grams):
            els = s.tree.select(selector)
            if els and all(_repeats(text_of(e), g, lines) for e in els):
                right += 1
            elif els:
                wrong += 1
        if not wrong and right >= support and (best is None or (right, -rank) > best[0]):
            best = ((right, -rank), selector, right)
    return Choice("pull_quotes", best[1], best[2], len(articles)) if best else None


def learn_patterns(studies: list[Study], body: list[str], support: int) -> list[Choice]:
    """Portal-specific labelled fields ('发布开发区：…') printed outside the body on the pages, with a
    value that changes from page to page and a label none of the shared rules knows."""
    labels: dict[str, dict] = {}
    for i, s in enumerate(studies):
        if s.generic is None:
            continue
        container = container_of(s, body)
        root = s.tree.root.find("body")
        for el in (root.iter() if root is not None else ()):
            if not isinstance(el.tag, str) or not _short(el, 50) or el.tag == "a":
                continue
            if container is not None and (el is container or container in el.iterancestors()):
                continue
            m = _PAIR.match(text_of(el))
            if not m or META_LABEL.match(text_of(el)) or BREADCRUMB_LABEL.match(text_of(el)) or _chrome(text_of(el)):
                continue
            entry = labels.setdefault(m.group(1), {"pages": set(), "values": set(), "names": []})
            entry["pages"].add(i)
            entry["values"].add(m.group(2))
            entry["names"] += [h.split(".", 1)[1] for h in own_handles(el) if "." in h]
    out = []
    for label, e in labels.items():
        if len(e["pages"]) >= max(support, 2) and len(e["values"]) == len(e["pages"]):
            names = [n for n in e["names"] if re.match(r"^[a-z][a-z0-9_]*$", n)]
            name = max(set(names), key=names.count) if names else label
            out.append(Choice(name, re.escape(label) + r"[:：]\s*(?P<value>\S+)", len(e["pages"]), len(studies),
                              note=f"label {label}"))
    return out
