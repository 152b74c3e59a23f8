"""The review site: every crawled page in a browser, its removed spans highlighted by rule.

    from cleaners.review import build_review
    build_review(["out.jsonl", "out.rejections.jsonl"], "review/", pages=["fixtures"], against="tests/golden")

Reads only JSON lines records and saved pages (no Scrapy import); writes static files.
"""
from __future__ import annotations

from pathlib import Path

from .golden import Goldens
from .site import build
from .sources import PageStore, read_jsonl


def build_review(record_files, out, pages=(), against=None) -> tuple[Path, list[str]]:
    """Write the review of `record_files` (items and/or rejections, JSON lines) into `out`.
    `pages`: folders of saved pages (manifest.json in the fixtures' format); `against`: a golden
    folder. Returns (index.html path, problems worth telling the user)."""
    records, problems = [], []
    for path in record_files:
        got, bad = read_jsonl(Path(path))
        records += got
        problems += bad
    store = PageStore([Path(p) for p in pages])
    goldens = None
    if against:
        # Rejection goldens are named after fixture files: map them through the fixtures' manifests
        # too (tests/golden sits two levels below the folder that holds fixtures/).
        fixtures = Path(against).resolve().parent.parent / "fixtures"
        mapping = PageStore([Path(p) for p in pages] + ([fixtures] if fixtures.is_dir() else []))
        goldens = Goldens(Path(against), mapping)
    return build(records, Path(out), store, goldens, problems), problems + store.problems


__all__ = ["build_review", "build", "PageStore", "Goldens", "read_jsonl"]
