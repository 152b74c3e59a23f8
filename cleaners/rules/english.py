"""Line rules for the chrome English-language news sites print inside or right after the article:
sign-up boxes, follow-us lines, photo credits, datelines and bylines, share/comment buttons.

Like the Chinese rules they describe how such lines are phrased in general, never a site's sentence.
Every pattern needs Latin words, so Chinese lines never match (and lines without an ASCII letter
are not searched: `needs=LATIN`).
"""
from __future__ import annotations

import re

from .. import dates
from ..document import Document, Line
from .base import LineRule

# (no case-insensitive match of these words is possible without an ASCII letter)
LATIN = "[A-Za-z]"

NEWSLETTER = LineRule(
    "newsletter",
    r"(\bsign(ing)? up (for|to|now|here|today)\b.{0,80}(newsletter|inbox|alerts)"
    r"|\bsubscribe (to|for|now|today)\b.{0,80}(newsletter|inbox|email|channel|magazine|issues|alerts)"
    r"|\b(to|in|into|straight to) your inbox\b|\bnewsletters?\s*[.!]?$|\bbreaking news alerts\b"
    r"|^(get|receive) (the )?(latest|best|top)\b.{0,60}\b(inbox|email|newsletter))",
    max_len=220, description="newsletter / subscription sign-up lines", needs=LATIN)

SOCIAL_FOLLOW = LineRule(
    "social-follow",
    r"(^(follow|email|like|find|join)\b.{0,120}\b(on (twitter|facebook|instagram|youtube|linkedin)|@\w)"
    r"|^follow\b.{0,80}\b(coverage|https?://)|\b(may|can) be (reached|contacted) at\b"
    r"|^(have|got) a (news )?tip\b)",
    max_len=220, description="follow-us / contact-the-author lines", needs=LATIN)

PHOTO_CREDIT = LineRule(
    "photo-credit",
    r"(^\(?\s*(image|photo|picture|slide)\s+\d+\s+(of|/)\s+\d+\s*\)?$"
    r"|^\(?\s*(image|photo|picture)s?\s+(credit|courtesy)\b"
    r"|^(photo|image|credit|photograph|picture)s?\s*:\s*\S[^.!?]{0,60}$"
    r"|\b(image |photo )?credit\s*:\s*[^.!?:]{1,60}\)?$)",
    max_len=300, description="picture credits and gallery counters", needs=LATIN)

_BY_NAME = r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
EN_DATELINE = LineRule(
    "en-dateline",
    r"(^(published|updated|posted|last (modified|updated)|first published|original)\b.{0,100}"
    r"(\b(19|20)\d\d\b|\d{1,2}:\d\d|\bago\b)|^posted by\b)",
    kind="meta", max_len=130, description="'Published … | Updated …' and 'Posted by … on …' lines", needs=LATIN)

EN_BYLINE = LineRule(
    "en-byline",
    r"(^(?i:by)\s+" + _BY_NAME + r"(\s*(,|\band\b|&)\s*" + _BY_NAME + r")*(\s*[|,]\s*[^.!?|]{1,60})?\s*$"
    r"|^\(?\s*(?i:(additional )?(reporting|writing|editing|compiled) by)\b)",
    kind="meta", max_len=300, flags=0, description="'By Jane Doe' bylines and 'Reporting by …' credits", needs=LATIN)

EN_WIDGET = LineRule(
    "en-widget",
    r"^\s*(share( this( article| story| post| page)?)?|tweet|e-?mail|print|like this|like loading|loading|"
    r"comments?|\d+\s+comments?|leave a (comment|reply)|reply|close|caption|back to gallery|advertisement|"
    r"skip (ad|advert)|sponsored|view comments|hide caption|toggle caption)"
    r"\s*[:.…!]*\s*$",
    max_len=40, description="share / comment / gallery buttons printed as text", needs=LATIN)
# ('Read more' is left to blocks.RelatedListRule: after the article it heads a teaser list.)


def _dateline_fields(doc: Document, line: Line) -> None:
    parsed = dates.parse_date(line.text)
    if parsed:
        doc.set_default("datePublished", parsed[0])
        doc.set_default("datePublishedRaw", parsed[1])


def _byline_fields(doc: Document, line: Line) -> None:
    m = re.match(r"^by\s+(.+)$", line.text.strip(), re.I)
    if m:
        doc.set_default("authors", [n.strip() for n in re.split(r"\s*(?:,|\band\b|&)\s*", m.group(1)) if n.strip()])


EN_DATELINE.on_match = lambda doc, line: _dateline_fields(doc, line)
EN_BYLINE.on_match = lambda doc, line: _byline_fields(doc, line)

LINE_RULES = (NEWSLETTER, SOCIAL_FOLLOW, PHOTO_CREDIT, EN_DATELINE, EN_BYLINE, EN_WIDGET)
