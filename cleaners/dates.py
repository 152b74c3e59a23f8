"""Publish dates in the forms Chinese portals print them, to ISO 8601."""
from __future__ import annotations

import re
from datetime import date

_FULL = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[T\s]*(?P<H>\d{1,2})\s*[:：时時]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")


def parse_date(text: str) -> tuple[str, str] | None:
    """First plausible date in `text` as (iso, raw). Times are kept when present."""
    if not text:
        return None
    for rx in (_FULL, _COMPACT):
        for m in rx.finditer(text):
            iso = _iso(m)
            if iso:
                return iso, m.group(0).strip()
    return None


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
        out += f"T{H:02d}:{M:02d}:{S:02d}"
    return out


def find_all(text: str) -> list[re.Match]:
    return [m for m in _FULL.finditer(text) if _iso(m)]
