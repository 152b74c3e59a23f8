"""Find each removed span of an item in its original page and mark it with its rule.

The item's `removed` entries carry text, not positions, so each is searched for in the page's text:
both sides are compared in a canonical form (NFKC, so full-width and half-width punctuation agree;
case-folded; whitespace ignored). Rules record text in the page's own script (conversion to
Simplified comes later), so no script folding is needed. A span not found whole is tried line by
line, then word by word (pinyin-annotation joins the pieces it found with spaces). Spans go where
the text has not been claimed by another span yet, so two rules never share one character.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from lxml import etree

# Text under these is never visible page text.
_SKIP = {"style", "script", "head", "textarea", "select", "option", "title"}


@dataclass
class Located:
    """Where the removed spans went: for each entry of `removed` (by index), its marks."""
    marks: dict[int, int] = field(default_factory=dict)       # entry index -> number of <mark>s
    missing: list[int] = field(default_factory=list)          # entries not found in the page
    kept_found: int = 0                                       # body lines found in the page
    kept_total: int = 0

    @property
    def found(self) -> int:
        return len(self.marks)


def _canon_char(char: str) -> str:
    if char.isspace() or char in "\u200b\ufeff":
        return ""
    return unicodedata.normalize("NFKC", char).casefold()


class _TextIndex:
    """The page's visible text in canonical form, each canonical character pointing back to the
    (slot, offset) it came from; a slot is an element's .text or .tail."""

    def __init__(self, body):
        self.slots: list[tuple[object, str]] = []
        self.chars: list[str] = []
        self.where: list[tuple[int, int]] = []
        self._walk(body)
        self.text = "".join(self.chars)
        self.claimed = bytearray(len(self.text))
        self.kept = bytearray(len(self.text))
        self.kept_found = 0

    def _walk(self, element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag not in _SKIP:
            self._add(element, "text")
            for child in element:
                if isinstance(child.tag, str):
                    self._walk(child)
                self._add(child, "tail")

    def _add(self, element, attr: str) -> None:
        raw = getattr(element, attr)
        if not raw:
            return
        slot = len(self.slots)
        self.slots.append((element, attr))
        for offset, char in enumerate(raw):
            for canon in _canon_char(char):
                self.chars.append(canon)
                self.where.append((slot, offset))

    def find(self, needle: str, near: tuple[int, int] | None = None) -> int:
        """Start of the best unclaimed occurrence of needle, or -1: one outside the kept lines
        before one inside them (a quote the body still has is not the copy that was removed),
        then the nearest to the span `near`, then the first."""
        best, best_score = -1, None
        start = self.text.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not any(self.claimed[start:end]):
                distance = max(near[0] - end, start - near[1], 0) if near else 0
                score = (any(self.kept[start:end]), distance)
                if best_score is None or score < best_score:
                    best, best_score = start, score
            start = self.text.find(needle, start + 1)
        return best

    def keep(self, lines: list[str]) -> tuple[int, int] | None:
        """Note where the article's kept lines are; returns the span from the first to the last."""
        found = []
        for line in lines:
            at = self.text.find(line)
            if at >= 0:
                self.kept[at:at + len(line)] = b"\x01" * len(line)
                found.append((at, at + len(line)))
        self.kept_found = len(found)
        return (min(a for a, _ in found), max(b for _, b in found)) if found else None


def canonical(text: str) -> str:
    return "".join(_canon_char(c) for c in text)


def mark_removed(body, removed: list[dict], rule_ids: dict[str, int], kept: list[str] = ()) -> Located:
    """Wrap every locatable removed span of `removed` in <mark class=rv-hl data-rule=N data-entry=I>
    inside `body` (an lxml element), and the article's kept lines found there in <mark class=rv-kept>.
    `rule_ids` gives each rule its number (its colour). `kept`: the
    article's body lines; a text found several times is marked outside them if it can be, and
    nearest to them (a headline repeated in the content, not the page's <h1>; a share line under
    the article, not the menu's; a pull quote, not the body paragraph it repeats)."""
    index = _TextIndex(body)
    kept = [c for c in map(canonical, kept) if c]
    near = index.keep(kept)
    located = Located(kept_total=len(kept))
    pieces: list[tuple[int, int, int, dict]] = []   # slot, start, end, the mark's attributes
    for entry, removal in enumerate(removed):
        ranges = []
        for parts, need_all in _attempts(removal.get("text", "")):
            for part in parts:
                at = index.find(part, near)
                if at >= 0:
                    ranges.append((at, at + len(part)))
                    index.claimed[at:at + len(part)] = b"\x01" * len(part)
            if ranges and need_all and len(ranges) < len(parts):
                for at, end in ranges:
                    index.claimed[at:end] = b"\x00" * (end - at)
                ranges = []
            if ranges:
                break
        if not ranges:
            located.missing.append(entry)
            continue
        attrs = {"class": "rv-hl", "data-rule": str(rule_ids[removal.get("rule", "?")]), "data-entry": str(entry)}
        count = 0
        for start, end in ranges:
            for slot, a, b in _slot_ranges(index, start, end):
                pieces.append((slot, a, b, attrs))
                count += 1
        located.marks[entry] = count
    # What the article kept, so that what is neither marked nor kept is what extraction left out.
    located.kept_found = index.kept_found
    for start, end in _runs(bytes(k & (1 - c) for k, c in zip(index.kept, index.claimed))):
        for slot, a, b in _slot_ranges(index, start, end):
            pieces.append((slot, a, b, {"class": "rv-kept"}))
    # Right to left within a slot, so earlier offsets stay valid as the slot is split.
    for slot, a, b, attrs in sorted(pieces, key=lambda p: (p[0], -p[1])):
        _wrap(index.slots[slot], a, b, attrs)
    return located


def _runs(flags: bytes):
    """(start, end) of each run of non-zero bytes."""
    start = None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            yield start, i
            start = None
    if start is not None:
        yield start, len(flags)


def _attempts(text: str):
    """(parts, all needed): the whole span; else its lines (a block whose lines were joined); else
    its words, but only if every one of them is found (a short word alone would match anywhere)."""
    whole = canonical(text)
    if whole:
        yield [whole], True
    lines = [c for c in map(canonical, text.splitlines()) if c]
    if len(lines) > 1:
        yield lines, False
    words = [c for c in map(canonical, text.split()) if len(c) >= 2]
    if len(words) > 1:
        yield words, True


def _slot_ranges(index: _TextIndex, start: int, end: int):
    """Split canonical range [start, end) into raw (slot, from, to) ranges."""
    current = None
    for i in range(start, end):
        slot, offset = index.where[i]
        if current and current[0] == slot:
            current[2] = offset + 1
        else:
            if current:
                yield tuple(current)
            current = [slot, offset, offset + 1]
    if current:
        yield tuple(current)


def _wrap(slot: tuple, a: int, b: int, attrs: dict) -> None:
    element, attr = slot
    raw = getattr(element, attr)
    mark = etree.Element("mark", attrs)
    mark.text = raw[a:b]
    mark.tail = raw[b:]
    setattr(element, attr, raw[:a])
    if attr == "text":
        element.insert(0, mark)
    else:
        element.addnext(mark)
        # lxml's addnext keeps the tail with the element it is called on; make sure ours survives
        mark.tail = raw[b:]
        element.tail = raw[:a]
