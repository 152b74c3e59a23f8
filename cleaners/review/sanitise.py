"""The original page made inert for the review: nothing in it can run, load or navigate.

Three layers, so that a miss in one is caught by the next: this allow-list pass over the tree (no
scripts, event handlers, external loads, frames, forms or refreshes survive), a Content-Security-
Policy written into the page, and the sandboxed frame the review shows it in (no allow-scripts).
"""
from __future__ import annotations

import re

from lxml import etree, html as lxml_html

from ..document import Rejected
from ..html import parse

# Dropped with their content: code, embedded documents and media, and what only <head> needs.
_DROP = {"script", "noscript", "template", "iframe", "frame", "frameset", "object", "applet",
         "video", "audio", "picture", "canvas", "portal", "title", "dialog"}
# Empty elements dropped alone: libxml2's HTML parser does not know some of them (<embed>, <source>)
# as empty and nests the rest of the page inside, which must stay.
_DROP_TAG = {"embed", "source", "track", "param", "link", "meta", "base", "keygen"}
# SVG parts that load or rewrite attributes (an <animate> can give a link a new href): made inert
# spans, not dropped, because libxml2's HTML parser does not know them as empty elements and may
# have nested the rest of the page inside one.
_NEUTER = {"use", "image", "feimage", "animate", "set", "animatemotion", "animatetransform", "discard"}
# Kept as plain containers, their inert children shown: a form (ASP.NET pages wrap the whole body
# in one) can no longer submit once it is gone.
_UNWRAP = {"form"}
# Form controls stay visible but disabled.
_CONTROLS = {"input", "button", "select", "textarea"}
# Attributes that name something to load or navigate to.
_URL_ATTRS = {"src", "srcset", "href", "action", "formaction", "background", "poster", "lowsrc",
              "dynsrc", "data", "codebase", "cite", "longdesc", "usemap", "ping", "manifest",
              "xlink:href", "{http://www.w3.org/1999/xlink}href", "imagesrcset", "archive", "profile"}
# Attributes that act on their own (focus, play) or choose where a link opens.
_DROP_ATTRS = {"autofocus", "autoplay", "target", "http-equiv"}
# In style sheets and style attributes: anything that loads (url(), @import, image-set) or runs.
_CSS_LOADS = re.compile(r"@import[^;]*;?|url\s*\([^)]*\)|image-set\s*\([^)]*\)|expression\s*\(|"
                        r"behavior\s*:|-moz-binding", re.I)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.S)

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
       "base-uri 'none'; form-action 'none'")


def sanitise(source: str):
    """The page's <html> element, inert. Raises Rejected when the page cannot be parsed."""
    root = parse(source)
    if root is None:
        raise Rejected("empty", "the page has no HTML content")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):           # comments, processing instructions
            if element.getparent() is not None:
                _remove_keep_tail(element)
            continue
        tag = element.tag.lower().rsplit("}", 1)[-1]
        if tag in _DROP:
            _remove_keep_tail(element)
            continue
        if tag in _DROP_TAG:
            element.drop_tag()
            continue
        if tag in _NEUTER:
            element.tag = "span"
            element.attrib.clear()
            continue
        _clean_attributes(element, tag)
        if tag == "style":
            element.text = _inert_css(element.text or "")
        if tag in _UNWRAP:
            element.tag = "div"
    if root.find("body") is None:
        etree.SubElement(root, "body")
    return root


def _inert_css(css: str) -> str:
    # Escapes are decoded first: `\75 rl(` is `url(` to a CSS parser.
    return _CSS_LOADS.sub("", _CSS_ESCAPE.sub(_unescape, css))


def _unescape(match) -> str:
    code = match.group(1)
    if code is None:
        return match.group(2)
    value = int(code, 16)
    return chr(value) if 0 < value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"


def _clean_attributes(element, tag: str) -> None:
    for name in list(element.attrib):
        low = name.lower()
        if low.startswith("on") or low in _URL_ATTRS or low.startswith("xmlns"):
            value = element.attrib.pop(name)
            if low == "href" and value and not value.strip().lower().startswith(("javascript:", "data:")):
                element.set("title", value)            # where the link went, as a tooltip
            elif low == "src" and tag == "img":
                element.set("data-src", value[:300])
        elif low == "style":
            element.set(name, _inert_css(element.get(name)))
        elif low in _DROP_ATTRS:
            del element.attrib[name]
    if tag in _CONTROLS:
        element.set("disabled", "disabled")
    if tag == "img":
        element.set("class", (element.get("class", "") + " rv-img").strip())


def _remove_keep_tail(element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def to_document(root, head_extra: str = "") -> str:
    """Serialise the inert page as a whole document with our charset, CSP and styles first."""
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    extra = lxml_html.fragments_fromstring(
        f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CSP}">{head_extra}')
    for position, element in enumerate(extra):
        head.insert(position, element)
    return "<!DOCTYPE html>\n" + lxml_html.tostring(root, encoding="unicode", method="html")
