"""Bounded work per page.

Every cleaning step is linear in the page, but with a cost per element (extraction walks the tree
several times) and per line (each named rule looks at every line): a page of a million <br> lines
took 46 s, one of 200k paragraphs 25 s. No article needs that many: pages past these bounds are
rejected as `too-slow` before the expensive steps run, so no page holds a crawl for more than about
2 s of cleaning on a 2-core machine (figures in BENCHMARKS.md). Both bounds are Cleaner options.
"""
from __future__ import annotations

from lxml import etree

from .document import Rejected

# Elements in the parsed page: the heaviest real portal pages have a few thousand.
MAX_ELEMENTS = 20_000
# Lines (paragraphs, table cells, list entries) in the extracted content, which every rule reads.
MAX_LINES = 5_000


_COUNT = etree.XPath("count(//*)")


def element_count(root) -> int:
    return int(_COUNT(root))  # counted in C: 0.1 s for a million elements


def check_elements(root, limit: int = MAX_ELEMENTS) -> None:
    n = element_count(root)
    if limit and n > limit:
        raise Rejected("too-slow", f"the page has {n} elements; cleaning is bounded to pages of at most "
                                   f"{limit} (no article needs more)")


def check_lines(lines: list, limit: int = MAX_LINES) -> None:
    if limit and len(lines) > limit:
        raise Rejected("too-slow", f"the content has {len(lines)} lines; cleaning is bounded to "
                                   f"{limit} lines a page (no article needs more)")
