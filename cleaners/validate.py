"""Deciding whether what is left is an article."""
from __future__ import annotations

import re

from .document import Document, Rejected
from .rules.required import required
from .script import char_counter, han_count

_WORD = re.compile(r"[\u3400-\u9fff]|[^\W\u3400-\u9fff]+")
_han_chars = char_counter("\u3400-\u9fff\uf900-\ufaff")   # (with the compatibility ideographs)
_LATIN_WORD = re.compile(r"[^\W\d\u3400-\u9fff\uf900-\ufaff_]{2,}")
# A sentence ends with 。！？ (or .!? before a space or the end), closing quotes allowed.
_SENTENCE = re.compile(r"[。！？!?]+[”」』\"')）]*|(?<=[^\W\d])\.[”\"')]*(?=\s|$)")

# What the shortest article has (news briefs and wire stories are short): enough Han characters or
# Latin words, in at least two sentences; or, in one sentence block, clearly more.
MIN_HAN, MIN_LATIN, MIN_SENTENCES = 40, 15, 2
MIN_HAN_ANY, MIN_LATIN_ANY = 120, 60


_NON_HAN_WORD = re.compile(r"[^\W\u3400-\u9fff]+")


def words(text: str, at_least: int = 0) -> int:
    """len(_WORD.findall(text)), without a list of every Han character (linear and cheap on 10 MB).
    With `at_least`, counting stops once a prefix of the text holds that many (the result is then
    only known to be >= at_least): a 10 MB body needs no full count to be long enough."""
    if at_least:
        size = 4096
        while size < len(text):
            # (every word of a prefix is, or is the start of, a word of the text: never an overcount)
            n = words(text[:size])
            if n >= at_least:
                return n
            size *= 4
    return han_count(text) + len(_NON_HAN_WORD.findall(text))


def sentences(text: str) -> int:
    return len(_SENTENCE.findall(text))


def too_short(text: str) -> str:
    """Why the text is too short to be an article, or '' when it is long enough."""
    head = text[:1500]   # (a long body passes on its first part: no need to count it all)
    if _han_chars(head) >= MIN_HAN_ANY or len(_LATIN_WORD.findall(head)) >= MIN_LATIN_ANY:
        return ""
    han, latin, n = _han_chars(text), len(_LATIN_WORD.findall(text)), sentences(text)
    if han >= MIN_HAN_ANY or latin >= MIN_LATIN_ANY:
        return ""
    if n >= MIN_SENTENCES and (han >= MIN_HAN or latin >= MIN_LATIN or han + latin >= MIN_HAN):
        return ""
    size = f"{han} Han characters" if han >= latin else f"{latin} words"
    return (f"only {size} in {n} sentence{'s' if n != 1 else ''} after cleaning (an article has at least "
            f"{MIN_HAN} Han characters or {MIN_LATIN} words in {MIN_SENTENCES} sentences)")


# A line of a contact/about page: an address, phone, e-mail or postcode field, or a bare e-mail/phone.
CONTACT_LINE = re.compile(
    r"^.{0,12}(地址|电话|邮编|邮政编码|邮箱|传真|热线|客服|工作时间|办公时间|营业时间|e-?mail|tel|fax|qq)[^:：]{0,8}[:：]"
    r"|[\w.+-]+@[\w-]+\.[\w.]+|(?<!\d)(?:\d{3,4}-)?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)", re.I)
# What every CONTACT_LINE match holds (a field name, '@', a Latin letter or a digit), looked for first:
# the e-mail alternative backtracks over every word of the line at every position.
_may_be_contact = required(CONTACT_LINE)
# Contact pages: this share of the lines are contact fields, in fewer words than this.
CONTACT_SHARE, CONTACT_WORDS = 0.35, 400


def _is_contact(text: str) -> bool:
    return (_may_be_contact is None or _may_be_contact(text)) and bool(CONTACT_LINE.search(text))


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
    return len(text) <= 200 and _may_end_teaser(text) and bool(_TEASER_END.search(text))


# What every _TEASER_END match ends with (but spaces and a final newline): an ellipsis, a digit, 日, ']'
# or ')'. Looked at first: the $-anchored search is tried at every position of the line.
_TEASER_LAST = ("…", "...", "。。。", "日", "]", ")")


def _may_end_teaser(text: str) -> bool:
    text = text.rstrip()
    return bool(text) and (text.endswith(_TEASER_LAST) or text[-1].isdecimal())


def validate(doc: Document) -> Document:
    body = doc.body
    if not body.strip():
        raise Rejected("not-article", "no article text was found on the page")
    profile = doc.profile
    for name in getattr(profile, "required", ()):
        if not doc.fields.get(name):
            raise Rejected("not-article", f"no {name}, which every {profile.name} article has")
    verdict = what_it_is(doc)
    if verdict and not second_look(doc):
        raise Rejected("not-article", verdict)
    drop_foreign_description(doc)
    return doc


def what_it_is(doc: Document) -> str:
    """Why the page is not an article (short, a list, a contact page, an index), or ''."""
    body = doc.body
    short = too_short(body)
    if short:
        return short
    n = words(body, at_least=max(SHORT_WORDS, CONTACT_WORDS))
    lines = doc.lines
    # Only Chinese teasers: English prose (and paywalled articles) end paragraphs with '...' too.
    cut_off = len(lines) <= 4 and n < SHORT_WORDS and bool(_CUT_OFF.search(lines[-1].text)) and bool(_HAN.search(body))
    # A short body ending in a cut-off teaser or a bare time stamp is a list's entry: teaser and stamp.
    entry = {len(lines) - 1, len(lines) - 2} if cut_off else set()
    teasers = sum(1 for i, line in enumerate(lines) if _is_teaser(line) or i in entry)
    # A list is mostly list entries: a majority of the lines, and more than one entry.
    if teasers >= 2 and teasers > LIST_SHARE * len(lines) or (cut_off and teasers * 2 >= len(lines)):
        return (f"a list page: {teasers} of {len(lines)} lines are linked titles, dates or teasers cut off "
                "with '…'")
    contact = sum(1 for line in lines if len(line.text) <= 80 and _is_contact(line.text))
    if contact and contact >= CONTACT_SHARE * len(lines) and n < CONTACT_WORDS:
        return (f"a contact or about page: {contact} of {len(lines)} lines are addresses, phone numbers, "
                "e-mail addresses or opening hours")
    links = sum(line.link_chars for line in lines)
    if links > 0.5 * len(body):
        return f"an index page: {links} of {len(body)} characters of the remaining text are links"
    return ""


def second_look(doc: Document) -> bool:
    """Before rejecting: a page with a headline, a publish date and two sentences of prose that is
    not link text is an article, however short (news briefs, wire stories), unless its lines are
    entries of a list (a list page has a title and dated teasers too, one per entry)."""
    if not (doc.fields.get("headline") and doc.fields.get("datePublished")):
        return False
    if sum(1 for line in doc.lines if _is_teaser(line)) >= 3 or _CUT_OFF.search(doc.lines[-1].text):
        return False
    prose = " ".join(line.text for line in doc.lines
                     if line.link_density < 0.3 and not _is_teaser(line) and not _is_contact(line.text))
    han, latin = _han_chars(prose), len(_LATIN_WORD.findall(prose))
    return sentences(prose) >= MIN_SENTENCES and (han >= 20 or latin >= 10)


def char_shingles(text: str, n: int = 4) -> set[str]:
    """Character n-grams of the text without punctuation or spaces (shared by cleaners.learn)."""
    text = re.sub(r"\W+", "", text)
    return {text[i:i + n] for i in range(max(len(text) - n + 1, 1))}


def shares_shingle(a: str, b: str, n: int = 4) -> bool:
    """bool(char_shingles(a, n) & char_shingles(b, n)), without the set of every n-gram of b: each
    of a's (few) shingles is looked for in b's squashed text."""
    b = re.sub(r"\W+", "", b)
    shingles = char_shingles(a, n)
    if len(b) < n:   # (b's only shingle is the whole of it)
        return b in shingles
    return any(map(b.__contains__, [g for g in shingles if len(g) == n]))   # (the searches in one C loop)


# A description summarises the article's opening: compared with this much of it (a set of every
# 4-gram of a 10 MB body would cost seconds and gigabytes).
DESCRIPTION_COMPARED = 200_000


def drop_foreign_description(doc: Document) -> None:
    """A meta description that shares nothing with the article is the site's, not the article's."""
    description = doc.fields.get("description")
    opening = (doc.fields.get("headline") or "") + doc.body[:DESCRIPTION_COMPARED]
    if description and not shares_shingle(description[:DESCRIPTION_COMPARED], opening):
        doc.remove("site-description", description)
        del doc.fields["description"]
