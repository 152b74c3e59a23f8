"""`python -m bench [--dataset zh,en,fixtures] [--half tune|test|all] [--limit N] [--systems ...] [--pages FILE] [--no-write]`

The shared datasets are split into a tuning half and a test half by site (bench.datasets.split_halves);
tune on `--half tune`, and read the test half only in the full run that writes BENCHMARKS.md.

Runs every system in its own subprocess, one after the other (so timings do not compete for the
CPU), scores the output with the shared datasets' score.py, prints a table and (for a full run)
writes it to BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from .datasets import LOADERS, ROOT, SHARED, load, shared_available
from .systems import SYSTEMS

DATASET_TITLES = {"zh": "zh-web-extraction (69)", "en": "article-extraction-benchmark (181)",
                  "fixtures": "project fixture articles"}


def load_score():
    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_worker(system: str, datasets: list[str], limit: int, half: str = "all") -> dict:
    cmd = [sys.executable, "-m", "bench.worker", system, ",".join(datasets), str(limit), half]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    if proc.returncode != 0:
        raise SystemExit(f"bench worker for {system} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def _simplified(text: str, config: str) -> str:
    from cleaners.script import to_simplified
    return to_simplified(text, config)


def _groups(dataset: str, half: str) -> list[str]:
    """The table rows a page counts in: its dataset, and its half of a split dataset."""
    return [dataset] if half == "all" else [dataset, f"{dataset} {half}"]


def score_system(score, out: dict, cases: dict) -> dict:
    """Per dataset (and per half of a split dataset): quality summary over article pages, rejections
    of non-article pages, speed."""
    by_ds: dict[str, dict] = {}
    for r in out["results"]:
        case = cases[(r["dataset"], r["id"])]
        for group in _groups(r["dataset"], case.extra.get("half", "all")):
            _score_page(score, by_ds.setdefault(group, {"rows": [], "ms": [], "rejected_ok": 0,
                                                        "non_articles": 0, "pages": []}), r, case)
    return by_ds


def _score_page(score, ds: dict, r: dict, case) -> None:
    ds["ms"].append(r["ms"])
    ds.setdefault("cpu_ms", []).append(r.get("cpu_ms", r["ms"]))
    truth = case.truth
    if truth is None:  # fixture list/other page: must be rejected
        ds["non_articles"] += 1
        ds["rejected_ok"] += r.get("text") is None
        return
    if r.get("converted"):  # we converted Traditional to Simplified: compare like with like
        truth = _simplified(truth, r.get("conversion") or "t2s")
    prf = score.prf(r.get("text") or "", truth)
    ds["rows"].append(prf)
    ds["pages"].append({"id": r["id"], "P": prf[0], "R": prf[1], "F1": prf[2], "half": case.extra.get("half"),
                        "reason": r.get("reason"), "extractor": r.get("extractor")})


def metadata_accuracy(out: dict, cases: dict, half: str = "all") -> dict:
    """Generic mode's date and author against zh eval/date_ground.json and author_ground.json."""
    date_ok = date_n = auth_ok = auth_n = 0
    for r in out["results"]:
        if r["dataset"] != "zh" or half not in ("all", cases[("zh", r["id"])].extra.get("half")):
            continue
        extra = cases[("zh", r["id"])].extra
        want_date = extra.get("date")
        if want_date and want_date != "UNKNOWN":
            m = re.search(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", want_date)
            if m:
                date_n += 1
                iso = "%s-%02d-%02d" % (m[1], int(m[2]), int(m[3]))
                date_ok += (r.get("datePublished") or "")[:10] == iso
        want_author = extra.get("author")
        if want_author and want_author != "UNKNOWN":
            auth_n += 1
            got = " ".join(r.get("authors") or [])
            auth_ok += bool(got) and (want_author in got or got in want_author)
    return {"date": (date_ok, date_n), "author": (auth_ok, auth_n)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--dataset", default="zh,en,fixtures", help="comma-separated: zh, en, fixtures")
    parser.add_argument("--half", default="all", choices=("tune", "test", "all"),
                        help="only this half of the split datasets (tune while developing; default: both)")
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each dataset (0: all)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated: " + ", ".join(SYSTEMS))
    parser.add_argument("--pages", help="write generic mode's per-page scores (JSON) to this file")
    parser.add_argument("--no-write", action="store_true", help="do not write BENCHMARKS.md")
    args = parser.parse_args(argv)

    datasets = [d for d in args.dataset.split(",") if d]
    unknown = set(datasets) - set(LOADERS)
    if unknown:
        parser.error(f"unknown dataset(s) {sorted(unknown)}; known: {', '.join(LOADERS)}")
    if not shared_available():
        skipped = [d for d in datasets if d in ("zh", "en")]
        if skipped:
            print(f"{SHARED} is missing: skipping {', '.join(skipped)}", file=sys.stderr)
        datasets = [d for d in datasets if d not in ("zh", "en")]
        score = None
    else:
        score = load_score()
    if not datasets:
        print("nothing to benchmark", file=sys.stderr)
        return 1
    if score is None:
        # score.py lives with the shared datasets; without it, fall back to a local copy of the metric.
        from . import metric as score

    cases = {}
    for name in datasets:
        for case in load(name, args.limit, args.half):
            cases[(case.dataset, case.id)] = case

    systems = [s for s in args.systems.split(",") if s]
    outs, scored = {}, {}
    for system in systems:
        print(f"running {system} ...", file=sys.stderr, flush=True)
        outs[system] = run_worker(system, datasets, args.limit, args.half)
        scored[system] = score_system(score, outs[system], cases)

    table = render(score, datasets, systems, outs, scored, cases, args)
    print(table)
    if args.pages and "generic" in scored:
        pages = {ds: v["pages"] for ds, v in scored["generic"].items() if " " not in ds}
        Path(args.pages).write_text(json.dumps(pages, ensure_ascii=False, indent=1), encoding="utf-8")
    full = not args.limit and args.half == "all" and set(datasets) == set(LOADERS) and set(systems) == set(SYSTEMS)
    if full and not args.no_write:
        (ROOT / "BENCHMARKS.md").write_text(document(table), encoding="utf-8")
        print("wrote BENCHMARKS.md", file=sys.stderr)
    return 0


def render(score, datasets, systems, outs, scored, cases, args) -> str:
    lines = ["| dataset | system | pages | P | R | **F1** (of means) | mean F1 | ms/page | CPU ms/page | peak RSS MB (Δ) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    groups = [g for ds in datasets for g in (ds, f"{ds} tune", f"{ds} test")]
    for ds in groups:
        for system in systems:
            v = scored[system].get(ds)
            if not v:
                continue
            ms = sum(v["ms"]) / len(v["ms"])
            cpu_ms = sum(v["cpu_ms"]) / len(v["cpu_ms"])
            out = outs[system]
            mem = f"{out['rss_peak_kib'] / 1024:.0f} ({(out['rss_peak_kib'] - out['rss_base_kib']) / 1024:+.0f})"
            if v["rows"]:
                s = score.summary(v["rows"])
                q = f"{s['n']} | {s['P']:.3f} | {s['R']:.3f} | **{s['F1_of_means']:.3f}** | {s['mean_F1']:.3f}"
            else:
                q = "0 | | | | "
            lines.append(f"| {ds} | {system} | {q} | {ms:.1f} | {cpu_ms:.1f} | {mem} |")
    notes = []
    if "fixtures" in datasets:
        for system in systems:
            v = scored[system].get("fixtures")
            if v and v["non_articles"]:
                notes.append(f"- fixtures, {system}: {v['rejected_ok']}/{v['non_articles']} list/other pages rejected")
    if "zh" in datasets and "generic" in outs:
        for half in ("all", "tune", "test"):
            acc = metadata_accuracy(outs["generic"], cases, half)
            (d_ok, d_n), (a_ok, a_n) = acc["date"], acc["author"]
            if d_n or a_n:
                notes.append(f"- zh metadata, generic ({'both halves' if half == 'all' else half + ' half'}): "
                             f"publish date (day) {d_ok}/{d_n} correct; author {a_ok}/{a_n} correct "
                             "(pages whose truth is not UNKNOWN)")
    if args.half != "all":
        notes.append(f"- {args.half} half only")
    if args.limit:
        notes.append(f"- quick run: first {args.limit} pages of each dataset")
    return "\n".join(lines + ([""] + notes if notes else []))


def document(table: str) -> str:
    machine = f"{platform.node() or 'host'}: {platform.processor() or platform.machine()}, " \
              f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    try:
        import trafilatura
        import readability  # noqa: F401
        versions = f"trafilatura {trafilatura.__version__}, readability-lxml " + _dist_version("readability-lxml")
    except ImportError:
        versions = ""
    return f"""# Benchmarks

Generated by `make bench` (`python -m bench`) on {dt.date.today().isoformat()}; machine: {machine};
{versions}.

{table}

## Method

- Quality: `../shared/datasets/score.py` (4-token shingles, every CJK character one token). Per page
  precision and recall of the extracted article body against the hand-made truth; **F1** is the F1
  of mean precision and mean recall (the metric of the project's targets). Only the article body is
  scored (no headline). A rejected page scores 0. When generic mode converted a Traditional page to
  Simplified, the truth is converted with the OpenCC configuration it chose (t2s/tw2s/hk2s) before
  scoring; a Traditional seed's truth is scored as Simplified (ruby pinyin removed, OpenCC tw2s).
- Tuning and test halves: each shared dataset is split by site (registrable domain of the page URL,
  `<text id>`, canonical or og:url, else of the page's own links), sites shuffled with a fixed seed
  and dealt to the half with fewer pages (`bench/datasets.py`). Rules and thresholds are tuned on the
  `tune` rows only (`python -m bench --half tune`); the `test` rows are read in the full run. The
  fixtures are the project's own pages (written with the rules in view): one set, no halves.
- Datasets, read in place: `zh-web-extraction` (69 Chinese pages), `article-extraction-benchmark`
  (181, mostly English), and the project's fixture articles (truth: the seed's `body` lines from
  `seeds/truth.json`, or `tests/golden/<portal>/<page>.json` when present; other articles skipped).
  Fixture list/other pages must be rejected; the note under the table counts them.
- Systems: `generic` is `Cleaner().run(Page(bytes), portal="generic")`: decoding, parsing, metadata,
  extraction, rules, normalisation and validation. The baselines get the page already decoded by our
  decoder (their time does not include decoding): `trafilatura.extract(html)`, the same with
  `favor_precision=True`, and readability-lxml `Document(html).summary()` as text.
- Speed and memory: each system runs in its own process, one after another, over the same pages
  (one warm-up page first). ms/page is wall time per page, CPU ms/page the process's CPU time per
  page (the fairer comparison when other jobs share the machine: wall time then depends on when each
  system happened to run); peak RSS is the process's `ru_maxrss`
  (Δ: growth over the resident size after loading the pages and the warm-up).
"""


def _dist_version(name: str) -> str:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
