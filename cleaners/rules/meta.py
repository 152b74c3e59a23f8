"""Rules that remove metadata lines from the body and keep what they say as fields."""
from __future__ import annotations

import re

from .. import dates
from ..document import Document, Line
from ..script import compile_tolerant
from .base import LineRule, Rule, content_span, squash_upto

_SEP = r"\s*[:：|｜/]\s*"
# A name, or names separated by spaces; a following 'label：' is the next field, not a name.
_NAME = r"(?P<value>[^\s|｜,，;；:：()（）\[\]【】]{1,30}(?:\s+[\u4e00-\u9fff·]{2,4}(?![\u4e00-\u9fff]*\s*[:：|｜]))*)"

# Field extractors used on meta lines: label, separator, value. The value stops at the next label.
FIELD_PATTERNS = {
    "source": compile_tolerant(r"(?:来源|稿源|出处|来自|转自|转载自)" + _SEP + r"(?P<value>[^\s|｜]{1,40})"),
    "editor": compile_tolerant(r"(?:责任编辑|编辑|责编|编审|校对)" + _SEP + _NAME),
    # Reporters are often named with just a space: "记者 张三 李四".
    "authors": compile_tolerant(r"(?:(?:作者|撰稿|撰文|记者|通讯员|文|发布者|发布人)" + _SEP + r"|(?:记者|作者|通讯员)\s+)" + _NAME),
}
# A line is a meta line when it starts with one of these labels (or is a bare date line).
META_LABEL = compile_tolerant(
    r"^\s*[【\[(（]?\s*(发布时间|发布日期|发表时间|更新时间|时间|日期|来源|稿源|出处|作者|撰稿|记者|通讯员|"
    r"责任编辑|编辑|责编|编审|校对|浏览|阅读|点击|字号|发布者|发布人|信息来源|文章来源|分类|栏目)\s*[:：|｜]")
BREADCRUMB_LABEL = compile_tolerant(r"^\s*(您现在的位置|您的位置|您当前的位置|当前位置|所在位置|现在位置|位置)\s*[:：]\s*")
BREADCRUMB_BARE = re.compile(r"^\s*(首页|首頁|主页|网站首页|Home)\s*[>»›→＞/]")
CRUMB_SPLIT = re.compile(r"\s*[>»›→＞]+\s*|\s+/\s+")
TAGS = compile_tolerant(r"^\s*(标签|关键词|关键字|tags?)\s*[:：]\s*(?P<value>.+)$", re.I)
TAG_SPLIT = re.compile(r"[\s,，、|｜;；]+")


def capture_fields(doc: Document, text: str) -> bool:
    """Copy every field the line states into the document; True if any was found."""
    found = False
    for name, rx in FIELD_PATTERNS.items():
        m = rx.search(text)
        if m:
            value = m.group("value").strip()
            doc.set_default(name, split_names(value) if name == "authors" else value)
            found = True
    if doc.profile is not None:
        for name, rx in doc.profile.patterns.items():
            m = rx.search(text)
            if m:
                doc.set_default(name, m.group("value").strip())
                found = True
    parsed = dates.parse_date(text)
    if parsed:
        doc.set_default("datePublished", parsed[0])
        doc.set_default("datePublishedRaw", parsed[1])
        found = True
    return found


# Role words that precede names in bylines ("作者：记者 张三"); they are not names.
_ROLES = frozenset("记者 通讯员 实习生 实习记者 特约记者 摄影 摄 文 图 作者 编辑 本报记者 首席记者".split())


def split_names(value: str) -> list[str]:
    return [n for n in re.split(r"[\s,，、;；]+", value) if n and n not in _ROLES]


class MetaLineRule(Rule):
    """Lines that state date, source, author or editor: removed, their values kept as fields.

    A line qualifies when it starts with a meta label, or, before the first prose paragraph, when it
    is short and holds a date or a portal-specific meta pattern.
    """
    name = "meta-line"
    kind = "meta"
    description = "发布时间/来源/作者/编辑 lines"
    max_len = 160

    def is_meta(self, doc: Document, line: Line, in_head: bool) -> bool:
        text = line.text
        if len(text) > self.max_len:
            return False
        if META_LABEL.search(text):
            return True
        if doc.profile is not None and any(rx.search(text) for rx in doc.profile.patterns.values()):
            return True
        if in_head and len(text) <= 60 and dates.parse_date(text):
            return True
        # "编辑 | 某某" style bylines at the end of a post.
        return len(text) <= 40 and any(rx.match(text.strip()) for rx in FIELD_PATTERNS.values())

    def apply(self, doc: Document) -> None:
        first, _ = content_span(doc.lines)
        keep = []
        for i, line in enumerate(doc.lines):
            if self.is_meta(doc, line, in_head=i < first):
                capture_fields(doc, line.text)
                self.drop(doc, line)
            else:
                keep.append(line)
        doc.lines = keep


class BreadcrumbRule(LineRule):
    """'您现在的位置: 首页 > 新闻 > …' lines: removed, kept as `breadcrumbs`."""

    def __init__(self):
        super().__init__("breadcrumbs", BREADCRUMB_LABEL.pattern + "|" + BREADCRUMB_BARE.pattern,
                         kind="meta", max_len=200, description="you-are-here trails")

    def on_match(self, doc: Document, line: Line) -> None:
        doc.set_default("breadcrumbs", split_breadcrumbs(line.text))


def split_breadcrumbs(text: str) -> list[str]:
    text = BREADCRUMB_LABEL.sub("", text)
    return [c for c in CRUMB_SPLIT.split(text.strip()) if c]


class TagsRule(LineRule):
    """'标签: a b' lines: removed, kept as `tags`."""

    def __init__(self):
        super().__init__("tags", TAGS.pattern, kind="meta", max_len=150, description="tag lines")

    def on_match(self, doc: Document, line: Line) -> None:
        m = TAGS.search(line.text)
        if m:
            doc.set_default("tags", [t for t in TAG_SPLIT.split(m.group("value")) if t])


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


class HeadlineRepeatRule(Rule):
    """The headline printed again inside the content container."""
    name = "headline"
    kind = "title"
    description = "repeated article title"

    def apply(self, doc: Document) -> None:
        headline = _squash(doc.fields.get("headline") or "")
        if not headline:
            return
        first, _ = content_span(doc.lines)
        keep = []
        for i, line in enumerate(doc.lines):
            if i <= max(first, 0) and squash_upto(line.text, len(headline)) == headline:
                self.drop(doc, line)
            else:
                keep.append(line)
        doc.lines = keep


RULES = (BreadcrumbRule(), HeadlineRepeatRule(), TagsRule(), MetaLineRule())
