"""Bytes in, text out, for pages whose declarations are often wrong or missing.

Order of evidence: byte-order mark, HTTP header, in-document declaration (meta charset or XML
`encoding=`), then detection. A declaration is only believed if the bytes decode under it; Chinese
legacy names are widened to the superset browsers actually use (GB2312/GBK -> GB18030, Big5 -> Big5-HKSCS).
"""
from __future__ import annotations

import codecs
import re

from .document import Rejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),   # before UTF-16: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# What browsers decode these labels as (WHATWG Encoding Standard, plus Big5 -> HKSCS).
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "csgb2312": "gb18030", "chinese": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "cp950": "big5hkscs",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "utf8": "utf-8", "unicode": "utf-16",
}

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_DOC_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)
_XMLISH_ENCODING = re.compile(rb"""^\s*<[a-z]+[^>]*\sencoding\s*=\s*["']?([\w.:-]+)""", re.I)

_BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"Rar!",
                 b"\xd0\xcf\x11\xe0", b"7z\xbc\xaf", b"BZh", b"\x00\x00\x01\x00", b"OggS", b"ID3", b"RIFF")

# Share of U+FFFD replacement characters above which a decoding is not text.
_MAX_REPLACEMENT = 0.02


def canonical(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None for a label no codec knows."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def declared_encodings(body: bytes, content_type: str = "") -> list[str]:
    """Encodings the transport and the document claim, best evidence first."""
    found = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            return [name]
    match = _HEADER_CHARSET.search(content_type or "")
    if match:
        found.append(match.group(1))
    head = body[:4096]
    for m in _DOC_CHARSET.finditer(head):
        found.append((m.group(1) or m.group(2)).decode("ascii", "ignore"))
    m = _XMLISH_ENCODING.match(head)  # e.g. corpora that wrap pages in <text encoding=...>
    if m:
        found.append(m.group(1).decode("ascii", "ignore"))
    names = []
    for label in found:
        name = canonical(label)
        if name and name not in names:
            names.append(name)
    return names


# Control bytes that text never uses (NUL, C0 except tab/newlines/form feed/escape, DEL). A stray one
# is damage in a text page; this share of the first 4 KB is a binary file (random bytes have ~10%).
_BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0e, 0x1b), *range(0x1c, 0x20), 0x7f])
_BINARY_SHARE = 0.02


def looks_binary(body: bytes) -> bool:
    head = body[:1024].lstrip()
    if any(head.startswith(magic) for magic in _BINARY_MAGIC):
        return True
    if any(body.startswith(b) for b, _ in _BOMS):  # UTF-16/32 text is full of NUL bytes
        return False
    sample = body[:4096]
    binary = len(sample) - len(sample.translate(None, _BINARY_BYTES))   # (counted in C, no list of matches)
    return binary > max(4, _BINARY_SHARE * len(sample))


def _strict(body: bytes, name: str) -> str | None:
    try:
        return body.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


# A decoding that fails on at most this many bytes (or this share of characters) is a damaged page
# in the right encoding, not the wrong encoding.
_FEW_ERRORS, _FEW_ERRORS_SHARE = 8, 0.0005


def _lenient(body: bytes, name: str) -> str | None:
    try:
        text = body.decode(name, errors="replace")
    except LookupError:
        return None
    errors = text.count("\ufffd") - body.count("\ufffd".encode("utf-8"))
    return text if errors <= max(_FEW_ERRORS, len(text) * _FEW_ERRORS_SHARE) else None


def _replacement_ratio(text: str) -> float:
    return text.count("\ufffd") / max(len(text), 1)


def decode(body: bytes | str, content_type: str = "") -> tuple[str, str]:
    """Return (text, codec name), without NUL characters (stray ones are damage, not text).
    Raises Rejected('empty' | 'binary' | 'decode-failed')."""
    text, name = _decode(body, content_type)
    return text.replace("\x00", ""), name


def _decode(body: bytes | str, content_type: str = "") -> tuple[str, str]:
    if isinstance(body, str):
        return body, "unicode"
    if not body.strip():
        raise Rejected("empty", "the response has no body")
    if looks_binary(body):
        raise Rejected("binary", "the response is not text (" + repr(body[:8])[2:-1] + "...)")
    declared = declared_encodings(body, content_type)
    for name in declared:
        text = _strict(body, name)
        if text is not None:
            return text, name
    # No declaration held: try what Chinese pages use, most specific first. UTF-8 almost never
    # decodes non-UTF-8 bytes without error; GB18030 accepts most byte strings, so it goes after.
    for name in ("utf-8", "gb18030", "big5hkscs"):
        text = _strict(body, name)
        if text is not None and (name == "utf-8" or _mostly_cjk_or_ascii(text)):
            return text, name
    # Nothing decodes strictly. Pages are often damaged in a few places (a title cut in the middle
    # of a double-byte character, one stray byte): a declaration, or UTF-8/GB18030, that fails on
    # only a handful of bytes is still right for the rest of the page.
    for name in (*declared, "utf-8", "gb18030"):
        text = _lenient(body, name)
        if text is not None and (name in declared or name == "utf-8" or _mostly_cjk_or_ascii(text)):
            return text, name
    detected = _detect(body)
    candidates = [n for n in (*declared, detected, "utf-8", "gb18030") if n]
    best = min(((body.decode(n, errors="replace"), n) for n in dict.fromkeys(candidates)),
               key=lambda pair: _replacement_ratio(pair[0]))
    if _replacement_ratio(best[0]) > _MAX_REPLACEMENT:
        raise Rejected("decode-failed", "no encoding decodes this page (declared: "
                       + (", ".join(declared) or "none") + ")")
    return best


def _mostly_cjk_or_ascii(text: str) -> bool:
    """Guard against GB18030/Big5 'succeeding' on bytes of another encoding: the result must be
    ASCII plus common CJK, not a spray of rare ideographs and symbols."""
    non_ascii = _ASCII_RUNS.sub("", text)
    if not non_ascii:
        return True
    common = len(non_ascii) - len(_COMMON_CJK.sub("", non_ascii))
    return common / len(non_ascii) > 0.9


# (counted by deleting runs in C: a loop over the characters of a 10 MB page took seconds)
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_COMMON_CJK = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026\u00b7]+")


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # detection is optional; the fallbacks above cover Chinese pages
        return None
    best = from_bytes(body[:200_000]).best()
    return canonical(best.encoding) if best else None
