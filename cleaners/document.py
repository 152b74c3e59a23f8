"""The working state of one page as it moves through the cleaning steps.

A `Page` is what came off the wire; a `Document` is what the steps build from it; `Rejected` is how a
step says "this page is not an article" (with a reason a user can act on).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Output fields in the order they are written. Names follow schema.org / zyte-common-items `Article`
# where such a field exists; the rest are ours.
ARTICLE_FIELDS = (
    "url", "portal", "headline", "datePublished", "datePublishedRaw", "authors", "breadcrumbs",
    "inLanguage", "articleBody", "description", "pullQuotes", "source", "editor", "tags",
    "additionalProperties", "scriptConverted", "extractor", "encoding", "removed",
)


@dataclass
class Page:
    """Raw input: the bytes of a response and what the transport said about them."""
    body: bytes | str
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    status: int = 200

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Line:
    """One block of text (a paragraph, heading or list entry) in reading order."""
    text: str
    tag: str = "p"            # the HTML element the block came from
    link_chars: int = 0       # characters inside <a> elements
    heading: bool = False

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass
class Document:
    page: Page
    portal: str = "generic"
    profile: Any = None                     # cleaners.profiles.Profile or None
    html: str = ""
    encoding: str | None = None
    tree: Any = None                        # lxml.html root
    lines: list[Line] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    removed: list[dict[str, str]] = field(default_factory=list)
    counters: Counter = field(default_factory=Counter)

    @property
    def url(self) -> str | None:
        return self.page.url

    def remove(self, rule: str, text: str) -> None:
        """Record that `rule` stripped `text`; every removal is visible on the item."""
        text = text.strip()
        if text:
            self.removed.append({"rule": rule, "text": text})
        self.counters[rule] += 1

    def set_default(self, name: str, value: Any) -> None:
        """Set a metadata field unless an earlier, more specific source already did."""
        if value and not self.fields.get(name):
            self.fields[name] = value

    @property
    def body(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_item(self) -> dict[str, Any]:
        """The article as an item: known fields in ARTICLE_FIELDS order, empty ones left out;
        portal-specific fields (from profile patterns) as schema.org-style additionalProperties."""
        values = {"url": self.url, "portal": self.portal, **self.fields, "encoding": self.encoding}
        extra = [{"name": k, "value": v} for k, v in self.fields.items()
                 if k not in ARTICLE_FIELDS and not k.startswith("_") and v]
        if extra:
            values["additionalProperties"] = extra
        item = {k: values[k] for k in ARTICLE_FIELDS if values.get(k) not in (None, "", [], {})}
        item["articleBody"] = self.body
        item["removed"] = self.removed
        return {k: item[k] for k in ARTICLE_FIELDS if k in item}


class Rejected(Exception):
    """A page that does not become an article. `reason` is a short stable code, `detail` prose."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def to_record(self, page: Page | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"reason": self.reason}
        if self.detail:
            record["detail"] = self.detail
        if page is not None:
            record = {"url": page.url, "status": page.status, **record}
        return record
