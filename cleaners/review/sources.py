"""What the review reads: item and rejection records (JSON lines) and the original pages.

Records are taken as written by the crawler's feeds or by `python -m cleaners extract`: an article
has `articleBody`; anything with a `reason` (or an `error`) and no body is a rejection. Original pages
are found through manifests in the fixtures' format (`<dir>/<portal>/manifest.json` listing `url`,
`file`, `content_type`), which is also what the crawl writes under REVIEW_DIR/pages: a review's pages
folder is a fixture set.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

MAX_PAGE_BYTES = 20 * 1024 * 1024   # as the crawler's DOWNLOAD_MAXSIZE


@dataclass
class Record:
    data: dict
    line: int                       # 1-based line in its file, for messages

    @property
    def is_article(self) -> bool:
        return "articleBody" in self.data

    @property
    def url(self) -> str:
        return self.data.get("url") or self.data.get("path") or ""

    @property
    def reason(self) -> str:
        return str(self.data.get("reason") or self.data.get("error") or "unknown")


def read_jsonl(path: Path) -> tuple[list[Record], list[str]]:
    """Records of a JSON lines file, and a message for each line that is not a JSON object."""
    records, problems = [], []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                problems.append(f"{path}:{number}: not JSON ({exc})")
                continue
            if not isinstance(data, dict):
                problems.append(f"{path}:{number}: not a JSON object")
                continue
            records.append(Record(data, number))
    return records, problems


@dataclass
class SavedPage:
    url: str
    path: Path
    content_type: str
    portal: str | None
    stem: str                       # file name without suffix (golden files are named after it)
    kind: str = ""                  # the manifest's kind: list, article, other

    def read(self) -> bytes:
        with self.path.open("rb") as fh:
            return fh.read(MAX_PAGE_BYTES)


class PageStore:
    """Original pages by URL, from every manifest.json under the given folders."""

    def __init__(self, folders: list[Path] = ()):
        self.pages: dict[str, SavedPage] = {}
        self.problems: list[str] = []
        for folder in folders:
            for manifest in sorted(Path(folder).glob("**/manifest.json")):
                self._load(manifest)

    def _load(self, manifest: Path) -> None:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            entries = data["pages"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.problems.append(f"{manifest}: unreadable manifest ({exc})")
            return
        for entry in entries:
            if not isinstance(entry, dict) or "url" not in entry or "file" not in entry:
                continue
            file = manifest.parent / entry["file"]
            self.pages[entry["url"]] = SavedPage(
                url=entry["url"], path=file, content_type=entry.get("content_type", ""),
                portal=data.get("portal"), stem=Path(entry["file"]).stem, kind=str(entry.get("kind") or ""))

    def get(self, url: str) -> SavedPage | None:
        return self.pages.get(url)

    def add_local(self, record: Record) -> None:
        """`cleaners extract` output names the file it read: that file is the original."""
        path = record.data.get("path")
        if path and record.url not in self.pages and Path(path).is_file():
            self.pages[record.url] = SavedPage(record.url, Path(path), "", None, Path(path).stem)


def portal_of(record: Record, store: PageStore) -> str:
    """The record's portal; else the manifest's; else the URL's host."""
    if record.data.get("portal"):
        return str(record.data["portal"])
    saved = store.get(record.url)
    if saved and saved.portal:
        return saved.portal
    return urlsplit(record.url).hostname or "unknown"
