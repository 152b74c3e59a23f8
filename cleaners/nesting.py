"""Pages nested deeper than the HTML parser allows.

libxml2 refuses to build trees deeper than 256 levels (more only with huge_tree, which we keep off:
it also lifts the limits that protect against oversized text nodes). Past that depth it stops and
the whole page comes back empty. Broken CMS pages with thousands of unclosed <div>s and hostile
pages both get there, so before giving up we flatten the excess: tags beyond `limit` levels are
dropped, block tags becoming <br> so their text still splits into lines. One linear pass, no
recursion.
"""
from __future__ import annotations

import re

from .html import BLOCK_TAGS

# Kept well under libxml2's 256 so the implicit <html>/<body> and auto-closed tags still fit.
MAX_DEPTH = 200

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)\b[^>]*>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def flatten(html: str, limit: int = MAX_DEPTH) -> str:
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, kept) for every open element
    open_count: dict[str, int] = {}     # how many of each tag are open: closing tags seek them
    kept = 0
    pos = 0
    last_br = False
    for m in _TAG.finditer(html):
        closing, tag = m.group(1), m.group(2).lower()
        if tag in _VOID or m.group(0).endswith("/>"):
            continue
        replacement = None
        if not closing:
            keep = kept < limit
            stack.append((tag, keep))
            open_count[tag] = open_count.get(tag, 0) + 1
            kept += keep
            if not keep:
                replacement = "<br>" if tag in BLOCK_TAGS else ""
        elif open_count.get(tag):
            # Close everything up to the matching open tag, as the parser would.
            while True:
                top, top_kept = stack.pop()
                open_count[top] -= 1
                kept -= top_kept
                if top == tag:
                    break
            if not top_kept:
                replacement = "<br>" if tag in BLOCK_TAGS else ""
        if replacement is not None:
            between = html[pos:m.start()]
            out.append(between)
            # One <br> per run of dropped tags: a line break is all they still mean.
            if replacement and (between.strip() or not last_br):
                out.append(replacement)
                last_br = True
            elif between.strip():
                last_br = False
            pos = m.end()
    out.append(html[pos:])
    return "".join(out)
