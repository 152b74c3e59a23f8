"""The learned profile as plain, commented TOML that a person can read and edit."""
from __future__ import annotations

import json


def _str(value: str) -> str:
    """A TOML string: literal ('...') when possible, so regexes read as written."""
    if "'" not in value and "\n" not in value and all(c >= " " for c in value):
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def _value(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_str(v) for v in value) + "]"
    return _str(value)


def _pad(line: str, comment: str, width: int = 48) -> str:
    return f"{line.ljust(width)}  # {comment}" if comment else line


def to_toml(data: dict, notes: dict[str, str], header: list[str]) -> str:
    """`notes` maps 'section.key' (or 'key' at the top) to the comment written beside it."""
    out = [f"# {h}" if h else "#" for h in header]
    out.append("")
    for key in ("name", "description", "url_patterns", "required"):
        if data.get(key):
            out.append(_pad(f"{key} = {_value(data[key])}", notes.get(key, "")))
    for section, intro in (("crawl", "how the spider walks the portal"),
                           ("selectors", "where each field is printed (a list is tried in order)"),
                           ("noise", "blocks inside the body container that hold no prose: kind = selector"),
                           ("remove", "lines inside the body container to drop: kind = regex"),
                           ("patterns", "extra fields: name = regex with a group named value")):
        table = data.get(section)
        if not table:
            continue
        out += ["", f"[{section}]  # {intro}"]
        for key, value in table.items():
            name = key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _str(key)
            out.append(_pad(f"{name} = {_value(value)}", notes.get(f"{section}.{key}", "")))
    return "\n".join(out) + "\n"
