"""A fast, CJK-aware content scorer: find the element that holds the article's prose.

One bottom-up pass over the tree computes, per element, how much text it holds, how much of that is
link text, and how much punctuation (Chinese prose is full of ，。、；, menus have none). Paragraph-like
blocks give their score to the element that holds them (readability's idea, with Chinese punctuation
and old table/<br> layouts in mind); the best holder, penalised by link density and by class/id names
that mean chrome, is the article. Siblings that score like it (a body split into several blocks) join it.
Inside the chosen container, chrome subtrees (link lists, comment/share/related widgets) are dropped.

No page, site or sentence is known here: only the shape of prose versus chrome.
"""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_CJK = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]+")

# Class/id words that mean chrome, and words that mean content (readability's lists, plus the pinyin
# abbreviations Chinese CMSs use: zw = 正文, nr = 内容, wz = 文章).
NEGATIVE = re.compile(
    r"comment|reply|footer|foot\b|sidebar|side\b|share|related|recommend|relate|\bnav|menu|breadcrumb|crumb|"
    r"copyright|banner|sponsor|\bad\b|ads\b|advert|popup|login|toolbar|pager|pagination|\bhot|rank|widget|"
    r"social|subscribe|disclaimer|\btags?\b|masthead|shoutbox|promo|outbrain|taboola|skyscraper|"
    r"friendlink|links\b|guanggao|xgwz|xgxw|tuijian|pinglun|fenxiang")
POSITIVE = re.compile(r"article|\bcontent|\bbody|entry|\bmain|\bpost|\btext|detail|story|\bzw\b|zhengwen|"
                      r"\bnr\b|neirong|wenzhang|\bcon\b|\bcont\b|\bcnt\b|\bbox_con|blog")

# Elements whose paragraph-like text counts as a block of prose.
PARAGRAPHS = frozenset(("p", "pre", "td", "blockquote", "li", "dd", "div", "section", "article", "font",
                        "span", "center", "h2", "h3", "h4"))
CONTAINERS = frozenset(("div", "td", "article", "section", "main", "body", "table", "tbody", "tr", "ul",
                        "ol", "dl", "blockquote", "center", "font", "span", "form", "li", "dd", "pre", "p"))
CHROME_TAGS = frozenset(("nav", "footer", "aside", "header", "menu"))
# Inside the article: picture captions and credits, galleries and carousels, sign-up boxes. Dropped
# when they are a small part of the container (they never decide which container is the article).
INNER_CHROME = re.compile(r"caption|credit|gallery|carousel|slideshow|swiper|signup|sign-up|newsletter")
MIN_PARAGRAPH = 12      # units (a Han character is one, a Latin word about one)


def _units(text: str) -> float:
    """Length in reading units: Han characters count one each, other text about one per word."""
    if text.isascii():   # (constant time: CPython records it)
        return len(text) / 6.0
    cjk = len(_NOT_CJK.sub("", text))  # what is left without the other runs: no per-character work
    return cjk + (len(text) - cjk) / 6.0


_PUNCT_CHARS = "，。！？；、：,.!?;"
_PUNCT = re.compile(f"[{_PUNCT_CHARS}]")


def _punctuation(text: str) -> int:
    """len(_PUNCT.findall(text)); counted per mark in C on long text (no list of 250k matches)."""
    if len(text) < 5000:
        return len(_PUNCT.findall(text))
    return sum(text.count(c) for c in _PUNCT_CHARS)


class Stats:
    __slots__ = ("text", "links", "punct", "score", "own", "prose", "noise", "inline", "inline_links", "labels", "threads", "thread",
                 "item")

    def __init__(self):
        self.text = 0.0     # units of text in the subtree
        self.links = 0.0    # units of text inside <a>
        self.punct = 0      # punctuation marks in the subtree
        self.score = 0.0    # content score collected from paragraphs
        self.own = 0.0      # units of text directly in this element (its text and children's tails)
        self.prose = 0.0    # units of prose paragraphs in the subtree (discounted inside comment widgets)
        self.noise = 0.0    # units of everything else in the subtree (links, labels, widgets)
        self.inline = ""    # for inline elements: their whole text, which belongs to the enclosing block
        self.inline_links = 0.0
        self.labels = 0     # short texts in the subtree that label a comment widget (跟贴, 评论, 回复…)
        self.threads = 0    # comment threads in the subtree (this element included)
        self.thread = False  # this element is a comment thread (see _is_thread)
        self.item = False    # a block other than <p>: can be an entry of a comment thread

    @property
    def link_density(self) -> float:
        return self.links / self.text if self.text else 0.0


COMMENTS = re.compile(r"comment|reply|replies|pinglun|feedback|discuss")
# The words a comment widget prints on its buttons, counters and headings, whatever its class names:
# 网友跟贴 / 128人跟贴 / 发表跟贴 / 登录后发表 / 条评论 / 回复 / 举报 / 盖楼 …
COMMENT_LABEL = re.compile(r"跟[贴帖]|评论|網友|网友|登[录錄]后?[发發]表|[发發]表|回[复覆]|盖楼|楼主|热评|点赞|举报|"
                           r"\bcomments?\b|\brepl(y|ies)\b|\bpost a comment\b", re.I)
LABEL_LEN = 24     # a label is short: a button, a counter, a heading


def _comment_label(text: str) -> bool:
    if text.isascii():   # (only the English words can match: look for them before the alternation)
        low = text.lower()
        if "comment" not in low and "repl" not in low:
            return False
    return bool(COMMENT_LABEL.search(text))
BLOCKS = frozenset(("div", "section", "ul", "ol", "dl", "table", "tbody", "tr", "td", "p", "li", "dd", "form",
                    "nav", "footer", "aside", "header", "menu", "center", "blockquote"))


# The class/id patterns above are lower case and matched against lower-cased names (_names): an
# alternation this long costs three to four times as much under re.I.
def _names(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


@lru_cache(maxsize=8192)
def _negative(names: str) -> bool:
    # (cached: class names repeat on a page)
    return bool(NEGATIVE.search(names))


@lru_cache(maxsize=8192)
def _positive(names: str) -> bool:
    return bool(POSITIVE.search(names))


@lru_cache(maxsize=8192)
def _comments(names: str) -> bool:
    return bool(COMMENTS.search(names))


def _class_weight(el) -> float:
    names = _names(el)
    if not names.strip():
        return 0.0
    weight = 0.0
    if _negative(names):
        weight -= 25
    if _positive(names):
        weight += 25
    return weight


def _multiplier(el) -> float:
    """Chrome names shrink an element's score: a comment thread can hold more prose than the post."""
    names = _names(el)
    if not names.strip() or _positive(names) and not _comments(names):
        return 1.0
    return 0.25 if _negative(names) else 1.0


INLINE = frozenset(("a", "b", "strong", "em", "i", "u", "span", "font", "small", "big", "sub", "sup", "img",
                    "br", "abbr", "cite", "code", "q", "s", "strike", "time", "mark", "label", "nobr", "wbr"))


def measure(root) -> dict:
    """Per element Stats, computed bottom-up in one pass (children before their parent). Inline
    elements without children have none (their text is their parent's; a Stats of zeros each).

    Inline elements are transparent: their text belongs to the nearest enclosing block, which is
    then judged as one paragraph: prose (long enough, punctuated, few links) or noise."""
    stats: dict = {}
    get = stats.get
    for el in reversed(list(root.iter())):
        tag = el.tag
        if not isinstance(tag, str) or tag in INLINE and not len(el):
            continue   # (a comment; or an inline leaf, whose text its parent reads below)
        text = el.text   # (each read of .text/.tail decodes a new string: read once)
        s = Stats()
        own_parts = [text] if text else []
        own_links = 0.0
        inline = tag in INLINE
        s.item = not inline and tag != "p"
        items = 0   # children that look like entries of a comment thread (see _is_thread)
        for child in el:
            cs = get(child)
            if cs is not None:
                s.text += cs.text
                s.links += cs.links
                s.punct += cs.punct
                s.prose += cs.prose
                s.noise += cs.noise
                if cs.labels:
                    s.labels += cs.labels
                    if cs.prose > 0 and cs.item:
                        items += 1
                s.threads += cs.threads
                if cs.inline:
                    own_parts.append(cs.inline)
                    own_links += cs.inline_links
            else:
                child_tag = child.tag
                if isinstance(child_tag, str) and child_tag in INLINE:
                    # An inline leaf (<a>, <b>, <span> with only text) hands its text to this block,
                    # as an inline element's Stats would: read here, no Stats of its own.
                    leaf = child.text
                    if leaf:
                        leaf = "".join(leaf.split())
                        if leaf:
                            own_parts.append(leaf)
                            if child_tag == "a":
                                own_links += _units(leaf)
            tail = child.tail
            if tail:
                own_parts.append(tail)
        own_text = "".join("".join(own_parts).split()) if own_parts else ""  # without whitespace (str.split: no per-gap match)
        # (inline text is judged with its block: counted there once)
        if own_text and not inline and len(own_text) <= LABEL_LEN and _comment_label(own_text):
            s.labels += 1
        if items >= MIN_ITEMS and not inline:
            s.thread = True
            s.threads += 1
        if inline:
            # Hand the text up to the enclosing block; count nothing here.
            s.inline = own_text
            s.inline_links = _units(own_text) if tag == "a" else own_links
            if tag == "a" and s.text:  # blocks inside a link are link text
                s.links = s.text
                s.noise += s.prose
                s.prose = 0.0
            stats[el] = s
            continue
        if own_text:
            units = _units(own_text)
            punct = _punctuation(own_text)
            s.own = units
            s.text += units
            s.links += own_links
            s.punct += punct
            plain = units - own_links
            if plain >= MIN_PARAGRAPH and own_links < 0.3 * units and (punct or plain >= 40):
                s.prose += plain
                s.noise += own_links
            else:
                s.noise += units
        if el.get("class") or el.get("id"):
            names = _names(el)
            if names.strip() and _negative(names) and (_comments(names) or not _positive(names)):
                # Prose inside comment threads, related boxes and sidebars is mostly not the article.
                s.noise += s.prose * 0.8
                s.prose *= 0.2
        stats[el] = s
    return stats


def deep_score(s: Stats) -> float:
    return s.prose - NOISE_COST * s.noise


NOISE_COST = 1.0   # one unit of link/label text costs as much as one unit of prose is worth
GAIN = 1.15        # an ancestor must add this much net prose to replace the chosen block


def _holder(el, s: Stats):
    """The element a paragraph's score goes to: its parent, or itself when it holds the text
    directly (old layouts put the whole article as <br>-separated text in one <td> or <div>)."""
    if el.tag != "p" and s.own >= MIN_PARAGRAPH * 4:
        return el
    return el.getparent()


def score(root, stats: dict) -> None:
    for el, s in stats.items():
        if el.tag not in PARAGRAPHS:
            continue
        direct = s.own if el.tag not in ("p", "pre", "blockquote") else s.text - s.links
        if direct < MIN_PARAGRAPH:
            continue
        own_punct = s.punct if el.tag in ("p", "pre", "blockquote") else max(s.punct * s.own / s.text, 0)
        value = 1 + own_punct + min(direct / 50.0, 6)
        holder = _holder(el, s)
        if holder is None:
            continue
        hs = stats.get(holder)
        if hs is None:
            continue
        hs.score += value
        grand = holder.getparent()
        if grand is not None and grand in stats:
            stats[grand].score += value / 2


def _in_comments(el, stats: dict | None = None) -> bool:
    """Inside a comment thread: an ancestor named comment/reply… (not also named as the article), or
    a thread recognised by its structure and labels (see _is_thread)."""
    parent = el.getparent()
    while parent is not None and parent.tag != "body":
        names = _names(parent)
        if names.strip() and COMMENTS.search(names) and not POSITIVE.search(COMMENTS.sub("", names)):
            return True
        parent = parent.getparent()
    return stats is not None and _labelled_widget(el, stats)


MIN_ITEMS = 3      # a thread has at least this many entries


def _is_thread(el, stats: dict) -> bool:
    """A comment thread by structure and vocabulary, whatever its class names: MIN_ITEMS or more
    block children that each hold some prose and their own comment labels (回复, 举报, 网友…, reply);
    measured in `measure`'s pass."""
    s = stats.get(el)
    return s is not None and s.thread


def _labelled_widget(el, stats: dict) -> bool:
    """The element is a thread, or an entry of one (a thread among its nearest ancestors)."""
    node, depth = el, 0
    while node is not None and node.tag != "body" and depth <= 3:
        if _is_thread(node, stats):
            return True
        node, depth = node.getparent(), depth + 1
    return False


def best_candidate(root, stats: dict):
    best, best_score = None, 0.0
    ranked = []
    for el, s in stats.items():
        if s.score <= 0 or el.tag not in CONTAINERS:
            continue
        total = (s.score + _class_weight(el)) * (1 - s.link_density) * _multiplier(el)
        ranked.append((total, el))
    # A comment in a thread can out-score a short article: candidates inside comment threads count
    # a quarter. Best first, so only candidates that could still win are checked.
    ranked.sort(key=lambda x: -x[0])
    for total, el in ranked:
        if total <= best_score:
            break
        if _in_comments(el, stats):
            total *= 0.25
        if total > best_score:
            best, best_score = el, total
    return best, best_score


def _final(el, stats) -> float:
    s = stats.get(el)
    if s is None:
        return 0.0
    return (s.score + _class_weight(el)) * (1 - s.link_density) * _multiplier(el)


def content_elements(root, stats: dict | None = None):
    """The elements holding the article, in document order, or [] when nothing looks like prose."""
    stats = stats if stats is not None else measure(root)
    score(root, stats)
    top, top_score = best_candidate(root, stats)
    if top is None:
        return [], 0.0
    parent = top.getparent()
    if parent is None:
        return [top], top_score
    # Siblings that score like the candidate, or that are plain prose paragraphs, belong to it.
    threshold = max(10.0, top_score * 0.2)
    chosen = []
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        if sib is top:
            chosen.append(sib)
            continue
        s = stats.get(sib)
        if s is None or s.text == 0 or s.threads:
            continue   # (a sibling holding a comment thread is the widget under the article)
        if _final(sib, stats) >= threshold and _class_weight(sib) >= 0:
            chosen.append(sib)
        elif sib.tag == "p" and s.link_density < 0.25 and (s.text >= 40 or (s.text >= 8 and s.punct)):
            chosen.append(sib)
    return chosen, top_score


def best_subtree(root, stats: dict):
    """The block whose subtree has the most prose net of noise (split bodies are aggregated)."""
    best, best_score = None, 0.0
    for el, s in stats.items():
        if el.tag in INLINE or s.prose <= 0:
            continue
        value = deep_score(s)
        if value > best_score:
            best, best_score = el, value
    return best, best_score


def widen(chosen: list, stats: dict, gain: float = GAIN) -> list:
    """Climb from the chosen block to an ancestor when that adds clearly more prose than noise: a
    body split into blocks by ads or pictures is gathered again."""
    if len(chosen) != 1:
        return chosen
    best = chosen[0]
    best_value = deep_score(stats[best])
    el = best.getparent()
    on_path = 0   # threads the chosen block is an entry of (a blog page's posts): climbing them is fine
    while el is not None and el in stats and el.tag != "body":
        on_path += _is_thread(el, stats)
        if stats[el].threads - on_path > stats[best].threads:
            break   # the ancestor adds a comment thread beside the article: its prose is not the article's
        value = deep_score(stats[el])
        if value > best_value * gain:
            best, best_value = el, value
        el = el.getparent()
    return [best]


def drop_chrome(container, stats: dict) -> list:
    """Subtrees inside the article container that are chrome: returns the removed elements."""
    removed, removed_ids = [], set()
    total = stats[container].text if container in stats else 0.0
    for el in list(container.iter()):
        if el is container or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        s = stats.get(el)
        if s is None or s.text == 0:
            continue
        if _is_removed(el, removed_ids):
            continue
        if (el.tag == "figcaption" or INNER_CHROME.search(_names(el))) and s.text < 0.5 * total:
            removed.append(el)
            removed_ids.add(el)
            continue
        if el.tag not in BLOCKS:
            continue
        weight = _class_weight(el)
        chrome = False
        if el.tag in CHROME_TAGS:
            chrome = True
        elif weight < 0 and (s.text < 0.8 * total or _comments(_names(el))):
            chrome = True
        elif s.threads and s.text < 0.5 * total and el.tag in ("div", "section", "ul", "ol", "form"):
            chrome = True   # a block holding a comment thread with no telling class name
        elif el.tag in ("ul", "ol", "dl", "table", "div", "section", "p", "td", "tr", "span", "font") \
                and s.link_density > 0.5 and s.text < 0.3 * total and s.punct <= 2 + s.text / 60:
            chrome = True
        if chrome:
            removed.append(el)
            removed_ids.add(el)
    return removed


def _is_removed(el, removed_ids) -> bool:
    if not removed_ids:
        return False
    parent = el.getparent()
    while parent is not None:
        if parent in removed_ids:
            return True
        parent = parent.getparent()
    return False


def tostring(el) -> str:
    return etree.tostring(el, encoding="unicode")
