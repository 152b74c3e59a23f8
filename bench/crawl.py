"""`make bench-crawl` (`python -m bench.crawl [--pages 2000 20000] [--no-redis] [--no-write]`): crawl
throughput against Scrapy's own floor, `extract` in 1 and 2 processes, peak memory and the Redis
bytes a page costs in a distributed crawl (issue 13).

For each N it builds a synthetic replay portal of N distinct article pages (fixtures/investchn's
article page with the body replaced by N different random texts, a profile derived from investchn's,
list pages of 100 links) in a temporary folder (REPLAY_FIXTURES_DIR, CLEANERS_PROFILE_PATH), then
runs, one after the other:
- floor: `scrapy crawl` with the add-on's pipelines off (ITEM_PIPELINES={...: None}) and
  `FloorPipeline` turning each page into an item holding its URL: Scrapy + replay + feed export
  (with the project's CONCURRENT_ITEMS = 16; once more with Scrapy's default 100, the floor the
  first figures were measured against);
- crawl: the full crawl (default pipelines and settings, state in a fresh SQLite file);
  the floor and the crawl run --repeat times (3), one after the other, and the median of each is kept;
- extract -j1 / -j2: `python -m cleaners extract --portal benchport` over the article files (the
  median of --repeat runs too);
- redis: one distributed worker (DISTRIBUTED=redis) on a throw-away redis-server, INFO memory
  used_memory before seeding and after the crawl, and MEMORY USAGE of the state keys alone; then
  two workers started together on another fresh server (their wall time until the last ends).
Peak memory is the RSS of the whole process tree (the crawl and its cleaning workers), sampled.
The section between the crawl markers of BENCHMARKS.md is replaced; the rest is left as it is.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from crawler.addons import COMPONENTS

from .report import write_section

ROOT = Path(__file__).resolve().parent.parent
PORTAL, HOST = "benchport", "http://news.benchport.cn"
TEMPLATE = ROOT / "fixtures" / "investchn" / "article-84213.html"
PER_LIST = 100

HAN = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得于着下自之年过发"
       "后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想"
       "实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美"
       "相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名")


class FloorPipeline:
    """The floor: every page becomes an item with its URL, uncleaned (the accounting still balances)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item, spider=None):
        from crawler.items import ArticleItem
        from crawler.pipelines import page_of
        found = page_of(item)
        if found is None:
            return item
        self.stats.inc_value("accounting/pages")
        return ArticleItem(url=found[0].url, portal=PORTAL)


# Every pipeline of the add-on off, FloorPipeline alone.
FLOOR_PIPELINES = json.dumps({"bench.crawl.FloorPipeline": 100,
                              **{path: None for path in COMPONENTS["ITEM_PIPELINES"]}})


# -- the synthetic portal ------------------------------------------------------------------------
def article_text(n: int) -> str:
    rnd = random.Random(n)
    paragraphs = []
    for _ in range(rnd.randint(4, 9)):
        sentences = ["".join(rnd.choice(HAN) for _ in range(rnd.randint(12, 24))) for _ in range(rnd.randint(3, 6))]
        paragraphs.append("，".join(sentences) + "。")
    paragraphs[0] = f"本报讯（第{n}号）" + paragraphs[0]
    return "".join(f"<p>&nbsp;&nbsp;{p}</p>\n" for p in paragraphs)


def build_portal(root: Path, pages: int) -> dict:
    """fixtures/benchport (manifest + pages) and profiles/benchport.toml under root."""
    html = TEMPLATE.read_text(encoding="utf-8")
    body = re.compile(r'(<div class="article-content" id="zoom">).*?(</div>)', re.S)
    assert body.search(html), "the template's body container moved"
    html = body.sub(lambda m: m.group(1) + "\x00BODY\x00" + m.group(2), html, count=1)
    html = re.sub(r"(<h1>).*?(</h1>)", lambda m: m.group(1) + "\x00TITLE\x00" + m.group(2), html, count=1)
    head, rest = html.split("\x00TITLE\x00")
    middle, tail = rest.split("\x00BODY\x00")
    fixtures, profiles = root / "fixtures" / PORTAL, root / "profiles"
    fixtures.mkdir(parents=True)
    profiles.mkdir()
    manifest, lists = [], (pages + PER_LIST - 1) // PER_LIST
    for k in range(1, lists + 1):
        links = "".join(f'<li><a class="title" href="/a/{n}.html">第{n}号稿件</a></li>'
                        for n in range((k - 1) * PER_LIST + 1, min(k * PER_LIST, pages) + 1))
        more = f'<a href="/list/{k + 1}.html">下一页</a>' if k < lists else ""
        (fixtures / f"list-{k}.html").write_text(
            f'<html><head><meta charset="utf-8"><title>新闻列表</title></head><body><ul class="news-list">{links}</ul>'
            f'<div class="pages">{more}</div></body></html>', encoding="utf-8")
        manifest.append({"url": f"{HOST}/list/{k}.html", "file": f"list-{k}.html", "kind": "list"})
    articles = []
    for n in range(1, pages + 1):
        path = fixtures / f"article-{n}.html"
        path.write_text(f"{head}开发区建设第{n}号稿件{middle}{article_text(n)}{tail}", encoding="utf-8")
        manifest.append({"url": f"{HOST}/a/{n}.html", "file": path.name, "kind": "article"})
        articles.append(str(path))
    for page in manifest:
        page["content_type"] = "text/html; charset=utf-8"
    (fixtures / "manifest.json").write_text(json.dumps({"portal": PORTAL, "pages": manifest}), encoding="utf-8")
    profile = (ROOT / "cleaners" / "profiles" / "investchn.toml").read_text(encoding="utf-8")
    profile = re.sub(r'(?m)^name = .*$', f'name = "{PORTAL}"', profile)
    profile = re.sub(r"(?m)^url_patterns = .*$", "url_patterns = ['^https?://news\\\\.benchport\\\\.cn/']", profile)
    profile = re.sub(r"(?m)^start_urls = .*$", f'start_urls = ["{HOST}/list/1.html"]', profile)
    profile = re.sub(r"(?m)^allowed_domains = .*$", 'allowed_domains = ["benchport.cn"]', profile)
    profile = re.sub(r"(?m)^sample_article = .*$", f'sample_article = "{HOST}/a/1.html"', profile)
    profile = re.sub(r"(?m)^pagination_links = .*$", 'pagination_links = "div.pages a"', profile)
    (profiles / f"{PORTAL}.toml").write_text(profile, encoding="utf-8")
    (root / "articles.txt").write_text("\n".join(articles) + "\n", encoding="utf-8")
    return {"root": root, "fixtures": str(root / "fixtures"), "profiles": str(profiles),
            "articles": root / "articles.txt", "pages": pages + lists}


# -- measuring -----------------------------------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """RSS in bytes of pid and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def timed(cmd: list[str], env: dict, stdout=subprocess.DEVNULL) -> dict:
    """Wall time, CPU time (user + system, with the cleaning workers it reaped) and peak RSS of
    the process tree (sampled every 0.1 s)."""
    return timed_together([cmd], env, stdout)


def timed_together(cmds: list[list[str]], env: dict, stdout=subprocess.DEVNULL) -> dict:
    """`timed` for commands run at once (distributed workers): wall time until the last ends, CPU
    time of them all, peak of their trees' summed RSS."""
    started = time.perf_counter()
    errs = [tempfile.TemporaryFile("w+") for _ in cmds]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=stdout, stderr=err, text=True)
             for cmd, err in zip(cmds, errs)]
    peak, running = [0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], sum(_tree_rss(p.pid) for p in procs if p.returncode is None))
            time.sleep(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu, failed = 0.0, []
    for proc, err, cmd in zip(procs, errs, cmds):
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        if proc.returncode != 0:
            err.seek(0)
            failed.append(f"failed: {' '.join(cmd)}\n{err.read()[-3000:]}")
    seconds = time.perf_counter() - started
    running[0] = False
    sampler.join()
    for err in errs:
        err.close()
    if failed:
        raise SystemExit("\n".join(failed))
    return {"seconds": seconds, "cpu": cpu, "peak_mib": peak[0] / 2**20}


def crawl_cmd(portal: dict, out: Path, *settings: str) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", PORTAL, "-O", str(out), "-s", "LOG_LEVEL=WARNING",
           "-s", f"REPLAY_FIXTURES_DIR={portal['fixtures']}", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", f"STATE_URI={out.with_suffix('.state')}/%(name)s.sqlite"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def scrapy_crawl(portal: dict, out: Path, *settings: str, env: dict) -> dict:
    result = timed(crawl_cmd(portal, out, *settings), env)
    result["items"] = sum(1 for _ in open(out, encoding="utf-8")) if out.exists() else 0
    return result


def extract(portal: dict, jobs: int, env: dict) -> dict:
    cmd = [sys.executable, "-m", "cleaners", "extract", "--portal", PORTAL, "--quiet", "--jobs", str(jobs),
           "--from", str(portal["articles"])]
    with open(portal["root"] / f"extract-{jobs}.jsonl", "w") as out:
        result = timed(cmd, env, stdout=out)
    result["items"] = sum(1 for line in open(portal["root"] / f"extract-{jobs}.jsonl", encoding="utf-8")
                          if '"articleBody"' in line)
    return result


def simhash_cost(portal: dict) -> dict:
    """µs per article body for the SimHash before (pure Python) and now (numpy), same bodies."""
    from crawler import fingerprints
    bodies = [json.loads(line).get("articleBody") for line in open(portal["root"] / "extract-1.jsonl", encoding="utf-8")]
    bodies = [b for b in bodies if b][:500]
    result = {"bodies": len(bodies), "chars": sum(map(len, bodies)) / max(len(bodies), 1)}
    for name, function in (("before_us", fingerprints.simhash_reference), ("after_us", fingerprints.simhash)):
        started = time.perf_counter()
        for body in bodies:
            function(body)
        result[name] = 1e6 * (time.perf_counter() - started) / max(len(bodies), 1)
    return result


def redis_run(portal: dict, env: dict, pages: int, workers: int = 1) -> dict | None:
    """A distributed crawl by `workers` scrapy-redis workers started together on a fresh
    redis-server: their wall time, CPU and memory together, and Redis's bytes per page."""
    server_bin = shutil.which("redis-server")
    if server_bin is None:
        return None
    import redis
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = portal["root"] / f"redis-{workers}"
    data.mkdir()
    server = subprocess.Popen([server_bin, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        before = client.info("memory")["used_memory"]
        subprocess.run([sys.executable, "-m", "crawler.distributed", "seed", PORTAL, "--redis-url", url],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        outs = [portal["root"] / f"redis-{workers}-{k}.jsonl" for k in range(1, workers + 1)]
        result = timed_together([crawl_cmd(portal, out, "DISTRIBUTED=redis", f"REDIS_URL={url}",
                                           "MAX_IDLE_TIME_BEFORE_CLOSE=2", f"STATE_EXPECTED_PAGES={pages}")
                                 for out in outs], env)
        result["items"] = sum(sum(1 for _ in open(out, encoding="utf-8")) for out in outs if out.exists())
        result["rejections"] = sum(sum(1 for _ in open(out.with_name(out.stem + ".rejections.jsonl"), encoding="utf-8"))
                                   for out in outs if out.with_name(out.stem + ".rejections.jsonl").exists())
        used = client.info("memory")["used_memory"] - before
        state = sum(client.memory_usage(k, samples=0) or 0 for k in client.scan_iter(f"{PORTAL}:state:*", count=1000))
        dupefilter = sum(client.memory_usage(k, samples=0) or 0 for k in client.scan_iter(f"{PORTAL}:dupefilter*"))
        groups: dict[str, int] = {}  # where used_memory went: MEMORY USAGE by key name, digits folded
        for key in client.scan_iter(count=1000):
            name = re.sub(r"\d+", "#", key.decode("utf-8", "replace"))
            groups[name] = groups.get(name, 0) + (client.memory_usage(key, samples=0) or 0)
        return {**result, "workers": workers, "used_per_page": used / portal["pages"],
                "state_per_page": state / portal["pages"], "dupefilter_per_page": dupefilter / portal["pages"],
                "keys_per_page": {k: v / portal["pages"] for k, v in sorted(groups.items(), key=lambda kv: -kv[1])[:6]}}
    finally:
        server.terminate()
        server.wait(10)


# -- report --------------------------------------------------------------------------------------
def median_run(runs: list[dict]) -> dict:
    """The run of median wall time, with every run's seconds beside it."""
    chosen = dict(sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2])
    chosen["runs"] = [round(r["seconds"], 2) for r in runs]
    return chosen


def run(pages: int, use_redis: bool, repeat: int = 1) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        portal = build_portal(Path(tmp), pages)
        env = {**os.environ, "CLEANERS_PROFILE_PATH": portal["profiles"], "PYTHONHASHSEED": "0"}
        out = Path(tmp)
        row = {"pages": portal["pages"], "articles": pages}
        floors, crawls = [], []
        for i in range(repeat):  # side by side, so a change in the machine's load touches both
            print(f"[{pages}] floor and crawl, run {i + 1} of {repeat} ...", file=sys.stderr)
            floors.append(scrapy_crawl(portal, out / f"floor{i}.jsonl", f"ITEM_PIPELINES={FLOOR_PIPELINES}", env=env))
            crawls.append(scrapy_crawl(portal, out / f"crawl{i}.jsonl", env=env))
        row["floor"], row["crawl"] = median_run(floors), median_run(crawls)
        row["floor100"] = scrapy_crawl(portal, out / "floor100.jsonl", f"ITEM_PIPELINES={FLOOR_PIPELINES}",
                                       "CONCURRENT_ITEMS=100", env=env)
        for jobs in (1, 2):
            print(f"[{pages}] extract --jobs {jobs}, {repeat} run(s) ...", file=sys.stderr)
            row[f"extract{jobs}"] = median_run([extract(portal, jobs, env) for _ in range(repeat)])
        row["simhash"] = simhash_cost(portal)
        row["false_duplicates"] = max(
            sum('"duplicate-of' in line for line in open(rejections, encoding="utf-8")) if rejections.exists() else 0
            for rejections in (out / f"crawl{i}.rejections.jsonl" for i in range(repeat)))
        if use_redis:
            for workers in (1, 2):
                print(f"[{pages}] distributed crawl on redis, {workers} worker(s) ...", file=sys.stderr)
                row["redis" if workers == 1 else "redis2"] = redis_run(portal, env, pages, workers)
        return row


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def section(rows: list[dict], loads: list[str]) -> str:
    workers = os.environ.get("CLEANERS_WORKERS") or f"default ({max((os.cpu_count() or 1) - 1, 1)})"
    lines = ["## Crawl throughput (issue 13)", "",
             f"Generated by `make bench-crawl` (`python -m bench.crawl`) on {dt.date.today()}; {platform.machine()}, "
             f"{os.cpu_count()} CPUs, Python {platform.python_version()}; CLEANERS_WORKERS {workers}; "
             f"1-minute load average when each size started: {', '.join(loads)} (other work shared the CPUs).", "",
             "| articles (pages) | run | seconds | pages/s | × floor | CPU s | CPU × floor | peak RSS MiB | items |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        floor, floor_cpu = row["floor"]["seconds"], row["floor"]["cpu"]
        for name, label in (("floor", "floor: no cleaning (`FloorPipeline`)"),
                            ("floor100", "floor with Scrapy's CONCURRENT_ITEMS=100"), ("crawl", "full crawl"),
                            ("extract1", "`extract --jobs 1`"), ("extract2", "`extract --jobs 2`"),
                            ("redis", "distributed crawl (1 worker, Redis state)"),
                            ("redis2", "distributed crawl (2 workers started together)")):
            r = row.get(name)
            if not r:
                continue
            n = row["articles"] if name.startswith("extract") else row["pages"]
            runs = f" (median of {', '.join(f'{x:.1f}' for x in r['runs'])})" if len(r.get("runs", ())) > 1 else ""
            lines.append(f"| {row['articles']} ({row['pages']}) | {label} | {r['seconds']:.1f}{runs} | {n / r['seconds']:.0f} | "
                         f"{r['seconds'] / floor:.2f} | {r['cpu']:.1f} | {r['cpu'] / floor_cpu:.2f} | "
                         f"{r['peak_mib']:.0f} | {r['items']} |")
    lines.append("")
    for row in rows:
        e1, e2 = row["extract1"]["seconds"], row["extract2"]["seconds"]
        lines.append(f"- {row['articles']} articles: full crawl {row['crawl']['seconds'] / row['floor']['seconds']:.2f}× "
                     f"the floor (target ≤ 1.5); `extract --jobs 2` {e1 / e2:.2f}× `--jobs 1` (target ≥ 1.7); "
                     + (f"{row['crawl']['seconds'] / row['floor100']['seconds']:.2f}× the floor at Scrapy's default "
                        f"CONCURRENT_ITEMS; " if row.get("floor100") else "")
                     + f"crawl {1000 * row['crawl']['seconds'] / row['pages']:.2f} ms/page wall, "
                     f"{1000 * row['crawl']['cpu'] / row['pages']:.2f} ms/page CPU; "
                     f"{row['false_duplicates']} of {row['articles']} distinct articles wrongly rejected as duplicates; "
                     f"SimHash {row['simhash']['before_us']:.0f} µs/article before, {row['simhash']['after_us']:.0f} µs "
                     f"now (same {row['simhash']['bodies']} bodies, {row['simhash']['chars']:.0f} characters on average).")
        for name in ("redis", "redis2"):
            r = row.get(name)
            if not r:
                continue
            lines.append(f"  Redis, {r.get('workers', 1)} worker(s): {r['used_per_page']:.0f} B/page of `INFO memory` used_memory (before seeding, after "
                         f"the crawl), of which the duplicate/incremental state is {r['state_per_page']:.0f} B/page "
                         f"(`MEMORY USAGE` of `{PORTAL}:state:*`; target ≤ 300) and scrapy-redis's request "
                         f"dupefilter {r['dupefilter_per_page']:.0f} B/page; {r['items']} items"
                         + (f", {r['rejections']} rejections" if "rejections" in r else "") + "."
                         + (" Largest keys (B/page): " + ", ".join(f"`{k}` {v:.0f}" for k, v in r["keys_per_page"].items())
                            if r.get("keys_per_page") else ""))
        if row.get("redis") and row.get("redis2"):
            lines.append(f"  2 distributed workers: {row['redis']['seconds'] / row['redis2']['seconds']:.2f}× the "
                         f"pages/s of 1 (wall), CPU {row['redis2']['cpu'] / row['redis']['cpu']:.2f}× (each worker "
                         f"has its own cleaning process: 4 processes on {os.cpu_count()} CPUs).")
    repeats = {len(row["crawl"].get("runs", [0])) for row in rows}
    runs = "One run per size (not a median)" if repeats == {1} else \
        f"Floor, full crawl and extract: median of {'/'.join(map(str, sorted(repeats)))} runs (floor and crawl run side by side); the other rows one run"
    lines += ["", f"Method: see `bench/crawl.py`'s docstring. {runs}. Wall-clock "
              "ratios are what the targets name, but they hold only when the CPUs are free: CPU seconds "
              "(user + system of the whole process tree) show the cost itself whatever the load."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[2000, 20000], help="article counts (default 2000 20000)")
    parser.add_argument("--no-redis", action="store_true", help="skip the distributed crawl")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floor and the full crawl, side by side; "
                        "the median is reported (default 3)")
    parser.add_argument("--no-write", action="store_true", help="print, do not write BENCHMARKS.md")
    parser.add_argument("--save", metavar="FILE", help="also append each size's results to FILE (JSON lines)")
    parser.add_argument("--notes", metavar="FILE", help="append FILE's text (the run's conditions, reading) to the section")
    parser.add_argument("--render", metavar="FILE", nargs="+",
                        help="run nothing: write the section from results saved with --save (sizes run apart)")
    args = parser.parse_args(argv)
    rows, loads = [], []
    if args.render:
        for path in args.render:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                saved = json.loads(line)
                loads.append(saved.pop("load"))
                rows.append(saved)
    else:
        for pages in args.pages:
            loads.append(load())
            rows.append(run(pages, not args.no_redis, max(args.repeat, 1)))
            print(json.dumps(rows[-1]), file=sys.stderr)
            if args.save:
                with open(args.save, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({**rows[-1], "load": loads[-1]}) + "\n")
    rows_loads = sorted(zip(rows, loads), key=lambda rl: rl[0]["articles"])
    text = section([r for r, _ in rows_loads], [l for _, l in rows_loads])
    if args.notes:
        text += "\n" + Path(args.notes).read_text(encoding="utf-8").strip() + "\n"
    print(text)
    if not args.no_write:
        write_section("crawl", text)
        print("wrote BENCHMARKS.md (crawl section)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
