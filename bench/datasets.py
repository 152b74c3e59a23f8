"""The benchmark's page sets, read in place (nothing is copied into the repository).

A case is (dataset, id, body bytes, url, content type, truth text or None, extra). `truth=None`
marks a page that must be rejected (fixture list/other pages).
"""
from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
                seed = seeds[page["seed"]]
                truth = "\n".join(l["text"] for l in seed["lines"] if l["kind"] == "body")
                if seed.get("expect", {}).get("scriptConverted"):
                    truth = _seed_simplified(truth)
            else:
                golden = ROOT / "tests" / "golden" / portal / (Path(page["file"]).stem + ".json")
                if golden.exists():
                    truth = json.loads(golden.read_text(encoding="utf-8")).get("articleBody")
            if truth:
                cases.append(Case("fixtures", key, truth=truth, extra={"kind": "article"}, **common))
    return cases


def _seed_simplified(text: str) -> str:
    """A Traditional seed's truth as the Simplified text it stands for: ruby pinyin out, OpenCC's
    phrase-aware tw2s called directly (not through the cleaners' own choice of conversion)."""
    from opencc import OpenCC
    from cleaners.normalise import PINYIN_ANNOTATION
    return OpenCC("tw2s").convert(PINYIN_ANNOTATION.sub("", text))


LOADERS = {"zh": zh_cases, "en": en_cases, "fixtures": fixture_cases}


# -- tuning / test halves ------------------------------------------------------------------------
# Each shared dataset is split BY SITE (all pages of one site fall in the same half, so a rule tuned
# on a site's template cannot score on that template in the test half), with a fixed seed.
SPLIT_SEED = 9
_PAGE_URL = re.compile(rb"""<text\s+id=["']?(https?://[^"'\s>]+)|<link[^>]+rel=["']?canonical["']?[^>]+href=["']?(https?://[^"'\s>]+)"""
                       rb"""|<meta[^>]+(?:property|name)=["']og:url["'][^>]+content=["']?((?:https?://)?[^"'\s>]+)""", re.I)
_HREF_HOST = re.compile(rb"""(?:href|src|action)=["']?https?://([a-z0-9.-]+)""", re.I)
_COMMON_HOSTS = re.compile(r"(^|\.)(w3\.org|macromedia\.com|adobe\.com|google\.com|googleapis\.com|baidu\.com|"
                           r"jsdelivr\.net|bootcss\.com|cnzz\.com|51\.la|weibo\.com|qq\.com|microsoft\.com)$")
_SECOND_LEVEL = frozenset(("com", "net", "org", "gov", "edu", "ac", "co"))


def site_of(case: Case) -> str:
    """The registrable domain of the page: its URL (ground truth, <text id>, canonical, og:url), else
    the host its own links point to most; the page id when nothing names a site."""
    url = case.url
    if not url:
        m = _PAGE_URL.search(case.body[:20000])
        if m:
            url = next(g for g in m.groups() if g).decode("latin-1")
    host = ""
    if url:
        host = urlsplit(url if "//" in url else "http://" + url).hostname or ""
    if not host:
        hosts = Counter(h.decode("latin-1").lower() for h in _HREF_HOST.findall(case.body))
        hosts = [h for h, _ in hosts.most_common() if not _COMMON_HOSTS.search(h)]
        host = hosts[0] if hosts else ""
    if not host:
        return case.id
    labels = host.lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def split_halves(cases: list[Case], seed: int = SPLIT_SEED) -> dict[str, str]:
    """{case id: 'tune' | 'test'}: sites shuffled with a fixed seed, then dealt to the half with
    fewer pages so far (the halves stay about equal in pages)."""
    by_site: dict[str, list[Case]] = {}
    for case in cases:
        by_site.setdefault(site_of(case), []).append(case)
    sites = sorted(by_site)
    random.Random(seed).shuffle(sites)
    halves = {"tune": 0, "test": 0}
    out = {}
    for site in sites:
        half = min(halves, key=lambda h: (halves[h], h == "test"))
        halves[half] += len(by_site[site])
        for case in by_site[site]:
            out[case.id] = half
    return out


def load(name: str, limit: int = 0, half: str = "all") -> list[Case]:
    """A dataset's cases, each marked with its half (`extra['half']`); only one half if asked.
    The fixtures are ours (written with the rules in view): they are one set, marked 'all'."""
    cases = LOADERS[name]()
    halves = split_halves(cases) if name in SPLIT else {}
    for case in cases:
        case.extra["half"] = halves.get(case.id, "all")
    if half != "all":
        cases = [c for c in cases if c.extra["half"] in (half, "all")]
    return cases[:limit] if limit else cases


SPLIT = ("zh", "en")
