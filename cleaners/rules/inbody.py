"""Chrome that sits inside the article container without a class name to give it away: promotional
blocks in the middle of the text, disclaimers, photo captions, self-media credit lines, 原标题 lines,
quotes that repeat the body, and the source/editor footer closing the article.

They are recognised by how such lines are phrased and how short they are, never by a site's sentence.
"""
from __future__ import annotations

import re
from collections import Counter

from ..document import Document, Line
from ..script import compile_tolerant, han_count
from .base import LineRule, Rule, is_prose, squash_upto
from .required import required
from .meta import capture_fields, split_names

# -- promotional blocks -----------------------------------------------------------------------------
# A bracketed heading of an advertisement or a business notice: 【招商合作】, 【广告】, [商务热线] …
PROMO_HEADING = compile_tolerant(
    r"^\s*[【\[〖]\s*[^】\]〗]{0,8}(招商|广告|推广|合作|加盟|热线|商务|投稿|订阅|报名|招聘|赞助|联系)[^】\]〗]{0,8}[】\]〗]")
# Lines of such a block: phone/hotline/contact fields, QR-code and follow-us calls.
PROMO_LINE = compile_tolerant(
    r"(热线|电话|手机|微信|联系人|咨询|地址|邮箱|传真|QQ)\s*[:：]|扫码|扫一扫|长按.{0,8}(识别|二维码|关注)|二维码"
    r"|关注.{0,10}(公众号|微信|视频号|抖音|我们)|下载.{0,12}(客户端|APP)|客户端.{0,6}下载|(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)|(?<!\d)[48]00[-\s]?\d{3,4}[-\s]?\d{3,4}(?!\d)", re.I)

# What every PROMO_LINE match holds (rules.required), looked for first: most lines hold none of it.
_may_promo = required(PROMO_LINE) or (lambda text: True)


class InBodyPromoRule(Rule):
    """A promo heading (【招商…】) and the short lines under it, up to the next paragraph of prose;
    short 扫码/关注/热线/phone lines anywhere in the body, with the short lines between two of them."""
    name = "promo-block"
    kind = "chrome"
    description = "advertising and business-contact blocks inside the article"
    max_len, max_gap = 80, 4

    def apply(self, doc: Document) -> None:
        lines, drop, anchors = doc.lines, set(), []
        for i, line in enumerate(lines):
            text = line.text
            if PROMO_HEADING.search(text) and len(text) <= 200:
                drop.add(i)
                j = i + 1
                while j < len(lines) and len(lines[j].text) <= self.max_len and not is_prose(lines[j], 25):
                    drop.add(j)
                    j += 1
            elif len(text) <= self.max_len and _may_promo(text) and PROMO_LINE.search(text) and not _sentence_like(text):
                anchors.append(i)
        drop.update(anchors)
        for a, b in zip(anchors, anchors[1:]):
            if b - a <= self.max_gap and all(len(lines[k].text) <= self.max_len for k in range(a + 1, b)):
                drop.update(range(a + 1, b))
        for k in sorted(drop):
            self.drop(doc, lines[k])
        doc.lines = [line for k, line in enumerate(lines) if k not in drop]


def _sentence_like(text: str) -> bool:
    """Prose mentioning a phone or an account ('市民可拨打热线咨询。') rather than a contact field."""
    return len(text) >= 30 and bool(re.search(r"[，,].*[。！？]$", text))


# -- disclaimers --------------------------------------------------------------------------------
DISCLAIMER_HEADING = compile_tolerant(r"^\s*[【\[〖(（]\s*(免责声明|特别声明|郑重声明|版权声明|声明)\s*[】\]〗)）]\s*[:：]?")


class BracketedDisclaimerRule(Rule):
    """【免责声明】 paragraphs; a heading alone on its line takes the statement under it along."""
    name = "disclaimer"
    kind = "chrome"
    description = "【免责声明】 / 【特别声明】 paragraphs"

    def apply(self, doc: Document) -> None:
        drop = set()
        for i, line in enumerate(doc.lines):
            m = DISCLAIMER_HEADING.search(line.text)
            if not m:
                continue
            drop.add(i)
            if not line.text[m.end():].strip() and i + 1 < len(doc.lines) and len(doc.lines[i + 1].text) <= 400:
                drop.add(i + 1)
        for k in sorted(drop):
            self.drop(doc, doc.lines[k])
        doc.lines = [line for k, line in enumerate(doc.lines) if k not in drop]


# -- photo captions -----------------------------------------------------------------------------
CAPTION = LineRule(
    "caption",
    r"^\s*[▲△↑▼▽]|^\s*[(（]?\s*图\s*为|^\s*[(（]?\s*(图片?|照片|配图)\s*[:：]|^\s*[(（]?\s*(图片来源|图源|图片提供|摄影)\s*[:：|｜]"
    r"|(记者|通讯员|特约|本报)?\s*[\u4e00-\u9fff·]{2,4}\s*[/／]?\s*(摄|摄影|供图)\s*[)）]?\s*$|[(（]\s*(图片来源|图源|资料图)[^)）]{0,30}[)）]\s*$",
    max_len=90, needs="[▲△↑▼▽图照摄]", description="photo captions and credits (▲…, 图为…, …摄, 图片来源)")


# -- self-media credit lines ----------------------------------------------------------------------
_ROLE = (r"(文字|文案|撰文|作者|文|图片|图文|摄影|摄像|视频|剪辑|配音|设计|美编|排版|编排|校对|审核|审校|初审|复审|终审|"
         r"责编|责任编辑|编辑|主编|监制|出品|统筹|策划|制作|记者|通讯员|来源|翻译|插画|海报)")
_CREDIT = _ROLE + r"\s*[|｜丨/:：]\s*[^|｜丨/:：\s]{1,16}"
CREDIT_LINE = compile_tolerant(r"^\s*(" + _CREDIT + r")(\s+" + _CREDIT + r"|\s+[\u4e00-\u9fff·]{2,4})*\s*$")
# Which credits name a field: the writer, the editor, the source.
_CREDIT_FIELDS = (("authors", compile_tolerant(r"(?:文字|撰文|作者|记者|(?<![\u4e00-\u9fff])文)\s*[|｜丨/:：]\s*(?P<value>[^|｜丨/:：\s]{1,16}(?:\s+[\u4e00-\u9fff·]{2,4})*)")),
                  ("editor", compile_tolerant(r"(?:责编|责任编辑|编辑)\s*[|｜丨/:：]\s*(?P<value>[^|｜丨/:：\s]{1,16})")),
                  ("source", compile_tolerant(r"(?:来源)\s*[|｜丨/:：]\s*(?P<value>[^|｜丨/:：\s]{1,20})")))


class CreditLineRule(Rule):
    """'文字 | 某某  审核 | 某某' production credits of self-media posts; writer, editor and source kept."""
    name = "credit-line"
    kind = "meta"
    description = "self-media credit lines (文字 | …, 审核 | …, 责编 | …, 排版 | …)"
    max_len = 80

    def apply(self, doc: Document) -> None:
        keep = []
        for line in doc.lines:
            if len(line.text) <= self.max_len and CREDIT_LINE.search(line.text):
                for name, rx in _CREDIT_FIELDS:
                    m = rx.search(line.text)
                    if m:
                        value = m.group("value").strip()
                        doc.set_default(name, split_names(value) if name == "authors" else value)
                self.drop(doc, line)
            else:
                keep.append(line)
        doc.lines = keep


ORIGINAL_TITLE = LineRule(
    "original-title", r"^\s*[(（【\[]?\s*原标题\s*[:：]", kind="meta", max_len=120,
    description="原标题：… lines (the title the story had where it was first published)")


# -- quotes repeating the body --------------------------------------------------------------------
_LETTERS = re.compile(r"[^\W_]+")


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _chinese_sentence(text: str) -> bool:
    """A whole Chinese sentence (a repeated label, name or list entry is not a quote)."""
    # (the end first, then 20 Han characters among the first 40 before counting them all)
    return (text.strip().endswith(_CLOSES_SENTENCE) and len(text) >= 20
            and (han_count(text[:40]) >= 20 or han_count(text) >= 20))


# How a sentence ends: 。！？, and the closing quote after it if any.
_CLOSES_SENTENCE = tuple(end + quote for end in "。！？" for quote in ("", "”", "」", "』"))
# A sentence ends after 。！？ and the closing quote that follows it, if any.
_SENTENCE_END = re.compile(r"[。！？][”」』]?")


def _sentences(text: str):
    """The text cut after every sentence end (the last piece may be empty). A scan for the end
    marks, not a lookbehind tried at every position: 10 MB of prose split in milliseconds."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        yield text[start:m.end()]
        start = m.end()
    yield text[start:]


class RepeatedQuoteRule(Rule):
    """A short line whose words are all in another, longer paragraph: a highlight or block quote
    repeating a sentence of the body (kept as `pullQuotes`)."""
    name = "repeated-quote"
    kind = "pull-quote"
    description = "block quotes and highlights that repeat a sentence of the body"
    min_len, max_len = 15, 150
    window = 15   # a highlight sits near the paragraph it repeats
    quick = True  # rule out candidates found in no other line before counting (the test turns it off)

    def _near(self, lines: list, squashed: dict, i: int, s: str) -> bool:
        """Part of a longer paragraph close by (bounded, so huge pages stay linear). `squashed`
        caches each line's words, computed when first needed."""
        lo, hi = max(0, i - self.window), min(len(lines), i + self.window + 1)
        for j in range(lo, hi):
            if j == i:
                continue
            if j not in squashed:
                squashed[j] = _squash(lines[j].text)
            if len(squashed[j]) > len(s) * 1.3 and s in squashed[j]:
                return True
        return False

    def apply(self, doc: Document) -> None:
        lines = doc.lines
        headline = squash_upto(doc.fields.get("headline") or "", self.max_len, _LETTERS)
        # Each line's words when it is short enough to be a quote (None otherwise): the work per
        # line stops at max_len characters, whatever the length of the line.
        short = [squash_upto(line.text, self.max_len, _LETTERS) for line in lines]
        candidates = [i for i, s in enumerate(short)
                      if s is not None and len(s) >= self.min_len and s != headline and lines[i].link_chars == 0
                      and (lines[i].tag == "blockquote" or _chinese_sentence(lines[i].text))]
        if not candidates:
            return
        if self.quick:
            # A quote's words are in another line as well (a sentence of it, or a longer paragraph
            # nearby): a candidate found once among all the lines' words run together is none.
            # ('σ'/'ς': lower-casing a word cut out of a line may give the other sigma.)
            together = "\n".join(w if w is not None else _squash(line.text) for w, line in zip(short, lines))
            candidates = [i for i in candidates if together.count(short[i]) >= 2 or "σ" in short[i] or "ς" in short[i]]
            if not candidates:
                return
        wanted = {short[i] for i in candidates}
        # How often each candidate is found as a sentence and as a whole line (hashing: linear).
        whole = Counter(s for s in short if s in wanted)
        sentences = Counter()
        for line, whole_line in zip(lines, short):
            text = line.text
            for part in _sentences(text):
                if len(part) >= self.min_len:
                    # (a line of one sentence is its own part: its words are already in `short`)
                    s = whole_line if part is text else squash_upto(part, self.max_len, _LETTERS)
                    if s in wanted:
                        sentences[s] += 1
        squashed = {i: s for i, s in enumerate(short) if s is not None}
        quotes, drop = [], set()
        for i in candidates:
            s = short[i]
            # Found as a sentence more often than as a line of its own: it repeats part of a paragraph.
            if sentences[s] > whole[s] or self._near(lines, squashed, i, s):
                quotes.append(lines[i].text)
                self.drop(doc, lines[i])
                drop.add(i)
        if quotes:
            doc.lines = [line for i, line in enumerate(lines) if i not in drop]
            doc.fields["pullQuotes"] = doc.fields.get("pullQuotes", []) + quotes


# -- footers: source and editor closing the article ---------------------------------------------
_FOOTER_LABEL = r"(?:本文|文章|稿件|信息|新闻)?(?:来源|出处|稿源)|责任编辑|编辑|责编|审核|校对|作者"
# A footer segment at the end of the last lines: '（来源：某报 编辑：某某）', '本文来源：… 责任编辑：…'.
FOOTER = compile_tolerant(
    r"(?:^|(?<=[\s。！？”」]))[(（【\[]?\s*(?:" + _FOOTER_LABEL + r")\s*[:：]\s*[^。！？]{1,60}?\s*[)）】\]]?\s*$")
_may_footer = required(FOOTER) or (lambda text: True)
_EDITOR_CODE = re.compile(r"[_＿][A-Za-z]{1,6}\d{2,}$")   # CMS user codes after editors' names


class FooterRule(Rule):
    """The source/editor footer closing the article (本文来源：… 责任编辑：…), on its own line or at
    the end of the last paragraph: removed, kept as `source` / `editor`."""
    name = "footer"
    kind = "meta"
    description = "本文来源/责任编辑 footers at the end of the article"
    tail = 3

    def apply(self, doc: Document) -> None:
        for i in range(len(doc.lines) - 1, max(len(doc.lines) - 1 - self.tail, -1), -1):
            line = doc.lines[i]
            # A footer is short and ends the line: search its end, not the whole of a 10 MB paragraph.
            start = max(0, len(line.text) - 400)
            m = FOOTER.search(line.text, start) if _may_footer(line.text[start:]) else None
            if not m:
                continue
            # The footer starts at the first label of the run of labelled fields at the end.
            start = _first_label(line.text, m.start())
            segment = line.text[start:]
            self._capture(doc, segment)
            head = line.text[:start].rstrip()
            doc.remove(self.name, segment)
            if head:
                doc.lines[i] = Line(head, line.tag, min(line.link_chars, len(head)), line.heading)
            else:
                del doc.lines[i]

    def _capture(self, doc: Document, segment: str) -> None:
        text = re.sub(r"(?:本文|文章|稿件|信息|新闻)(来源|出处|稿源)", r"\1", segment)
        text = re.sub(r"[)）】\]]", " ", text)
        capture_fields(doc, text)
        editor = doc.fields.get("editor")
        if isinstance(editor, str):
            doc.fields["editor"] = _EDITOR_CODE.sub("", editor)


_ANY_LABEL = compile_tolerant(r"(?:^|(?<=[\s。！？”」]))[(（【\[]?\s*(?:" + _FOOTER_LABEL + r")\s*[:：]")


def _first_label(text: str, end: int) -> int:
    """Walk back over labelled fields ('来源：A 编辑：B') that precede the last one."""
    start = end
    for m in _ANY_LABEL.finditer(text[:end]):
        between = text[m.end():start]
        if not re.search(r"[。！？]", between) and len(between) <= 60:
            return m.start()
    return start


RULES = (InBodyPromoRule(), BracketedDisclaimerRule(), CAPTION, CreditLineRule(), ORIGINAL_TITLE,
         RepeatedQuoteRule())
# After the related/link-list rules, so that the footer is the end of what is left.
TAIL_RULES = (FooterRule(),)
