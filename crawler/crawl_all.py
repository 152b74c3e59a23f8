"""The main job: crawl every portal, write output/articles.jsonl and output/rejections.jsonl, and
print a one-line summary per portal.

    python -m crawler.crawl_all [--incremental] [-s NAME=VALUE ...] [SPIDER ...]

Every run writes all the articles (the output files are replaced each time): the crawl state starts
empty in a temporary file shared by all portals, so an article reposted on two portals is still
written once, but nothing carries over between runs. With --incremental the state is kept in
.scrapy/state/crawl_all.sqlite and a run writes only articles no earlier --incremental run wrote
(the rest are `seen-before` rejections).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spiders", nargs="*", help="spider names (default: all portals)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy setting")
    parser.add_argument("--output", default="output", help="folder for articles.jsonl and rejections.jsonl")
    parser.add_argument("--incremental", action="store_true",
                        help="keep crawl state between runs and skip articles earlier runs wrote")
    args = parser.parse_args(argv)

    out = Path(args.output)
    parts = out / "portals"
    settings = get_project_settings()
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for pair in args.set:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    # One store for all portals (duplicates across portals); fresh per run unless --incremental.
    if args.incremental:
        state_uri = str(Path(settings.get("PROJECT_ROOT")) / ".scrapy" / "state" / "crawl_all.sqlite")
    else:
        state_uri = str(Path(tempfile.mkdtemp(prefix="crawl_all-state-")) / "state.sqlite")
    settings.set("STATE_URI", state_uri, priority="cmdline")
    settings.set("INCREMENTAL", args.incremental, priority="cmdline")
    settings.set("FEEDS", {str(parts / "%(name)s.jsonl"): {"format": "jsonlines", "overwrite": True}},
                 priority="cmdline")
    # The review site of the run (crawler.review), compared with the golden files when replaying.
    shutil.rmtree(out / "review", ignore_errors=True)
    settings.set("REVIEW_DIR", str(out / "review"), priority="project")
    golden = Path(settings.get("PROJECT_ROOT")) / "tests" / "golden"
    if settings.getbool("REPLAY_FIXTURES") and golden.is_dir():
        settings.set("REVIEW_AGAINST", str(golden), priority="project")

    process = CrawlerProcess(settings)
    names = args.spiders or sorted(process.spider_loader.list())
    unknown = set(names) - set(process.spider_loader.list())
    if unknown:
        parser.error(f"unknown spider(s): {', '.join(sorted(unknown))}")
    crawlers = []
    for name in names:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)
        process.crawl(crawler)
    process.start()
    if not args.incremental:
        shutil.rmtree(Path(state_uri).parent, ignore_errors=True)

    # One file of articles and one of rejections for the whole run, portal by portal.
    for kind, suffix in (("articles", ".jsonl"), ("rejections", ".rejections.jsonl")):
        with (out / f"{kind}.jsonl").open("w", encoding="utf-8") as merged:
            for name in names:
                part = parts / f"{name}{suffix}"
                if part.exists():
                    merged.write(part.read_text(encoding="utf-8"))
    ok = True
    for crawler in crawlers:
        stats = crawler.stats
        print(stats.get_value("accounting/summary") or f"{crawler.spider.name}: no summary (crawl failed)")
        ok &= bool(stats.get_value("accounting/balanced"))
    articles = sum(1 for _ in (out / "articles.jsonl").open(encoding="utf-8"))
    print(f"wrote {articles} articles to {out / 'articles.jsonl'} "
          f"and rejections to {out / 'rejections.jsonl'}")
    if settings.get("REVIEW_DIR"):
        print(f"review: {Path(settings.get('REVIEW_DIR')) / 'index.html'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
