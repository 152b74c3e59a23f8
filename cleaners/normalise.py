"""Script and whitespace normalisation of an extracted article."""
from __future__ import annotations

import re

from .document import Document
from .html import normalise_space
from .script import conversion_for, is_traditional, to_simplified

# Pinyin left in the text by ruby markup that was flattened before it reached us: 區(qū) -> 區.
_PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ\u0300-\u036f"
PINYIN_ANNOTATION = re.compile(rf"(?<=[\u3400-\u9fff])[(（]([{_PINYIN_LETTERS}]{{1,7}})[)）]")
_TEXT_FIELDS = ("headline", "description", "source", "editor")
_LIST_FIELDS = ("authors", "breadcrumbs", "tags", "pullQuotes")


def strip_pinyin(doc: Document, text: str) -> str:
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
    """Remove flattened pinyin, convert Traditional to Simplified (only when the text is
    Traditional: conversion is the slowest step; `auto` picks t2s, tw2s or hk2s per page), and
    collapse spaces and empty lines."""
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
    return doc
