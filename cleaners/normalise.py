"""Script, whitespace and control-character normalisation of an extracted article."""
from __future__ import annotations

import re

from .document import Document, Line
from .html import normalise_space
from .script import conversion_for, is_traditional, to_simplified

# Pinyin left in the text by ruby markup that was flattened before it reached us: 區(qū) -> 區.
_PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ\u0300-\u036f"
PINYIN_ANNOTATION = re.compile(rf"(?<=[\u3400-\u9fff])[(（]([{_PINYIN_LETTERS}]{{1,7}})[)）]")
_TEXT_FIELDS = ("headline", "description", "source", "editor")
_LIST_FIELDS = ("authors", "breadcrumbs", "tags", "pullQuotes")

# Terminal escape sequences (CSI `ESC [ … m`, OSC `ESC ] … BEL`, two-byte `ESC x`, 8-bit CSI) pasted
# into pages from logs and consoles: their letters would survive the control-character strip.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]"
                   r"|\x9b[0-?]*[ -/]*[@-~]")
# Everything str.splitlines() breaks on is a paragraph break or nothing: a feed record must stay on
# one line for line-based readers, and a text field must not smuggle in fake line structure.
_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")
# C0/C1 controls (tab and the separators FS/GS/RS/US and VT/FF read as a space: they separate
# words), bidi embeddings/overrides/isolates and marks (they can reorder what a reader sees).
_AS_SPACE = re.compile("[\t\x0b\x0c\x1c-\x1f]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_controls(text: str, newlines: bool = False) -> str:
    """Text without terminal escapes, control or bidi characters; line separators become '\\n' when
    `newlines` (the article body) and a space otherwise (one-line fields)."""
    if not _ANY_CONTROL.search(text):  # the usual case: one scan, no copies
        return text
    text = _ANSI.sub("", text)
    text = _BREAKS.sub("\n", text)
    text = _AS_SPACE.sub(" ", text)
    text = _CONTROLS.sub("", text)
    return text if newlines else text.replace("\n", " ")


def _clean_lines(lines: list[Line]) -> list[Line]:
    """Each line cleaned; a line holding line separators becomes several paragraphs."""
    out = []
    for line in lines:
        text = clean_controls(line.text, newlines=True)
        if "\n" not in text:
            line.text = text
            out.append(line)
            continue
        for part in text.split("\n"):
            out.append(Line(part, tag=line.tag, link_chars=min(line.link_chars, len(part)), heading=line.heading))
    return out


def _clean_value(value):
    if isinstance(value, str):
        return clean_controls(value)
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_value(v) for k, v in value.items()}
    return value


def clean_fields(doc: Document) -> None:
    """Every text the item will carry (body, metadata, removed text) free of control characters."""
    doc.lines = _clean_lines(doc.lines)
    for key, value in doc.fields.items():
        if not key.startswith("_"):
            doc.fields[key] = _clean_value(value)
    doc.removed = [{k: _clean_value(v) for k, v in entry.items()} for entry in doc.removed]


def strip_pinyin(doc: Document, text: str) -> str:
    if "(" not in text and "（" not in text:   # (two scans in C, not a lookbehind at every character)
        return text
    found = PINYIN_ANNOTATION.findall(text)
    if not found:
        return text
    doc.remove("pinyin-annotation", " ".join(found))
    return PINYIN_ANNOTATION.sub("", text)


def _map_fields(doc: Document, fn) -> None:
    for line in doc.lines:
        line.text = fn(line.text)
    for key in _TEXT_FIELDS:
        if isinstance(doc.fields.get(key), str):
            doc.fields[key] = fn(doc.fields[key])
    for key in _LIST_FIELDS:
        if isinstance(doc.fields.get(key), list):
            doc.fields[key] = [fn(v) for v in doc.fields[key]]


def normalise(doc: Document, convert: str | None = "auto") -> Document:
    """Strip control characters, remove flattened pinyin, convert Traditional to Simplified (only
    when the text is Traditional: conversion is the slowest step; `auto` picks t2s, tw2s or hk2s per
    page), and collapse spaces and empty lines."""
    clean_fields(doc)
    _map_fields(doc, lambda t: strip_pinyin(doc, t))
    sample = (doc.fields.get("headline") or "") + "".join(line.text for line in doc.lines[:20])
    if convert and is_traditional(sample):
        if convert == "auto":
            convert = conversion_for(doc, "".join(line.text for line in doc.lines))[0]
        _map_fields(doc, lambda t: to_simplified(t, convert))
        doc.fields["scriptConverted"] = "zh-Hant->zh-Hans"
        doc.fields["scriptConversion"] = convert
    _map_fields(doc, normalise_space)
    doc.lines = [line for line in doc.lines if line.text]
    for key in _LIST_FIELDS:
        if isinstance(doc.fields.get(key), list):
            doc.fields[key] = [v for v in doc.fields[key] if not isinstance(v, str) or v]
    return doc
