"""What a cleaning rule is.

A rule is a small named object that looks at the document's lines and removes chrome, recording each
removal (and the rule's name) on the document. Rules hold no portal knowledge: patterns describe how
Chinese portals phrase their chrome in general. Patterns are written in Simplified script and widened
to also match Traditional pages (see `script.tolerant`).
"""
from __future__ import annotations

import re

from ..document import Document, Line
from ..script import compile_tolerant
from .required import required

# A "paragraph" is prose: long enough and ending like a sentence. Chrome sits before the first and
# after the last of these (or is short).
_SENTENCE_END = re.compile(r"[。！？!?；;…”」』\)）.]$")


def is_prose(line: Line, min_len: int = 40) -> bool:
    return (len(line.text) >= min_len and line.link_density < 0.5
            and bool(_SENTENCE_END.search(line.text[-2:])))  # the end only: a '$' search scans it all


_WORD_RUN = re.compile(r"\w+")


def squash_upto(text: str, limit: int, runs: re.Pattern = _WORD_RUN) -> str | None:
    """The text's word characters (the `runs` it is made of), lower-cased, or None as soon as they
    are longer than `limit`: comparing a short line with a 10 MB paragraph stops after its first words
    instead of copying all of it."""
    if len(text) <= 4 * limit + 64:   # (short: one findall is cheaper than stopping early)
        squashed = "".join(runs.findall(text)).lower()
        return squashed if len(squashed) <= limit else None
    parts, size = [], 0
    for m in runs.finditer(text):
        size += m.end() - m.start()
        if size > limit:
            return None
        parts.append(m.group())
    return "".join(parts).lower()


# The answers of each `needs` pattern, shared by the rules that name the same one (the six English
# rules all need a Latin letter: one search per line, not six). Bounded: cleared when full.
_NEEDS_SEEN: dict = {}
_NEEDS_REMEMBERED = 4096


def _remembered(pattern: re.Pattern):
    seen, search = _NEEDS_SEEN.setdefault(pattern, {}), pattern.search

    def test(text: str) -> bool:
        found = seen.get(text)
        if found is None:
            if len(seen) >= _NEEDS_REMEMBERED:
                seen.clear()
            found = seen[text] = search(text) is not None
        return found
    return test


def content_span(lines: list[Line]) -> tuple[int, int]:
    """Index of the first and last prose line; (0, -1) when there is none."""
    idx = [i for i, line in enumerate(lines) if is_prose(line)]
    return (idx[0], idx[-1]) if idx else (0, -1)


class Rule:
    """Base class: subclasses implement `apply` and give themselves a `name` and a `kind`."""
    name: str = "rule"
    kind: str = "chrome"     # what the removed text was: the chrome kind, or meta/title/pull-quote
    description: str = ""

    def apply(self, doc: Document) -> None:
        raise NotImplementedError

    def drop(self, doc: Document, line: Line) -> None:
        doc.remove(self.name, line.text)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class LineRule(Rule):
    """Remove short lines matching a pattern, anywhere or only outside the prose span.

    zone: 'any' | 'outside' (before the first or after the last prose line) | 'tail' (after the last).
    """

    def __init__(self, name: str, pattern: str, kind: str = "chrome", max_len: int = 120,
                 zone: str = "any", flags: int = re.I, description: str = "", needs: str = ""):
        self.name, self.pattern, self.kind, self.max_len = name, pattern, kind, max_len
        self.zone, self.description = zone, description
        self.regex = compile_tolerant(pattern, flags)
        # `needs`: a character class every match contains (each alternative of the pattern), searched
        # first: one quick scan rules out most lines before the pattern's alternation is tried.
        self.needs = compile_tolerant(needs) if needs else None
        self._needs = _remembered(self.needs) if needs else None
        # Without one, what every match must contain, read from the pattern (rules.required).
        self.required = required(self.regex) if self.needs is None else None

    def matches(self, line: Line) -> bool:
        return bool(self._hits([line]))

    def _hits(self, lines: list[Line]) -> set[int]:
        """Indexes of the lines the rule matches: short enough, holding `needs`, matching the pattern
        (the one test, run over all lines at once)."""
        max_len, search = self.max_len, self.regex.search
        needs = self._needs if self._needs is not None else self.required
        return {i for i, line in enumerate(lines) if len(line.text) <= max_len
                and (needs is None or needs(line.text)) and search(line.text)}

    def in_zone(self, i: int, span: tuple[int, int]) -> bool:
        first, last = span
        if self.zone == "any" or last < 0:
            return True
        if self.zone == "tail":
            return i > last
        return i < first or i > last

    def apply(self, doc: Document) -> None:
        hits = self._hits(doc.lines)
        if not hits:
            return
        span = content_span(doc.lines) if self.zone != "any" else (0, -1)
        keep = []
        for i, line in enumerate(doc.lines):
            if i in hits and self.in_zone(i, span):
                self.drop(doc, line)
                self.on_match(doc, line)
            else:
                keep.append(line)
        doc.lines = keep

    def on_match(self, doc: Document, line: Line) -> None:
        """Hook for rules that also capture metadata from the line they remove."""
