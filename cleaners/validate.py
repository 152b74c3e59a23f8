"""Deciding whether what is left is an article."""
from __future__ import annotations

import re

from .document import Document, Rejected

_WORD = re.compile(r"[\u3400-\u9fff]|[^\W\u3400-\u9fff]+")

# Below this many words (a Han character counts as one) there is no article to speak of.
MIN_WORDS = 40


_NOT_HAN = re.compile(r"[^\u3400-\u9fff]+")
_NON_HAN_WORD = re.compile(r"[^\W\u3400-\u9fff]+")


def words(text: str) -> int:
    """len(_WORD.findall(text)), without a list of every Han character (linear and cheap on 10 MB)."""
    return len(_NOT_HAN.sub("", text)) + sum(1 for _ in _NON_HAN_WORD.finditer(text))


# A line of a contact/about page: an address, phone, e-mail or postcode field, or a bare e-mail/phone.
CONTACT_LINE = re.compile(
    r"^.{0,12}(地址|电话|邮编|邮政编码|邮箱|传真|热线|客服|工作时间|办公时间|营业时间|e-?mail|tel|fax|qq)[^:：]{0,8}[:：]"
    r"|[\w.+-]+@[\w-]+\.[\w.]+|(?<!\d)(?:\d{3,4}-)?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)", re.I)
# Contact pages: this share of the lines are contact fields.
CONTACT_SHARE = 0.35


# A body this short that contains a line cut off with '…' is one teaser taken from a list page.
SHORT_WORDS = 300
# A teaser's own text ends cut off with '…'.
_ELLIPSIS_END = r"(…|\.\.\.|。。。)\s*$"
# (or the line is a list entry's time stamp: a bare date with a time of day)
_CUT_OFF = re.compile(_ELLIPSIS_END + r"|^\s*(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?\s*$")
# List pages: this share of the lines are teaser-list entries.
LIST_SHARE = 0.5
_HAN = re.compile(r"[\u4e00-\u9fff]")
_TEASER_END = re.compile(_ELLIPSIS_END + r"|(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(\s+\d{1,2}:\d{2})?\s*\]?\)?$")


def _is_teaser(line) -> bool:
    """A list entry: a short all-link title, or a line ending with '…' or with a date."""
    text = line.text
    if line.link_density > 0.6 and len(text) <= 60:
        return True
    return len(text) <= 200 and bool(_TEASER_END.search(text))


def validate(doc: Document) -> Document:
    body = doc.body
    if not body.strip():
        raise Rejected("not-article", "no article text was found on the page")
    n = words(body)
    if n < MIN_WORDS:
        raise Rejected("not-article", f"only {n} words of text after cleaning (an article has at least {MIN_WORDS})")
    teasers = sum(1 for line in doc.lines if _is_teaser(line))
    # Only Chinese teasers: English prose (and paywalled articles) end paragraphs with '...' too.
    last = doc.lines[-1].text
    cut_off = len(doc.lines) <= 4 and bool(_CUT_OFF.search(last)) and bool(_HAN.search(body))
    if (teasers >= 3 and teasers >= LIST_SHARE * len(doc.lines)) or (cut_off and n < SHORT_WORDS):
        raise Rejected("not-article", f"a list page: {teasers} of {len(doc.lines)} lines are linked titles, "
                                      "dates or teasers cut off with '…'")
    contact = sum(1 for line in doc.lines if len(line.text) <= 80 and CONTACT_LINE.search(line.text))
    if contact and contact >= CONTACT_SHARE * len(doc.lines) and words(body) < 400:
        raise Rejected("not-article", f"a contact or about page: {contact} of {len(doc.lines)} lines are "
                                      "addresses, phone numbers, e-mail addresses or opening hours")
    profile = doc.profile
    for name in getattr(profile, "required", ()):
        if not doc.fields.get(name):
            raise Rejected("not-article", f"no {name}, which every {profile.name} article has")
    links = sum(line.link_chars for line in doc.lines)
    if links > 0.5 * len(body):
        raise Rejected("not-article", "most of the remaining text is links (a list or index page)")
    drop_foreign_description(doc)
    return doc


def _grams(text: str, n: int = 4) -> set[str]:
    text = re.sub(r"\W+", "", text)
    return {text[i:i + n] for i in range(max(len(text) - n + 1, 1))}


def drop_foreign_description(doc: Document) -> None:
    """A meta description that shares nothing with the article is the site's, not the article's."""
    description = doc.fields.get("description")
    if description and not _grams(description) & _grams((doc.fields.get("headline") or "") + doc.body):
        doc.remove("site-description", description)
        del doc.fields["description"]
