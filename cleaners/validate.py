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
    profile = doc.profile
    for name in getattr(profile, "required", ()):
        if not doc.fields.get(name):
            raise Rejected("not-article", f"no {name}, which every {profile.name} article has")
    links = sum(line.link_chars for line in doc.lines)
    if links > 0.5 * len(body):
        raise Rejected("not-article", "most of the remaining text is links (a list or index page)")
    drop_foreign_description(doc)
    return doc


def _grams(text: str, n: int = 4) -> set[str]:
    text = re.sub(r"\W+", "", text)
    return {text[i:i + n] for i in range(max(len(text) - n + 1, 1))}


def drop_foreign_description(doc: Document) -> None:
    """A meta description that shares nothing with the article is the site's, not the article's."""
    description = doc.fields.get("description")
    if description and not _grams(description) & _grams((doc.fields.get("headline") or "") + doc.body):
        doc.remove("site-description", description)
        del doc.fields["description"]
