"""`python -m bench.learned [--no-write] [PORTAL ...]`: profiles learned from a portal's own pages,
against the portal's golden articles (which its hand-written profile produced and a person reviewed).

For every fixture portal, `cleaners.learn` drafts a profile from the portal's saved pages with the
hand-written profile hidden, and the article pages are cleaned with it. Scored per portal, beside
generic mode and the hand-written profile:

* body F1: the shared metric (4-token shingles, bench/metric.py) of the article body against the
  golden body, averaged over the portal's articles;
* chrome leaks: body lines that are not in the golden body (chrome the cleaners let through);
* metadata: golden fields (headline, datePublished, authors, source, editor, breadcrumbs, tags,
  pullQuotes, additionalProperties values) reproduced exactly, out of those the golden item has;
* non-articles: list/other pages still rejected.

Two learned columns: "learned" learns from all of the portal's pages (what `learn` does for a user);
"held-out" learns once per article page from all the other pages and scores only that page, so every
page it is scored on was unseen while learning. Two site-aware columns: a real crawl of the portals
with their profiles hidden and site templates on (crawler.site_templates), at SITE_TEMPLATE_PAGES 3
(the default) and 2 (`crawl_hidden`). Writes its section of BENCHMARKS.md between
`<!-- learned:start -->` and `<!-- learned:end -->` (the rest of the file belongs to `python -m bench`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from cleaners import Cleaner, Page, ProfileRegistry
from cleaners.learn import learn, load_samples
from cleaners.learn.dom import norm

from .metric import prf
from .report import BENCHMARKS, write_section

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
ONBOARDING = ROOT / "tests" / "onboarding"
META = ("headline", "datePublished", "authors", "source", "editor", "breadcrumbs", "tags", "pullQuotes",
        "additionalProperties")
SYSTEMS = ("learned", "held-out", "site-aware", "site-aware@2", "generic", "hand")
# site-aware: SITE_TEMPLATE_PAGES (article pages needed) at its default, 3; site-aware@2 at 2.
SITE_AWARE = {"site-aware": 3, "site-aware@2": 2}


def _meta_value(item: dict, key: str):
    value = item.get(key)
    if key == "additionalProperties":   # learned names may differ ('发布开发区' for 'zone'): compare values
        return sorted(p["value"] for p in value or [])
    return value


def score_item(item: dict, golden: dict) -> dict:
    if "reason" in item or "rejection" in item:
        return {"f1": 0.0, "leaks": 0, "meta": 0, "meta_of": sum(1 for k in META if golden.get(k)),
                "missing": [k for k in META if golden.get(k)], "rejected": True}
    gold_lines = {norm(t) for t in golden["articleBody"].split("\n")}
    leaks = [t for t in item["articleBody"].split("\n") if norm(t) and norm(t) not in gold_lines]
    wanted = [k for k in META if golden.get(k)]
    right = [k for k in wanted if _meta_value(item, k) == _meta_value(golden, k)]
    return {"f1": prf(item["articleBody"], golden["articleBody"])[2], "leaks": len(leaks), "leak_lines": leaks,
            "meta": len(right), "meta_of": len(wanted), "missing": [k for k in wanted if k not in right]}


def _page(folder: Path, page: dict) -> Page:
    return Page(body=(folder / page["file"]).read_bytes(), url=page["url"],
                headers={"content-type": page.get("content_type", "")})


def _learned_cleaner(samples, portal: str) -> Cleaner:
    return Cleaner(ProfileRegistry([learn(samples, portal).profile()]))


HIDDEN_SPIDER = """
import scrapy
from scrapy.http import TextResponse
from urllib.parse import urlsplit


class HiddenSpider(scrapy.Spider):
    \"\"\"A profile-less site crawler: every page to the add-on, every same-host link followed.\"\"\"
    name = "hidden"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.start_urls = crawler.settings.getlist("HIDDEN_START")
        spider.allowed_domains = crawler.settings.getlist("HIDDEN_HOSTS")
        return spider

    def parse(self, response):
        yield response
        if isinstance(response, TextResponse):
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname in self.allowed_domains:
                    yield scrapy.Request(url, callback=self.parse, errback=self.gone)

    def gone(self, failure):  # a link with no fixture: not a page of the benchmark
        return None
"""


def _hidden_host(host: str) -> str:
    return host.replace(".", "-") + ".hidden.invalid"   # no profile's url_patterns match it


def crawl_hidden(folders: list[Path], threshold: int) -> dict[str, dict[str, dict]]:
    """A real crawl (Scrapy's engine, the add-on, crawler.site_templates on, a fresh state store) of
    every fixture portal with its profile hidden: the portal is replayed under host names no
    profile claims, from its start URLs, following every same-host link. Returns, per portal, the
    item or rejection of each manifest page (by file name), host names mapped back."""
    import os
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory(prefix="bench-hidden-") as tmp:
        root = Path(tmp)
        hosts: dict[str, str] = {}
        starts: list[str] = []
        files: dict[str, tuple[str, str]] = {}          # original URL -> (portal, file)
        registry = ProfileRegistry.default()
        for folder in folders:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            portal = manifest["portal"]
            for page in manifest["pages"]:
                host = page["url"].split("/")[2]
                hosts.setdefault(host, _hidden_host(host))
                files[page["url"]] = (portal, page["file"])
            starts += (registry.get(portal).crawl.get("start_urls", []) if portal in registry.names()
                       else [page["url"] for page in manifest["pages"] if page["kind"] == "list"])
        rename = lambda text: _replace_all(text, hosts)          # noqa: E731
        for folder in folders:
            target = root / "fixtures" / folder.name
            target.mkdir(parents=True)
            manifest = json.loads(rename((folder / "manifest.json").read_text(encoding="utf-8")))
            (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            for page in manifest["pages"]:
                body = (folder / page["file"]).read_bytes()
                for old, new in hosts.items():
                    body = body.replace(old.encode("ascii"), new.encode("ascii"))
                (target / page["file"]).write_bytes(body)
        modules = root / "modules"
        modules.mkdir()
        (modules / "hidden_spider.py").write_text(HIDDEN_SPIDER, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(modules), "CRAWLER_STATE_URI": str(root / "state.sqlite")}
        out = root / "out.jsonl"
        cmd = [sys.executable, "-m", "scrapy", "crawl", "hidden", "-O", str(out), "-s", "LOG_LEVEL=WARNING",
               "-s", "SPIDER_MODULES=hidden_spider", "-s", f"REPLAY_FIXTURES_DIR={root / 'fixtures'}",
               "-s", f"HIDDEN_START={','.join(rename(u) for u in starts)}",
               "-s", f"HIDDEN_HOSTS={','.join(hosts.values())}", "-s", f"SITE_TEMPLATE_PAGES={threshold}",
               "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"the hidden-profile crawl failed:\n{proc.stderr[-3000:]}")
        back = {new: old for old, new in hosts.items()}
        result: dict[str, dict[str, dict]] = {}
        for path in (out, root / "out.rejections.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(_replace_all(line, back))
                if record["url"] in files:
                    portal, name = files[record["url"]]
                    result.setdefault(portal, {})[name] = record
        return result


def _replace_all(text: str, mapping: dict[str, str]) -> str:
    for old, new in mapping.items():
        text = text.replace(old, new)
    return text


def bench_portal(folder: Path, crawled: dict[str, dict[str, dict]]) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    portal = manifest["portal"]
    pages = manifest["pages"]
    samples = load_samples([str(folder)])
    by_file = {Path(s.path).name: s for s in samples}
    cleaners = {"learned": _learned_cleaner(samples, portal), "generic": Cleaner(ProfileRegistry([])),
                "hand": Cleaner()}
    crawled = {name: by_portal[portal] for name, by_portal in crawled.items()}
    rows = {name: [] for name in SYSTEMS}
    non_articles = {name: [0, 0] for name in SYSTEMS}
    for page in pages:
        golden = json.loads((GOLDEN / portal / (Path(page["file"]).stem + ".json")).read_text(encoding="utf-8"))
        for name in SYSTEMS:
            if name == "held-out":
                others = [s for f, s in by_file.items() if f != page["file"]]
                cleaner = _learned_cleaner(others, portal) if page["kind"] == "article" else cleaners["learned"]
            else:
                cleaner = cleaners.get(name)
            item = crawled[name].get(page["file"], {"reason": "not-crawled"}) if name in crawled else \
                cleaner.run(_page(folder, page), "generic" if name == "generic" else portal)
            if page["kind"] == "article":
                rows[name].append({"page": page["file"], **score_item(item, golden)})
            else:
                non_articles[name][0] += "reason" in item
                non_articles[name][1] += 1
    return {"portal": portal, "rows": rows, "non_articles": non_articles}


def summarise(result: dict) -> dict:
    out = {}
    for name, rows in result["rows"].items():
        n = len(rows)
        out[name] = {"n": n, "f1": sum(r["f1"] for r in rows) / n if n else 0.0,
                     "leaks": sum(r["leaks"] for r in rows), "meta": sum(r["meta"] for r in rows),
                     "meta_of": sum(r["meta_of"] for r in rows),
                     "missing": sorted({k for r in rows for k in r["missing"]}),
                     "rejected": result["non_articles"][name]}
    return out


def table(results: list[dict]) -> str:
    head = ("| portal | articles | " + " | ".join(f"F1 {s}" for s in SYSTEMS) + " | "
            + " | ".join(f"leaks {s}" for s in SYSTEMS) + " | " + " | ".join(f"metadata {s}" for s in SYSTEMS)
            + " | non-articles rejected (learned, site-aware) |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    totals = {s: {"f1": 0.0, "n": 0, "leaks": 0, "meta": 0, "meta_of": 0} for s in SYSTEMS}
    for result in results:
        summ = summarise(result)
        cells = [result["portal"], str(summ["learned"]["n"])]
        cells += [f"{summ[s]['f1']:.3f}" for s in SYSTEMS]
        cells += [str(summ[s]["leaks"]) for s in SYSTEMS]
        cells += [f"{summ[s]['meta']}/{summ[s]['meta_of']}" + (f" (misses {', '.join(summ[s]['missing'])})"
                                                                if summ[s]["missing"] and s != "generic" else "")
                  for s in SYSTEMS]
        cells.append(", ".join("{}/{}".format(*summ[s]["rejected"]) for s in ("learned", "site-aware")))
        lines.append("| " + " | ".join(cells) + " |")
        for s in SYSTEMS:
            t = totals[s]
            t["f1"] += summ[s]["f1"] * summ[s]["n"]
            t["n"] += summ[s]["n"]
            for k in ("leaks", "meta", "meta_of"):
                t[k] += summ[s][k]
    cells = ["**all**", str(totals["learned"]["n"])]
    cells += [f"**{totals[s]['f1'] / max(totals[s]['n'], 1):.3f}**" for s in SYSTEMS]
    cells += [str(totals[s]["leaks"]) for s in SYSTEMS]
    cells += [f"{totals[s]['meta']}/{totals[s]['meta_of']}" for s in SYSTEMS]
    cells.append("")
    lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def onboarding_chrome() -> str:
    """The onboarding portal (tests/onboarding: an in-body credit line no shared rule knows; goldens
    reviewed from its learned profile), crawled with no profile: what generic mode and the
    site-aware crawl leave in the bodies."""
    folder = ONBOARDING / "xx-county"
    crawled = crawl_hidden([folder], SITE_AWARE["site-aware"])["xx-county"]
    generic = Cleaner(ProfileRegistry([]))
    pages = [p for p in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["pages"]
             if p["kind"] == "article"]
    scores = {"generic": [], "site-aware": []}
    for page in pages:
        golden = json.loads((ONBOARDING / "golden" / "xx-county" / (Path(page["file"]).stem + ".json"))
                            .read_text(encoding="utf-8"))
        scores["generic"].append(score_item(generic.run(_page(folder, page), "generic"), golden))
        scores["site-aware"].append(score_item(crawled.get(page["file"], {"reason": "not-crawled"}), golden))
    cells = [f"{name}: body F1 {sum(r['f1'] for r in rows) / len(rows):.3f}, "
             f"{sum(r['leaks'] for r in rows)} chrome line(s) left, metadata {sum(r['meta'] for r in rows)}/"
             f"{sum(r['meta_of'] for r in rows)}" for name, rows in scores.items()]
    return (f"Onboarding portal (tests/onboarding/xx-county: {len(pages)} articles closing with a credit line "
            "no shared rule knows; goldens reviewed from its learned profile), crawled with no profile: "
            + "; ".join(cells) + ".")


def templated(crawled: dict[str, dict[str, dict[str, dict]]]) -> str:
    """How many articles of each site-aware crawl its learned templates cleaned."""
    parts = []
    for name, by_portal in crawled.items():
        records = [r for pages in by_portal.values() for r in pages.values() if "reason" not in r]
        done = sum(r.get("extractor") == "site-template" for r in records)
        parts.append(f"*{name}*: {done} of its {len(records)} articles cleaned with a learned template")
    return "; ".join(parts) + "."


def section(results: list[dict], crawled: dict | None = None) -> str:
    today = dt.date.today().isoformat()
    return "\n".join([
        "## Learned profiles (`python -m bench.learned`, `make bench-learn`)",
        "",
        f"{today}. For each fixture portal, `python -m cleaners learn` drafted a profile from the portal's "
        "saved pages alone (its hand-written profile hidden; no hand edits), and its article pages were "
        "cleaned with the draft. Against the golden articles (reviewed output of the hand-written "
        "profile): body F1 (4-token shingles, mean over articles), chrome leaks (body lines not in the "
        "golden body), metadata fields reproduced exactly (headline, datePublished, authors, source, "
        "editor, breadcrumbs, tags, pullQuotes, additionalProperties values) out of those the golden "
        "item has. *learned*: learned from all the portal's pages; *held-out*: learned without the page "
        "being scored (one draft per article page), so it measures pages the learner never saw; "
        "*site-aware*: a real `scrapy crawl` of all the portals with their profiles hidden (replayed "
        "under host names no profile claims, from their start URLs, every same-host link followed, a "
        "fresh state store), site templates on (crawler.site_templates) at the default "
        "SITE_TEMPLATE_PAGES = 3: each site's pages held until its template is learned, then cleaned "
        "with it, or released to generic mode when the crawl ends first; *site-aware@2*: the same crawl "
        "with SITE_TEMPLATE_PAGES = 2; "
        "*generic*: no profile; *hand*: the hand-written profile. Targets (issue 10): learned F1 >= 0.99, "
        "0 leaks, every metadata field the hand profile gets.",
        "",
        "Read with care: generic mode already extracts every fixture body exactly, so the body columns "
        "cannot show what the template adds; what it adds here is metadata (breadcrumbs, source, tags, "
        "pull quotes, portal fields). The learner was written against the first five portals (its tuning "
        "set); netease-news, wechat-mirror and yuanqu-news arrived later and were learned without changes, "
        "except wechat-mirror's unlabelled source (span.account), which needed the class-name hint added "
        "after seeing it. The onboarding portal in tests/onboarding (class-less in-body lines) is where a "
        "learned [remove] pattern drops a line generic mode keeps; its goldens come from the learned "
        "profile, so it is a test, not a row here.",
        "",
        table(results),
        *(["", templated(crawled), "", onboarding_chrome()] if crawled else []),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learned")
    parser.add_argument("portals", nargs="*", help="fixture portals (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--pages", action="store_true", help="also print per-page scores and leaked lines")
    args = parser.parse_args(argv)
    folders = sorted(p.parent for p in FIXTURES.glob("*/manifest.json"))
    if args.portals:
        folders = [f for f in folders if f.name in args.portals]
    crawled = {name: crawl_hidden(folders, threshold) for name, threshold in SITE_AWARE.items()}
    results = [bench_portal(f, crawled) for f in folders]
    text = section(results, crawled)
    print(text)
    if args.pages:
        for result in results:
            for name in ("learned", "held-out"):
                for row in result["rows"][name]:
                    print(f"{result['portal']}/{row['page']} [{name}] F1 {row['f1']:.3f} leaks {row.get('leak_lines')} "
                          f"missing {row['missing']}")
    if not args.no_write and not args.portals:
        write_section("learned", text)
        print(f"wrote the learned section of {BENCHMARKS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
