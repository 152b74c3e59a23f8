"""Rules that recognise chrome by the shape of a run of lines, not by a single line's words."""
from __future__ import annotations

import re

from ..document import Document
from ..script import compile_tolerant
from .base import Rule, content_span
from .chrome import WECHAT_PROMO

RELATED_HEADING = compile_tolerant(
    r"^\s*[【\[]?\s*(相关(文章|阅读|新闻|推荐|链接|内容|稿件|报道)|延伸阅读|推荐阅读|扩展阅读|热门(文章|推荐|新闻|阅读)|"
    r"猜你喜欢|精彩推荐|为你推荐|往期(回顾|推荐|精选)|更多(精彩|阅读|新闻)|最新(文章|新闻)|热点(新闻|推荐)|"
    r"related (articles|posts|stories)|read more|more stories)\s*[】\]]?\s*[:：]?\s*$", re.I)


class RelatedListRule(Rule):
    """A 相关文章 / 推荐阅读 heading after the article: it and everything below it are teasers."""
    name = "related"
    kind = "chrome"
    description = "related-article lists under a heading"

    def apply(self, doc: Document) -> None:
        total = sum(len(line.text) for line in doc.lines) or 1
        seen = 0
        for i, line in enumerate(doc.lines):
            # Only in the second half of the text: a heading near the top is the site's sidebar order.
            if seen / total >= 0.3 and len(line.text) <= 30 and RELATED_HEADING.search(line.text):
                for dropped in doc.lines[i:]:
                    self.drop(doc, dropped)
                doc.lines = doc.lines[:i]
                return
            seen += len(line.text)


class LinkListRule(Rule):
    """Lines that are all link, outside the prose: navigation before it, teaser lists after it."""
    name = "link-list"
    kind = "chrome"
    description = "link-only lines (menus, related titles) outside the article text"
    min_density = 0.7

    def apply(self, doc: Document) -> None:
        first, last = content_span(doc.lines)
        if last < 0:
            return
        keep = []
        for i, line in enumerate(doc.lines):
            outside = i < first or i > last
            if outside and line.link_density >= self.min_density and len(line.text) <= 80:
                self.drop(doc, line)
            else:
                keep.append(line)
        doc.lines = keep


class PromoBlockRule(Rule):
    """Ad blocks framed by WeChat/QR-code lines: the short lines between two promo lines go too."""
    name = "wechat-promo"
    kind = "chrome"
    description = "WeChat / QR-code advertising blocks"
    max_gap = 5
    max_len = 80

    def apply(self, doc: Document) -> None:
        first, last = content_span(doc.lines)
        hits = [i for i, line in enumerate(doc.lines)
                if (i < first or i > last or last < 0) and WECHAT_PROMO.matches(line)]
        drop = set(hits)
        for a, b in zip(hits, hits[1:]):
            between = range(a + 1, b)
            if b - a <= self.max_gap and all(len(doc.lines[j].text) <= self.max_len for j in between):
                drop.update(between)
        if not drop:
            return
        for i in sorted(drop):
            self.drop(doc, doc.lines[i])
        doc.lines = [line for i, line in enumerate(doc.lines) if i not in drop]


_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff\uf900-\ufaff]+")


def _grams(text: str, n: int = 4) -> set[str]:
    """Shingles of n tokens: a Han character is a token, other text a word. (Character 4-grams of
    Latin text would make any two English paragraphs look alike: 'tion', 'the '…) Joined into one
    string (tokens hold no spaces): a page's million shingles as tuples cost seconds of GC."""
    tokens = _TOKEN.findall(text.lower())
    return set(map(" ".join, zip(*(tokens[k:] for k in range(n)))))   # (every run of n tokens, in C)


def _found_in(grams: set[str], lines_tokens: list[list[str]], n: int = 4) -> set[str]:
    """The grams (of _grams) that are also shingles of these lines' tokens: grams & the lines'
    _grams, without building every shingle of the body (only where a gram's first token is)."""
    firsts = {g.split(" ", 1)[0] for g in grams}
    found = set()
    for tokens in lines_tokens:
        for i in range(len(tokens) - n + 1):
            if tokens[i] in firsts:
                gram = " ".join(tokens[i:i + n])
                if gram in grams:
                    found.add(gram)
    return found


# What _TOKEN skips: a line's tokens run together are the line without these characters.
_NOT_TOKEN = re.compile(r"[^\w\u3400-\u9fff\uf900-\ufaff]+")


def _run_together(text: str) -> str:
    """The text's tokens (of _grams) written one after the other: every shingle of the text, its
    spaces taken out, is a substring of this."""
    return _NOT_TOKEN.sub("", text.lower())


# Pull quotes repeat the article's opening pages, not its 500th: enough body to compare them against,
# which keeps the rule's work bounded on a page of a million lines.
_COMPARED_CHARS = 100_000


def _first_chars(lines, limit: int = _COMPARED_CHARS):
    seen = 0
    for line in lines:
        if seen >= limit:
            return
        seen += len(line.text)
        yield line


class PullQuoteRule(Rule):
    """Leading paragraphs that repeat sentences of the body (pull quotes): moved to `pullQuotes`."""
    name = "pull-quote"
    kind = "pull-quote"
    description = "opening highlights repeating the body"
    max_lead = 3
    max_len = 1000  # a highlight is a sentence or two; a longer lead is the article itself
    min_overlap = 0.5
    # The most grams x characters the quick test below may compare (~0.2 ms); past it, the exact test alone.
    quick_budget = 4_000_000

    def apply(self, doc: Document) -> None:
        quotes = []
        # Tokens of the body past the lead, read once: the lead lines are the only ones that move
        # between "head" and "later" (one pass over the page, not one per lead line).
        lead = tail = None
        together = None
        while doc.lines and len(quotes) < self.max_lead and len(doc.lines) > 2:
            head, rest = doc.lines[0], doc.lines[1:]
            if len(head.text) > self.max_len:
                break
            grams = _grams(re.sub(r"^[^:：]{1,8}[:：]", "", head.text))  # drop a "Speaker:" prefix
            if len(grams) < 20:  # a sentence, not a title or a short line
                break
            # The quick test: a gram shared with a later line is a substring of the later lines'
            # tokens run together, so the grams found there bound the shared ones from above. Most
            # leads share almost nothing: they are turned down without tokenising the body.
            if together is None:  # (still the original lines: nothing was pulled yet)
                compared = [line.text for line in doc.lines[1:self.max_lead + 1]]
                compared.append("\n".join(line.text for line in _first_chars(doc.lines[self.max_lead + 1:])))
                fits = len(grams) * sum(map(len, compared)) <= self.quick_budget
                together = [_run_together(text) for text in compared] if fits else []
            later = "\n".join(together[len(quotes):])
            if later and len(grams) * len(later) <= self.quick_budget and not self._may_overlap(grams, later):
                break
            if tail is None:  # (still the original lines: nothing was pulled yet)
                lead = [_grams(line.text) for line in doc.lines[1:self.max_lead + 1]]
                tail = [_TOKEN.findall(line.text.lower()) for line in _first_chars(doc.lines[self.max_lead + 1:])]
            shared = _found_in(grams, tail).union(*(grams & g for g in lead[len(quotes):]))
            if len(shared) / len(grams) < self.min_overlap:
                break
            quotes.append(head.text)
            self.drop(doc, head)
            doc.lines = rest
        if quotes:
            doc.fields["pullQuotes"] = doc.fields.get("pullQuotes", []) + quotes

    def _may_overlap(self, grams: set[str], later: str) -> bool:
        """Whether the grams found in `later` can reach min_overlap (of the exact test's len(shared) /
        len(grams) < min_overlap); stops counting once too many are missing for that."""
        n = len(grams)
        # The most shared grams that still fall short (largest c with c / n < min_overlap, as floats).
        short = int(self.min_overlap * n) + 1
        while short >= 0 and not short / n < self.min_overlap:
            short -= 1
        missing_allowed = n - short - 1   # (more missing than this: at most `short` can be found)
        missing = 0
        for g in grams:
            if g.replace(" ", "") not in later:
                missing += 1
                if missing > missing_allowed:
                    return False
        return True


PROMO_RULES = (PromoBlockRule(),)
LIST_RULES = (RelatedListRule(), LinkListRule(), PullQuoteRule())
RULES = PROMO_RULES + LIST_RULES
