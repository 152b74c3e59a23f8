"""Trees of sample pages, and the CSS selectors that name an element the same way on every page."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..document import Rejected
from ..encoding import decode
from ..html import BLOCK_TAGS, parse, select, strip_invisible, text_of
from ..script import _read_char_table

_SPACE = re.compile(r"\s+")
# Class names that are state or layout, not a name for what the element holds.
_LAYOUT_CLASS = re.compile(r"^(fl|fr|left|right|clear|clearfix|clr|wrap|container|row|col(-\w+)?|active|on|cur|"
                           r"current|hide|show|hidden|first|last|odd|even|fix|box|main|w\d+|mt\d+|mb\d+)$", re.I)
# ids and classes made of a running number (post-1862, art_4567) differ on every page.
_VARYING = re.compile(r"\d{3,}")
_IDENT = re.compile(r"^-?[A-Za-z_][\w-]*$")


def squash(text: str) -> str:
    return _SPACE.sub("", text or "")


@lru_cache(maxsize=1)
def _t2s() -> dict[int, str]:
    return {ord(k): v[0] for k, v in _read_char_table("TSCharacters.txt").items() if v}


def norm(text: str) -> str:
    """Comparison form: Simplified script (character by character: fast, and enough to compare
    what generic mode printed with the page's own text), no whitespace."""
    return squash((text or "").translate(_t2s()))


@dataclass
class Tree:
    """A sample page parsed as the cleaners see it: ruby annotations, scripts and hidden parts gone."""
    sample: object
    root: object
    depth: dict = field(default_factory=dict)

    @classmethod
    def of(cls, sample) -> "Tree | None":
        try:
            html, _ = decode(sample.body, sample.content_type)
            root = parse(html)
        except (Rejected, RecursionError, ValueError):
            return None
        if root is None:
            return None
        for el in list(root.iter("rt", "rp")):
            el.drop_tree()
        strip_invisible(root)
        tree = cls(sample, root)
        stack = [(root, 0)]
        while stack:
            el, d = stack.pop()
            tree.depth[el] = d
            stack.extend((c, d + 1) for c in el if isinstance(c.tag, str))
        return tree

    def select(self, selector: str) -> list:
        try:
            return select(self.root, selector)
        except ValueError:
            return []


def own_handles(el) -> list[str]:
    """Simple selectors naming `el` by what it is: tag#id, tag.class (stable-looking ones only)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag:
        return []
    out = []
    ident = (el.get("id") or "").strip()
    if ident and _IDENT.match(ident) and not _VARYING.search(ident):
        out.append(f"{tag}#{ident}")
    for cls in (el.get("class") or "").split():
        if _IDENT.match(cls) and not _VARYING.search(cls) and not _LAYOUT_CLASS.match(cls):
            out.append(f"{tag}.{cls}")
    return out


def ancestors(el):
    el = el.getparent()
    while el is not None:
        yield el
        el = el.getparent()


def candidates(el, suffix: str = "", positional: bool = True) -> list[str]:
    """Selectors for `el` (plus `suffix`, e.g. ' a'), most specific first: the nearest named ancestor
    with el's own name, el's own name alone, and a tag path from the nearest named ancestor (with
    :nth-of-type steps only if `positional`: a position that holds on the samples often does not
    hold on the next page)."""
    own = own_handles(el)
    named = next((a for a in ancestors(el) if own_handles(a) and a.tag not in ("html", "body")), None)
    outer = own_handles(named)[:2] if named is not None else []
    out = [f"{o} {h}" for o in outer for h in own] + own
    if not own:
        paths = [_tag_path(el, named), _tag_path(el, named, positional=False)]
        for path in dict.fromkeys(p for p in paths if p and (positional or "nth-of-type" not in p)):
            out += [f"{o} {path}" for o in outer] or [path]
    seen, result = set(), []
    for s in out:
        s += suffix
        if s not in seen:
            seen.add(s)
            result.append(s)
    return result


def _tag_path(el, stop, positional: bool = True) -> str:
    """'tr:nth-of-type(2) > td' style path from `stop` (exclusive) down to el, at most 4 steps;
    without positions, a descendant chain of tags ('ul li a')."""
    steps = []
    node = el
    while node is not None and node is not stop and node.tag not in ("html", "body") and len(steps) < 4:
        parent = node.getparent()
        same = [c for c in parent if c.tag == node.tag] if parent is not None else [node]
        steps.append(node.tag if len(same) == 1 or not positional else f"{node.tag}:nth-of-type({same.index(node) + 1})")
        node = parent
    return (" > " if positional else " ").join(reversed(steps))


def block_holders(tree: Tree, lines: list[str]) -> list:
    """For each line, the deepest block element whose text contains it (None when not found or
    found in two unrelated places)."""
    blocks = [(el, norm(el.text_content())) for el in tree.root.iter()
              if isinstance(el.tag, str) and el.tag in BLOCK_TAGS]
    out = []
    for line in lines:
        probe = norm(line)[:24]
        found = [el for el, text in blocks if probe and probe in text]
        if not found:
            out.append(None)
            continue
        deepest = max(found, key=lambda e: tree.depth.get(e, 0))
        unrelated = [e for e in found if e is not deepest and deepest not in e.iterdescendants()]
        out.append(None if unrelated else deepest)
    return out


def common_ancestor(elements: list):
    elements = [e for e in elements if e is not None]
    if not elements:
        return None
    chain = [elements[0], *ancestors(elements[0])]
    common = set(chain)
    for el in elements[1:]:
        common &= {el, *ancestors(el)}
    return next((a for a in chain if a in common), None)


def contains(outer, inner) -> bool:
    return inner is outer or any(a is outer for a in ancestors(inner))


__all__ = ["Tree", "ancestors", "block_holders", "candidates", "common_ancestor", "contains", "norm",
           "own_handles", "squash", "text_of"]
