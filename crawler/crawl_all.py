"""The main job: crawl every portal, write output/articles.jsonl and output/rejections.jsonl, and
print a one-line summary per portal.

    python -m crawler.crawl_all [--incremental] [-s NAME=VALUE ...] [SPIDER ...]

Every run writes all the articles: the crawl state starts empty (shared by all portals, so an
article reposted on two portals is still written once) and nothing carries over between runs.
With --incremental the state is kept in .scrapy/state/crawl_all-<mode>.sqlite (or -s STATE_URI=…), a run writes only
articles no earlier --incremental run wrote (the rest are `seen-before` rejections), and its
articles are added to output/articles.jsonl, which grows run after run.

Outputs are never half-written: the portals' feeds go to a run folder (output/.run/), the new
articles.jsonl and rejections.jsonl are built beside the old ones and renamed into place. A run
that was killed leaves its run folder; the next run cleans it up first, and in --incremental mode
adds the articles the killed run had already stored (the state learned them) to articles.jsonl.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path


RUN_DIR = ".run"


def main(argv: list[str] | None = None) -> int:
    # Imported here, not at the top: the cleaning pool's spawned workers re-import this module as
    # their __main__, and must not load Scrapy for it (~35 MiB each).
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import SETTINGS_PRIORITIES
    from scrapy.utils.project import get_project_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spiders", nargs="*", help="spider names (default: all portals)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy setting")
    parser.add_argument("--output", default="output", help="folder for articles.jsonl and rejections.jsonl")
    parser.add_argument("--incremental", action="store_true",
                        help="keep crawl state between runs, skip articles earlier runs wrote, add to articles.jsonl")
    args = parser.parse_args(argv)

    out = Path(args.output)
    run = out / RUN_DIR
    recover_killed_run(run, out / "articles.jsonl", incremental=args.incremental)
    (run / "portals").mkdir(parents=True)
    settings = get_project_settings()
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for pair in args.set:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    # One store for all portals (duplicates across portals); fresh per run unless --incremental.
    if args.incremental:
        given = (settings.getpriority("STATE_URI") or 0) >= SETTINGS_PRIORITIES["cmdline"]
        state_uri = settings.get("STATE_URI") if given else str(
            Path(settings.get("PROJECT_ROOT")) / ".scrapy" / "state" / "crawl_all-%(mode)s.sqlite")
    else:
        state_uri = str(run / "state.sqlite")
    settings.set("STATE_URI", state_uri, priority="cmdline")
    settings.set("INCREMENTAL", args.incremental, priority="cmdline")
    settings.set("FEEDS", {str(run / "portals" / "%(name)s.jsonl"): {"format": "jsonlines", "overwrite": True}},
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

    ok = True
    for crawler in crawlers:
        stats = crawler.stats
        print(stats.get_value("accounting/summary") or f"{crawler.spidercls.name}: no summary (crawl failed)")
        ok &= bool(stats.get_value("accounting/ok"))
    parts = [run / "portals" / f"{name}.jsonl" for name in names]
    # Rejections are this run's; articles are this run's, or in --incremental mode all runs' so far.
    publish(out / "rejections.jsonl", [p.with_name(p.stem + ".rejections.jsonl") for p in parts])
    articles = publish(out / "articles.jsonl", parts, keep=args.incremental)
    shutil.rmtree(run, ignore_errors=True)
    print(f"wrote {articles} articles to {out / 'articles.jsonl'} "
          f"and rejections to {out / 'rejections.jsonl'}{'' if ok else ' (with failures: see above)'}")
    if settings.get("REVIEW_DIR"):
        print(f"review: {Path(settings.get('REVIEW_DIR')) / 'index.html'}")
    return 0 if ok else 1


def publish(target: Path, parts: list[Path], keep: bool = False) -> int:
    """Build target beside itself from (the old target if keep, then) the parts' complete records,
    fsync, rename into place. Returns the number of records written."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as new:
        for source in ([target] if keep else []) + parts:
            for line in complete_records(source):
                new.write(line)
                count += 1
        new.flush()
        os.fsync(new.fileno())
    os.replace(tmp, target)
    return count


def complete_records(path: Path):
    """The lines of a JSON-lines file that are whole records (a killed writer may leave half a one)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.endswith("\n"):
                return
            try:
                json.loads(line)
            except ValueError:
                continue
            yield line


def recover_killed_run(run: Path, articles: Path, incremental: bool) -> None:
    """A run folder at start is a killed run's. In incremental mode the state may have learned the
    articles of portals whose feeds it had stored: add them to the cumulative output (at least
    once), then clean up. Otherwise the next run writes everything anyway."""
    if not run.exists():
        for tmp in articles.parent.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        return
    if incremental:
        parts = sorted((run / "portals").glob("*.jsonl"))
        parts = [p for p in parts if not p.name.endswith(".rejections.jsonl")]
        if parts:
            articles.parent.mkdir(parents=True, exist_ok=True)
            n = publish(articles, parts, keep=True)
            print(f"recovered a killed run's stored articles into {articles} ({n} articles now)", file=sys.stderr)
    shutil.rmtree(run, ignore_errors=True)
    for tmp in articles.parent.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
