"""Extractors: find the article's text on a page and return it as lines.

All extractors share one interface, `extract(doc) -> list[Line]`, so the Scrapy pipeline, the command
line and the benchmark can swap them. `ProfileExtractor` uses a portal's selectors; the others are
generic and used when no profile matches.
"""
from __future__ import annotations

import copy
import re

import lxml.html

from .document import Document, Line, Rejected
from .html import element_lines, normalise_space, select, text_of
from .rules.meta import MetaLineRule, capture_fields

# Decides whether removed text is a credit line whose fields are kept.
_CREDIT = MetaLineRule()


class Extractor:
    name = "extractor"

    def extract(self, doc: Document) -> list[Line]:
        raise NotImplementedError


class ProfileExtractor(Extractor):
    """The profile's body container, minus the profile's named noise blocks, its [remove] line
    patterns and pull quotes. A credit line removed this way still fills the field it states."""
    name = "profile"

    def extract(self, doc: Document) -> list[Line]:
        profile = doc.profile
        found = profile.select(doc.tree, "body")
        if not found:
            raise Rejected("not-article", f"nothing on the page matches the {profile.name} body selector "
                                          f"{profile.selector_text('body')!r}")
        container = found[0]
        for kind, selectors in profile.noise.items():
            for noise_selector in selectors:
                # an XPath from '//' searches the whole page: only what lies inside the container counts
                for el in [e for e in select(container, noise_selector) if _inside(e, container)]:
                    for line in element_lines(el):
                        _remove_keeping_credits(doc, f"profile:{kind}", line.text)
                    el.drop_tree()
        quotes = []
        # Highlights sit inside the container or just before it: looked for on the whole page.
        for el in profile.select(doc.tree, "pull_quotes"):
            text = text_of(el)
            if text:
                quotes.append(text)
                doc.remove("pull-quote", text)
            el.drop_tree()
        if quotes:
            doc.fields["pullQuotes"] = quotes
        lines = element_lines(container)
        if profile.remove:
            lines = [line for line in lines if not _removed_by_pattern(doc, line)]
        return lines


def _inside(el, container) -> bool:
    return any(a is container for a in el.iterancestors())


def _removed_by_pattern(doc: Document, line: Line) -> bool:
    for kind, patterns in doc.profile.remove.items():
        if any(rx.search(line.text) for rx in patterns):
            _remove_keeping_credits(doc, f"profile:{kind}", line.text)
            return True
    return False


def _remove_keeping_credits(doc: Document, rule: str, text: str) -> None:
    """Record the removal; a credit line ('责任编辑：某某', '来源：…') still fills its fields."""
    doc.remove(rule, text)
    if _CREDIT.is_meta(doc, Line(text), in_head=False):
        capture_fields(doc, text)


def _text_lines(text: str | None) -> list[Line]:
    return [Line(t) for t in (normalise_space(x) for x in (text or "").splitlines()) if t]


class TrafilaturaExtractor(Extractor):
    name = "trafilatura"

    def __init__(self, **options):
        self.options = {"include_comments": False, "include_tables": True, **options}

    def extract(self, doc: Document) -> list[Line]:
        import trafilatura
        text = trafilatura.extract(copy.deepcopy(doc.tree), url=doc.url, **self.options)
        return _text_lines(text)


# readability-lxml scores candidate blocks by ASCII commas; Chinese prose uses the full-width one.
_CJK_COMMA = re.compile("[，、；]")


class ReadabilityExtractor(Extractor):
    name = "readability"

    def extract(self, doc: Document) -> list[Line]:
        from readability import Document as Readability
        html = lxml.html.tostring(doc.tree, encoding="unicode")
        # Give Chinese commas the weight ASCII commas have; the text we return comes from the
        # original tree, so this substitution never reaches the output.
        scored = _CJK_COMMA.sub(lambda m: m.group(0) + ",", html)
        summary = Readability(scored).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
        lines = element_lines(root)
        for line in lines:
            line.text = re.sub(r"([，、；]),", r"\1", line.text)
        return lines


class DensityExtractor(Extractor):
    """Our own scorer (cleaners.density): the element holding the most prose, minus chrome inside it."""
    name = "density"

    def extract(self, doc: Document) -> list[Line]:
        from . import density
        stats = density.measure(doc.tree)
        chosen, top_score = density.content_elements(doc.tree, stats)
        if chosen:
            chosen = density.widen(chosen, stats)
        doc.fields["_density_score"] = top_score
        lines: list[Line] = []
        for container in chosen:
            for el in density.drop_chrome(container, stats):
                text = text_of(el)
                if text:
                    doc.remove("density:chrome-block", text)
                el.drop_tree()
            lines.extend(element_lines(container))
        return lines


class GenericExtractor(Extractor):
    """No profile: run the generic extractors and keep the result that looks most like an article.

    By default only our own density scorer runs: on the zh and English benchmarks it beats
    trafilatura and readability-lxml alone, at a fraction of their time (see BENCHMARKS.md). Pass
    `extractors=[...]` to compare several per page (slower: each one runs in full)."""
    name = "generic"

    def __init__(self, extractors: list[Extractor] | None = None):
        self.extractors = extractors or [DensityExtractor()]

    def extract(self, doc: Document) -> list[Line]:
        best: list[Line] = []
        best_score = -1.0
        for extractor in self.extractors:
            try:
                lines = extractor.extract(doc)
            except Rejected:
                raise
            except Exception as exc:  # an extractor bug on one page must not lose the page
                doc.counters[f"extractor-error/{extractor.name}"] += 1
                doc.fields.setdefault("_errors", []).append(f"{extractor.name}: {type(exc).__name__}: {exc}")
                continue
            score = _article_score(lines)
            if score > best_score:
                best, best_score = lines, score
                doc.fields["extractor"] = extractor.name
        return best


def _article_score(lines: list[Line]) -> float:
    """Prose characters, discounted by link text: what an article has more of than a menu."""
    prose = sum(len(l.text) for l in lines if len(l.text) >= 20)
    links = sum(l.link_chars for l in lines)
    return prose - 2 * links


EXTRACTORS = {
    "generic": GenericExtractor,
    "trafilatura": lambda: TrafilaturaExtractor(),
    "trafilatura-precision": lambda: TrafilaturaExtractor(favor_precision=True),
    "readability": ReadabilityExtractor,
    "density": DensityExtractor,
}
