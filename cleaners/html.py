"""DOM helpers: parsing, selecting, and turning an element into lines of text in reading order."""
from __future__ import annotations

import functools

import re

import lxml.html
from lxml import etree

from .document import Line, Rejected

# Elements whose text is never article text.
INVISIBLE = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
             "select", "button", "input", "textarea", "form")
BLOCK_TAGS = frozenset("""
address article aside blockquote center dd details dialog div dl dt fieldset figcaption figure footer
form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr td th
ul body html caption
""".split())
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

# The documented page bound (the crawler's DOWNLOAD_MAXSIZE, the command line's MAX_BYTES), in
# characters: a page this size may hold text nodes past libxml2's own 10 MB limit.
MAX_PAGE_CHARS = 20 * 1024 * 1024

_ODD = r"[\t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]"   # every space but ' '
_SPACES = r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]"
# Runs of two or more, or one that is not a plain space: a single ' ' is left alone (in English text
# every word gap would otherwise be a match to rebuild, seconds on a 10 MB paragraph).
_WS = re.compile(rf"{_SPACES}{{2,}}|{_ODD}")


_ODD_SPACE = re.compile(_ODD)


def normalise_space(text: str) -> str:
    """Collapse runs of spaces (including full-width and no-break spaces) and trim."""
    if "  " not in text and not _ODD_SPACE.search(text):
        return text.strip()   # (nothing to collapse: two quick scans instead of the slower sub)
    return _WS.sub(" ", text).strip()


def parse(html: str):
    """Parse HTML leniently; returns the root element (never None for non-empty input)."""
    # XML declarations with an encoding make lxml refuse a str; the text is already decoded.
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    if not html.strip():
        return None
    root, errors = _parse(html)
    if any("Excessive depth" in e for e in errors):
        from .nesting import flatten
        html = flatten(html)
        root, errors = _parse(html)
    if errors and not any("depth" in e for e in errors) and len(html) <= MAX_PAGE_CHARS:
        # A text node over libxml2's 10 MB buffer limit, in a page under the documented size bound:
        # parse it with the limit lifted (the input is bounded, and the HTML parser never expands
        # entities, so nothing here can grow past the page itself).
        root, errors = _parse(html, huge=True)
    if errors:  # libxml2 gave up part way: the tree is missing text, so say why instead
        deep = any("depth" in e for e in errors)
        raise Rejected("too-deep" if deep else "too-large", f"the HTML parser stopped: {errors[0]}")
    return root


# lxml.html's elements (text_content, drop_tree…) chosen in C: lxml.html's own lookup is a Python
# call for every element object created, a tenth of the cleaning time of an ordinary page; its
# form-specific classes are never used here.
_HTML_CLASSES = etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                                pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def _parse(html: str, huge: bool = False):
    """(root, resource-limit errors). huge_tree stays off unless asked: it lifts libxml2's guards
    against oversized text nodes and deep trees; the HTML parser never expands DTD entities."""
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False,
                              huge_tree=huge, no_network=True)
    parser.set_element_class_lookup(_HTML_CLASSES)
    root = lxml.html.document_fromstring(html, parser=parser)
    return root, [e.message for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]


@functools.lru_cache(maxsize=1024)
def _css(selector: str):
    """A CSS selector compiled to XPath once: translating it is most of the cost of a query."""
    from lxml.cssselect import CSSSelector
    return CSSSelector(selector, translator=_translator())


@functools.lru_cache(maxsize=1)
def _translator():
    from cssselect.xpath import is_non_whitespace
    from lxml.cssselect import LxmlHTMLTranslator

    class Translator(LxmlHTMLTranslator):
        """cssselect's HTML translation, with a cheap test before the word test of `.class` and
        `[attr~=word]`: the word is in the attribute whenever it is one of its words, and most elements
        fail contains() before the padded, space-normalised copy of their attribute is built (that copy
        was most of the cost of a profile's selectors)."""

        def xpath_attrib_includes(self, xpath, name, value):
            if value and is_non_whitespace(value):
                word, padded = self.xpath_literal(value), self.xpath_literal(" " + value + " ")
                xpath.add_condition(f"{name} and contains({name}, {word}) "
                                    f"and contains(concat(' ', normalize-space({name}), ' '), {padded})")
            else:
                xpath.add_condition("0")
            return xpath

    return Translator()


@functools.lru_cache(maxsize=1024)
def xpath(expression: str) -> etree.XPath:
    """An XPath expression compiled once (element.xpath() compiles it again on every call)."""
    return etree.XPath(expression)


def select(root, selector: str) -> list:
    """Elements matching a CSS selector, or an XPath expression if it starts with '/' or '('."""
    if not selector or root is None:
        return []
    try:
        if selector.lstrip().startswith(("/", "(", "./")):
            return [e for e in xpath(selector)(root) if isinstance(e, etree._Element)]
        return _css(selector)(root)
    except Exception as exc:  # XPathError, or cssselect's own SelectorError types
        raise ValueError(f"bad selector {selector!r}: {exc}") from exc


def drop(element) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    if element.getparent() is not None:
        element.drop_tree()


# ASP.NET and many CMSs wrap the whole page in one <form>: a form holding this much text is layout.
_FORM_LAYOUT_CHARS = 500


_HIDDEN = etree.XPath('//*[@style and contains(translate(@style," ",""),"display:none")]')


def strip_invisible(root) -> None:
    for el in list(root.iter(*INVISIBLE)):
        if el.tag == "form" and len(el.text_content()) > _FORM_LAYOUT_CHARS:
            continue
        drop(el)
    for el in list(root.iter(etree.Comment)):
        drop(el)
    # Inline display:none is a common way to hide chrome (and SEO stuffing) from readers.
    for el in list(_HIDDEN(root)):
        drop(el)


def text_of(element) -> str:
    if element is None:
        return ""
    return normalise_space(element.text_content())


def element_lines(element) -> list[Line]:
    """Split an element into blocks of text: one Line per paragraph-like block."""
    lines: list[Line] = []
    buf: list[str] = []
    state = {"links": 0, "tag": "p"}

    def flush(tag: str | None = None):
        text = normalise_space("".join(buf))
        if text:
            links = min(state["links"], len(text))
            block_tag = state["tag"]
            lines.append(Line(text=text, tag=block_tag, link_chars=links, heading=block_tag in HEADING_TAGS))
        buf.clear()
        state["links"] = 0
        if tag:
            state["tag"] = tag

    # Iterative walk (an explicit stack, not recursion): a deep tree cannot exhaust Python's stack.
    # ("open", el, in_link) enters an element; ("close", el, in_link) leaves it.
    stack = [("open", element, False)]
    while stack:
        action, el, in_link = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        is_block = tag in BLOCK_TAGS
        if action == "close":
            if is_block:
                flush("p")
            tail = el.tail   # (each read of .text/.tail decodes a new string: once)
            if tail:
                buf.append(tail)
                if in_link:
                    state["links"] += len(normalise_space(tail))
            continue
        if is_block:
            flush(tag)
        if tag == "br":
            flush()
        link = in_link or tag == "a"
        if tag and tag not in INVISIBLE:
            text = el.text
            if text:
                buf.append(text)
                if link:
                    state["links"] += len(normalise_space(text))
        stack.append(("close", el, in_link))
        stack.extend(("open", child, link) for child in reversed(el))
    flush()
    return lines


def tostring(element) -> str:
    return lxml.html.tostring(element, encoding="unicode")
