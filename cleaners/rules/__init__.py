"""The shared cleaning rules, in the order they run. Every portal and generic mode use the same list."""
from __future__ import annotations

from ..document import Document
from . import blocks, chrome, english, inbody, meta
from .base import LineRule, Rule

DEFAULT_RULES: tuple[Rule, ...] = (
    *meta.RULES,          # breadcrumbs, repeated headline, tags, meta lines: removed and kept as fields
    *chrome.LINE_RULES,   # prev/next, copyright, disclaimers, login bar, share, page tools, contact …
    *english.LINE_RULES,  # English sites' sign-up, follow-us, photo credit, dateline/byline, button lines
    *blocks.PROMO_RULES,  # WeChat / QR-code blocks framed by promo lines around the article
    *inbody.RULES,        # unnamed in-body chrome: promo blocks, disclaimers, captions, credits, 原标题, quotes
    *blocks.LIST_RULES,   # related lists, link lists, pull quotes
    *inbody.TAIL_RULES,   # the source/editor footer closing the article
)


def by_name(name: str) -> Rule:
    for rule in DEFAULT_RULES:
        if rule.name == name:
            return rule
    raise KeyError(name)


def apply_rules(doc: Document, rules=DEFAULT_RULES) -> Document:
    for rule in rules:
        if not doc.lines:
            break
        rule.apply(doc)
    return doc


__all__ = ["DEFAULT_RULES", "LineRule", "Rule", "apply_rules", "by_name"]
