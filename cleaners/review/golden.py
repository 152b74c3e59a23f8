"""Comparison with golden items (tests/golden/<portal>/<page>.json): what a rule change would change.

Article goldens name their URL; rejection goldens (`{"rejection": {"reason"}}`) do not, so they are
matched through the fixture manifests (`<portal>/manifest.json`: the golden file is named after the
page's file).
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .sources import PageStore, Record

# Not compared as fields: the body and removals have their own comparison; the rest are transport.
_QUIET = {"articleBody", "removed", "path", "status"}


@dataclass
class Comparison:
    status: str                                   # same | changed | no-golden
    diff: list[tuple[str, str]] = field(default_factory=list)   # (" "|"+"|"-", line)
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # name, golden, now
    removals_gained: list[dict] = field(default_factory=list)
    removals_lost: list[dict] = field(default_factory=list)
    golden_file: str = ""

    @property
    def gained(self) -> int:
        return sum(1 for op, _ in self.diff if op == "+")

    @property
    def lost(self) -> int:
        return sum(1 for op, _ in self.diff if op == "-")


class Goldens:
    def __init__(self, folder: Path, store: PageStore):
        self.folder = Path(folder)
        self.store = store
        self.by_url: dict[str, tuple[Path, dict]] = {}
        self.problems: list[str] = []
        for path in sorted(self.folder.glob("*/*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                self.problems.append(f"{path}: unreadable golden file ({exc})")
                continue
            if isinstance(data, dict) and data.get("url"):
                self.by_url[data["url"]] = (path, data)
        for saved in store.pages.values():
            path = self.folder / (saved.portal or "") / f"{saved.stem}.json"
            if saved.portal and saved.url not in self.by_url and path.is_file():
                try:
                    self.by_url[saved.url] = (path, json.loads(path.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    pass

    def not_in(self, entries) -> list[str]:
        """Golden pages of the reviewed portals that the records lack (a page the crawl no longer
        reaches is a change too)."""
        urls = {e.record.url for e in entries}
        portals = {e.portal for e in entries}
        return [f"not in these records: {url} (golden {path.relative_to(self.folder.parent).as_posix()})"
                for url, (path, _) in sorted(self.by_url.items())
                if url not in urls and path.parent.name in portals and not self._never_crawled(url)]

    def _never_crawled(self, url: str) -> bool:
        # Saved as kind "other" (about, contact pages): kept for the rejection tests, linked from no
        # list a crawl follows, so their absence from a crawl's records is no change.
        saved = self.store.get(url)
        return saved is not None and saved.kind == "other"

    def compare(self, record: Record) -> Comparison:
        found = self.by_url.get(record.url)
        if not found:
            return Comparison("no-golden")
        path, golden = found
        result = compare(golden, record.data)
        result.golden_file = path.relative_to(self.folder.parent).as_posix()
        return result


def compare(golden: dict, now: dict) -> Comparison:
    """Lines gained and lost in the body, removals gained and lost, and changed fields."""
    result = Comparison("same")
    golden_body = _lines(golden.get("articleBody"))
    now_body = _lines(now.get("articleBody"))
    if golden_body != now_body:
        matcher = difflib.SequenceMatcher(a=golden_body, b=now_body, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                result.diff += [(" ", line) for line in golden_body[a1:a2]]
            else:
                result.diff += [("-", line) for line in golden_body[a1:a2]]
                result.diff += [("+", line) for line in now_body[b1:b2]]
    before, after = _removals(golden), _removals(now)
    result.removals_gained = [dict(zip(("rule", "text"), r)) for r in after if r not in before]
    result.removals_lost = [dict(zip(("rule", "text"), r)) for r in before if r not in after]
    golden_fields, now_fields = _fields(golden), _fields(now)
    for name in sorted(set(golden_fields) | set(now_fields)):
        if name in _QUIET:
            continue
        if golden_fields.get(name) != now_fields.get(name):
            result.fields.append((name, golden_fields.get(name), now_fields.get(name)))
    if result.diff and not result.gained and not result.lost:
        result.diff = []
    if result.diff or result.fields or result.removals_gained or result.removals_lost:
        result.status = "changed"
    return result


def _lines(body) -> list[str]:
    return [line for line in (body or "").split("\n") if line.strip()]


def _removals(item: dict) -> list[tuple[str, str]]:
    return [(r.get("rule", ""), r.get("text", "")) for r in item.get("removed") or [] if isinstance(r, dict)]


def _fields(item: dict) -> dict:
    """Golden rejections are {"rejection": {"reason"}}: compare them as a `reason` field."""
    if "rejection" in item and isinstance(item["rejection"], dict):
        return {"kind": "rejection", "reason": str(item["rejection"].get("reason", "")).split(" ")[0]}
    if "articleBody" not in item:
        return {"kind": "rejection", "reason": str(item.get("reason") or item.get("error") or "").split(" ")[0]}
    return {"kind": "article", **{k: v for k, v in item.items() if k not in ("url",)}}
