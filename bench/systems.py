"""The systems compared: our generic mode and the off-the-shelf extractors, each as text -> text.

Every system gets the same input. The baselines get the page already decoded by
`cleaners.encoding.decode` (decoding is not counted in their time); generic mode gets the raw bytes
and its time includes decoding, parsing, extraction, rules, normalisation and validation.
"""
from __future__ import annotations

import lxml.html

from cleaners import Cleaner, Page
from cleaners.encoding import decode


def _decoded(case) -> str:
    try:
        return decode(case.body, case.content_type)[0]
    except Exception:
        return case.body.decode("utf-8", "replace")


class Generic:
    name = "generic"

    def __init__(self):
        self.cleaner = Cleaner()

    def prepare(self, case):
        headers = {"content-type": case.content_type} if case.content_type else {}
        return Page(body=case.body, url=case.url, headers=headers)

    def run(self, page) -> dict:
        item = self.cleaner.run(page, portal="generic")
        if "reason" in item:
            return {"text": None, "reason": item["reason"], "detail": item.get("detail", "")}
        return {"text": item["articleBody"], "datePublished": item.get("datePublished"),
                "authors": item.get("authors"), "source": item.get("source"), "editor": item.get("editor"),
                "headline": item.get("headline"), "converted": bool(item.get("scriptConverted")),
                "extractor": item.get("extractor")}


class Trafilatura:
    name = "trafilatura"
    options: dict = {}

    def prepare(self, case):
        return _decoded(case)

    def run(self, html) -> dict:
        import trafilatura
        return {"text": trafilatura.extract(html, **self.options)}


class TrafilaturaPrecision(Trafilatura):
    name = "trafilatura-precision"
    options = {"favor_precision": True}


class Readability:
    name = "readability"

    def prepare(self, case):
        return _decoded(case)

    def run(self, html) -> dict:
        from readability import Document
        summary = Document(html).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
        for el in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr"):
            el.tail = "\n" + (el.tail or "")
        return {"text": root.text_content()}


SYSTEMS = {cls.name: cls for cls in (Generic, Trafilatura, TrafilaturaPrecision, Readability)}
