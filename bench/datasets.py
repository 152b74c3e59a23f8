"""The benchmark's page sets, read in place (nothing is copied into the repository).

A case is (dataset, id, body bytes, url, content type, truth text or None, extra). `truth=None`
marks a page that must be rejected (fixture list/other pages).
"""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "datasets"
ZH = SHARED / "zh-web-extraction"
EN = SHARED / "article-extraction-benchmark"


@dataclass
class Case:
    dataset: str
    id: str
    body: bytes
    url: str | None = None
    content_type: str = ""
    truth: str | None = None            # None: the page is not an article
    extra: dict = field(default_factory=dict)


def shared_available() -> bool:
    return (SHARED / "score.py").exists()


def zh_cases() -> list[Case]:
    truth = json.loads((ZH / "eval" / "cleaned_ground.json").read_text(encoding="utf-8"))
    authors = json.loads((ZH / "eval" / "author_ground.json").read_text(encoding="utf-8"))
    dates = json.loads((ZH / "eval" / "date_ground.json").read_text(encoding="utf-8"))
    cases = []
    for key in sorted(truth):
        path = ZH / "original" / f"{key}.html"
        if path.exists():
            cases.append(Case("zh", key, path.read_bytes(), truth=truth[key]["articleBody"],
                              extra={"author": authors.get(key, {}).get("articleBody"),
                                     "date": dates.get(key, {}).get("articleBody")}))
    return cases


def en_cases() -> list[Case]:
    truth = json.loads((EN / "ground-truth.json").read_text(encoding="utf-8"))
    cases = []
    for key in sorted(truth):
        path = EN / "html" / f"{key}.html.gz"
        if path.exists():
            cases.append(Case("en", key, gzip.decompress(path.read_bytes()), url=truth[key].get("url"),
                              content_type="text/html; charset=utf-8", truth=truth[key]["articleBody"]))
    return cases


def fixture_cases() -> list[Case]:
    """Fixture articles with a truth (seed body lines, else tests/golden), and every list/other page."""
    seeds = json.loads((ROOT / "seeds" / "truth.json").read_text(encoding="utf-8"))
    cases = []
    for manifest_path in sorted((ROOT / "fixtures").glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        portal = manifest.get("portal", manifest_path.parent.name)
        for page in manifest.get("pages", []):
            path = manifest_path.parent / page["file"]
            if not path.exists():
                continue
            key = f"{portal}/{page['file']}"
            common = dict(body=path.read_bytes(), url=page.get("url"), content_type=page.get("content_type", ""))
            if page.get("kind") != "article":
                cases.append(Case("fixtures", key, truth=None, extra={"kind": page.get("kind")}, **common))
                continue
            truth = None
            if page.get("seed") in seeds:
                truth = "\n".join(l["text"] for l in seeds[page["seed"]]["lines"] if l["kind"] == "body")
            else:
                golden = ROOT / "tests" / "golden" / portal / (Path(page["file"]).stem + ".json")
                if golden.exists():
                    truth = json.loads(golden.read_text(encoding="utf-8")).get("articleBody")
            if truth:
                cases.append(Case("fixtures", key, truth=truth, extra={"kind": "article"}, **common))
    return cases


LOADERS = {"zh": zh_cases, "en": en_cases, "fixtures": fixture_cases}
