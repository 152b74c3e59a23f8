"""The cleaning steps, in order, behind one object: decode → extract → clean → normalise → validate.

Scrapy's item pipelines call the steps one by one; the command line and the benchmark call `run`.
"""
from __future__ import annotations

import re
from typing import Any

from . import bounds
from .document import Document, Page, Rejected
from .encoding import decode
from .extract import EXTRACTORS, Extractor, ProfileExtractor
from .html import parse, strip_invisible, text_of
from .metadata import extract_metadata
from .normalise import normalise
from .profiles import ProfileRegistry
from .rules import DEFAULT_RULES, apply_rules
from .script import char_counter, han_count, is_japanese
from .validate import validate


class Cleaner:
    def __init__(self, registry: ProfileRegistry | None = None, convert: str | None = "auto",
                 generic: str | Extractor = "generic", rules=DEFAULT_RULES,
                 max_elements: int = bounds.MAX_ELEMENTS, max_lines: int = bounds.MAX_LINES):
        self.max_elements, self.max_lines = max_elements, max_lines
        self.registry = registry if registry is not None else ProfileRegistry.default()
        self.convert = convert
        self.generic = EXTRACTORS[generic]() if isinstance(generic, str) else generic
        self.rules = rules

    # -- steps ---------------------------------------------------------------------------------
    def load(self, page: Page, portal: str | None = "auto") -> Document:
        """Decode and parse; choose the profile (by name, by URL, or none for generic mode)."""
        profile = self.registry.resolve(portal, page.url)
        doc = Document(page=page, portal=profile.name if profile else "generic", profile=profile)
        doc.html, doc.encoding = decode(page.body, page.content_type)
        doc.tree = parse(doc.html)
        if doc.tree is None:
            raise Rejected("empty", "the page has no HTML content")
        bounds.check_elements(doc.tree, self.max_elements)
        return doc

    def extract(self, doc: Document) -> Document:
        extract_metadata(doc, doc.tree)
        strip_invisible(doc.tree)
        _drop_ruby_annotations(doc)
        extractor = ProfileExtractor() if doc.profile else self.generic
        doc.lines = extractor.extract(doc)
        doc.fields.setdefault("extractor", extractor.name)
        bounds.check_lines(doc.lines, self.max_lines)
        return doc

    def clean(self, doc: Document) -> Document:
        return apply_rules(doc, self.rules)

    def normalise(self, doc: Document) -> Document:
        return normalise(doc, self.convert)

    def validate(self, doc: Document) -> Document:
        validate(doc)
        if not doc.fields.get("inLanguage"):   # (<html lang> said it: no need to count letters)
            doc.set_default("inLanguage", _language(doc.body))
        return doc

    # -- whole runs ----------------------------------------------------------------------------
    def process(self, page: Page, portal: str | None = "auto") -> Document:
        """All steps; raises Rejected for pages that are not articles."""
        doc = self.load(page, portal)
        for step in (self.extract, self.clean, self.normalise, self.validate):
            step(doc)
        return doc

    def run(self, page: Page, portal: str | None = "auto") -> dict[str, Any]:
        """All steps, never raising: an article item, or {"url", "status", "reason", "detail"}."""
        try:
            return self.process(page, portal).to_item()
        except Rejected as rejection:
            return rejection.to_record(page)
        except RecursionError:
            return Rejected("too-deep", "the page nests elements too deeply to parse").to_record(page)
        except Exception as exc:  # last line of defence: one bad page never ends a run
            return Rejected("extract-failed", f"{type(exc).__name__}: {exc}").to_record(page)


def _drop_ruby_annotations(doc: Document) -> None:
    """<rt>/<rp> hold pronunciation (pinyin, bopomofo), not text: drop them, keep the base."""
    annotations = [el for el in doc.tree.iter("rt", "rp")]
    if not annotations:
        return
    doc.remove("ruby-annotation", " ".join(t for t in (text_of(el) for el in annotations if el.tag == "rt") if t))
    for el in annotations:
        el.drop_tree()


_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff"   # (not U+4DC0-4DFF, the Yijing symbols between them)
_IDEOGRAPH_RUNS = re.compile(f"[{_IDEOGRAPHS}]+")
_ideographs = char_counter(_IDEOGRAPHS)


def _language(text: str) -> str:
    sample = text[:2000]
    han = han_count(sample)
    # (every character of the CJK ideograph blocks is a letter: counted in C, the rest one by one)
    letters = _ideographs(sample) + sum(map(str.isalpha, _IDEOGRAPH_RUNS.sub("", sample)))
    if is_japanese(sample):
        return "ja"
    return "zh" if letters and han / letters > 0.3 else "en" if letters else ""
