"""`python -m bench.hostile [--write]`: seconds of cleaning for hostile and oversized pages.

Issue #8 (7): no page may hold the crawl for more than ~2 s of cleaning. This builds the pages the
issue names (a million <br> lines, 200k paragraphs, a 13 MB page whose text is one 10 MB node,
JSON-LD nested 100k deep, a 20 MB page) and times `Cleaner.run` on each, best of `--repeat` runs
(CPU time of this process, so other load on the machine counts less). With --write the table goes
to its section of BENCHMARKS.md. A benchmark, not a test: tests assert the outcome (too-slow, article).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import time

from cleaners import Cleaner, Page

from .report import write_section

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得着下自之年过发后里道行所然家种事"


def _prose(chars: int, seed: int) -> str:
    rnd = random.Random(seed)
    return "".join(rnd.choice(HAN) + ("，" if i % 17 == 0 else "。" if i % 53 == 52 else "") for i in range(chars))


def _page(body: str, head: str = "") -> bytes:
    return (f'<html><head><meta charset="utf-8"><title>测试</title>{head}</head><body><h1>测试</h1>'
            f'<div class="content">{body}</div></body></html>').encode("utf-8")


def pages():
    yield "1M <br> lines", _page("第一行<br>" * 1_000_000)
    yield "200k paragraphs", _page("".join(f"<p>第{i}段，{_prose(20, i)}</p>" for i in range(200_000)))
    yield "4,900 paragraphs (under the line bound)", _page("".join(f"<p>{_prose(60, i)}</p>" for i in range(4_900)))
    yield "13 MB, one 10 MB text node", _page(f"<p>{_prose(4_200_000, 1)}</p>")
    rnd = random.Random(3)
    words = "the of and to in a is that for it as was with be by on not he this are or his from at which".split()
    english = " ".join(rnd.choice(words) + ("." if i % 15 == 14 else "") for i in range(2_600_000))
    yield "10 MB English text node", _page(f"<p>{english}</p>")
    # No charset declared and not UTF-8: the decoder's guesses run over all of it.
    yield "10 MB GB18030, no charset declared", (
        "<html><head><title>测试</title></head><body><h1>测试</h1><div class='content'>"
        + "".join(f"<p>{_prose(2_600, i)}</p>" for i in range(1_800)) + "</div></body></html>").encode("gb18030")
    yield "20 MB of prose in 1,900 paragraphs", _page("".join(f"<p>{_prose(3_300, i)}</p>" for i in range(1_900)))
    yield "JSON-LD nested 100k deep", _page(f"<p>{_prose(600, 2)}</p>", '<script type="application/ld+json">'
                                             + '{"a":' * 100_000 + "1" + "}" * 100_000 + "</script>")
    yield "100k nested <div>", _page("<div>" * 100_000 + _prose(600, 3) + "</div>" * 100_000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    cleaner = Cleaner(convert=None)
    rows = []
    for name, body in pages():
        best_cpu = best_wall = float("inf")
        for _ in range(args.repeat):
            cpu, wall = time.process_time(), time.perf_counter()
            record = cleaner.run(Page(body=body, url="http://example.cn/hostile.html"))
            best_cpu, best_wall = min(best_cpu, time.process_time() - cpu), min(best_wall, time.perf_counter() - wall)
        outcome = record.get("reason") or f"article, {len(record['articleBody']):,} chars"
        rows.append(f"| {name} | {len(body) / 1e6:.1f} MB | {best_cpu:.2f} | {best_wall:.2f} | {outcome} |")
        print(rows[-1], flush=True)
    if args.write:
        load = os.getloadavg()[0]
        write_section("hostile",
            f"## Hostile pages: seconds of cleaning per page (`python -m bench.hostile --write`)\n\n"
            f"{dt.date.today()}, {platform.machine()} {os.cpu_count()} cores, load average {load:.1f} "
            f"at the end (other jobs shared the CPU: CPU seconds are the fairer figure).\n\n"
            "| page | size | CPU s | wall s | outcome |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
