"""The pages `learn` reads: saved files, or a fixtures folder described by its manifest.json."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..document import Page


@dataclass
class Sample:
    """One saved page. `kind` (article/list/other) is known only from a manifest."""
    path: str
    body: bytes
    url: str | None = None
    content_type: str = ""
    kind: str | None = None

    def page(self) -> Page:
        return Page(body=self.body, url=self.url, headers={"content-type": self.content_type} if self.content_type else {})


class InputError(ValueError):
    pass


def load_samples(paths: list[str], url: str | None = None) -> list[Sample]:
    """Files as they are; a folder with a manifest.json as the pages it lists (with their URLs and
    kinds); a folder without one as its *.html / *.htm files."""
    samples: list[Sample] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and (path / "manifest.json").is_file():
            samples.extend(_from_manifest(path))
        elif path.is_dir():
            samples.extend(Sample(str(p), p.read_bytes(), url) for p in sorted(path.iterdir())
                           if p.suffix.lower() in (".html", ".htm", ".shtml") and p.is_file())
        elif path.is_file():
            samples.append(Sample(str(path), path.read_bytes(), url))
        else:
            raise InputError(f"{raw}: no such file or folder")
    return samples


def _from_manifest(folder: Path) -> list[Sample]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        pages = manifest["pages"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{folder / 'manifest.json'}: {exc}") from None
    out = []
    root = folder.resolve()
    for page in pages:
        if not isinstance(page, dict) or not page.get("file"):
            continue
        file = (folder / page["file"]).resolve()
        if root not in file.parents or not file.is_file():   # never read outside the fixtures folder
            raise InputError(f"{folder / 'manifest.json'}: {page['file']!r} is not a file inside {folder}")
        out.append(Sample(str(file), file.read_bytes(), page.get("url"), page.get("content_type", ""),
                          page.get("kind")))
    return out
