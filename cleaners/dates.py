"""Publish dates in the forms Chinese portals print them, to ISO 8601."""
from __future__ import annotations

import re
from datetime import date

_FULL = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[T\s]*(?P<H>\d{1,2})\s*[:：时時]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2})"
    # An offset only right after the seconds ('…:18+08:00', '…:18.000Z'): '9:00-11:30' is a range.
    r"(?:\.\d{1,6})?(?P<Z>Z|[+-]\d{2}:?\d{2}(?!\d))?)?)?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")


_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# 'October 14, 2025', 'Oct. 14 2025', '14 October 2025'
_ENGLISH = re.compile(r"\b(?:" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})"
                      r"|(?P<d2>\d{1,2})\s+" + _MONTH.replace("mon", "mon2") + r",?\s+(?P<y2>(?:19|20)\d{2}))\b", re.I)
# 二〇二五年十月十四日 (official documents print the date in Chinese numerals)
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "O": 0}
_CHINESE = re.compile(r"(?P<y>[〇○零Ｏ一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日")


def _cn_number(text: str) -> int:
    if "十" not in text:
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)


def _other_forms(text: str) -> tuple[str, str] | None:
    """English month names and Chinese numerals: days only (no time)."""
    for m in _ENGLISH.finditer(text):
        mon = (m["mon"] or m["mon2"]).lower()[:3]
        y, d = int(m["y"] or m["y2"]), int(m["d"] or m["d2"])
        try:
            return date(y, _MONTHS[mon], d).isoformat(), m.group(0).strip()
        except ValueError:
            continue
    for m in _CHINESE.finditer(text):
        try:
            return date(_cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"])).isoformat(), m.group(0)
        except (ValueError, KeyError):
            continue
    return None


def parse_date(text: str) -> tuple[str, str] | None:
    """First plausible date in `text` as (iso, raw). Times (and the page's UTC offset, when it
    gives one) are kept when present."""
    if not text:
        return None
    for rx in (_FULL, _COMPACT):
        for m in rx.finditer(text):
            iso = _iso(m)
            if iso:
                return iso, m.group(0).strip()
    return _other_forms(text)


def _iso(m: re.Match) -> str | None:
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    try:
        date(y, mo, d)
    except ValueError:
        return None
    out = f"{y:04d}-{mo:02d}-{d:02d}"
    hour = m.groupdict().get("H")
    if hour is not None:
        H, M, S = int(hour), int(m["M"]), int(m["S"] or 0)
        if H > 23 or M > 59 or S > 59:
            return out
        out += f"T{H:02d}:{M:02d}:{S:02d}" + _zone(m["Z"])
    return out


def _zone(raw: str | None) -> str:
    """The page's own UTC offset, as ISO 8601 (+08:00, Z); '' when the page gives none."""
    if not raw:
        return ""
    raw = raw.strip().upper()
    if raw == "Z":
        return "Z"
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", raw)
    return f"{m[1]}{m[2]}:{m[3]}" if m else ""


def find_all(text: str) -> list[re.Match]:
    return [m for m in _FULL.finditer(text) if _iso(m)]


# Words that introduce a publish date: 发表于 2005-5-7, 时间：2005-07-31, 本贴由某某于2005年…, posted on …
PUBLISH_LABEL = re.compile(
    r"(发表于|发布于|发帖于|写于|贴于|由[^，。]{1,14}于|发表时间|发布时间|发布日期|成文日期|更新时间|时间|日期|发布|发表|"
    r"posted( on)?|published( on)?)"
    r"\s*[:：]?\s*$", re.I)
NEAR = 300   # characters after the headline in which the date line usually sits


def near_headline(text: str, headline: str) -> tuple[str, str] | None:
    """The publish date printed on a page (its visible text), as (iso, raw).

    Pages print the date next to the title ("标题 2005-07-18 13:03:17 来源：…") or after a label
    ("发表于 2005-5-7 21:23:57"), not necessarily as the first date of the page (menus, calendars and
    sidebars come first). In order: the first date within a few lines after the headline; the first
    labelled date after it (blogs and forums sign posts at the end); a date just above it; the first
    labelled date anywhere. Without a headline: the first date."""
    found = [m for m in _FULL.finditer(text) if _iso(m)]
    if not found:
        return None

    def labelled(m):
        return bool(PUBLISH_LABEL.search(text[max(0, m.start() - 16):m.start()]))

    heads = []
    if len(headline) >= 4:
        start = text.find(headline)
        while start >= 0 and len(heads) < 5:
            heads.append(start + len(headline))
            start = text.find(headline, start + len(headline))
    if heads:
        for h in heads:
            for m in found:
                if h <= m.start() <= h + NEAR:
                    return _iso(m), m.group(0).strip()
        for m in found:
            if m.start() >= heads[0] and labelled(m):
                return _iso(m), m.group(0).strip()
        for h in heads:  # e-paper layouts print the date just above the title
            begin = h - len(headline)
            for m in found:
                if begin - 10 <= m.end() <= begin and not re.search(r"[^\W_]", text[m.end():begin]):
                    return _iso(m), m.group(0).strip()
    elif not headline:
        return _iso(found[0]), found[0].group(0).strip()
    for m in found:
        if labelled(m):
            return _iso(m), m.group(0).strip()
    return None
