"""Deciding whether what is left is an article."""
from __future__ import annotations

import re

from .document import Document, Rejected

_WORD = re.compile(r"[\u3400-\u9fff]|[^\W\u3400-\u9fff]+")

# Below this many words (a Han character counts as one) there is no article to speak of.
MIN_WORDS = 40


def words(text: str) -> int:
    return len(_WORD.findall(text))


def validate(doc: Document) -> Document:
    body = doc.body
    if not body.strip():
        raise Rejected("not-article", "no article text was found on the page")
    n = words(body)
    if n < MIN_WORDS:
        raise Rejected("not-article", f"only {n} words of text after cleaning (an article has at least {MIN_WORDS})")
    links = sum(line.link_chars for line in doc.lines)
    if links > 0.5 * len(body):
        raise Rejected("not-article", "most of the remaining text is links (a list or index page)")
    return doc
