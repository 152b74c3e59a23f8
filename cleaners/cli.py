"""Command line: `python -m cleaners extract [--portal NAME|auto|generic] [--url URL] [--jobs N] PATH...`

Writes one JSON object per input path to standard output, in input order: the article (the same
fields as the crawler's items, plus `path`), or `{"path", "error", "reason"}` when the input cannot
be turned into an article. Always exits 0 once the arguments are understood. A PATH may be a
folder (its HTML files, recursively, sorted) or `-` (paths read from standard input, one a line);
`--from FILE` reads paths from a file. Progress and a summary line go to standard error.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, deque
from itertools import islice
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterable, Iterator

from .core import Cleaner
from .document import Page, Rejected
from .extract import EXTRACTORS
from .processes import exit_with_parent
from .profiles import ProfileError, ProfileRegistry
from .review.cli import add_review_parser, review_main

# Inputs larger than this are refused unread (same bound as the crawler's DOWNLOAD_MAXSIZE).
MAX_BYTES = 20 * 1024 * 1024


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Rejected("too-large", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    for magic, kind in _COMPRESSED:
        if data.startswith(magic):
            # Never inflated: a small file could expand past any bound (a decompression bomb).
            raise Rejected("binary", f"compressed input ({kind}); decompress it first")
    return data


_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"),
               (b"PK\x03\x04", "zip"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"Rar!", "rar"), (b"\x04\x22\x4d\x18", "lz4"))


def extract_one(cleaner: Cleaner, path: str, portal: str, url: str | None) -> dict:
    try:
        body = _read(path)
    except Rejected as rejection:
        return {"path": path, "error": str(rejection), "reason": rejection.reason}
    except IsADirectoryError:
        return {"path": path, "error": f"a folder with no saved pages ({', '.join(sorted(HTML_SUFFIXES))})",
                "reason": "unreadable"}
    except OSError as exc:
        return {"path": path, "error": f"cannot read the file: {exc.strerror or exc}", "reason": "unreadable"}
    result = cleaner.run(Page(body=body, url=url), portal)
    if "reason" in result:
        detail = result.get("detail")
        return {"path": path, "error": f"{result['reason']}: {detail}" if detail else result["reason"],
                "reason": result["reason"]}
    return {"path": path, **result}


# Files a folder contributes: saved web pages.
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}


def input_paths(paths: Iterable[str], list_file: str | None, stdin=None) -> Iterator[str]:
    """Every input, in the order given: files as they are, folders expanded, `-` and --from read."""
    def listed(fh):
        for line in fh:
            if line.strip():
                yield line.rstrip("\r\n")
    if list_file:
        with open(list_file, encoding="utf-8") as fh:
            yield from listed(fh)
    for path in paths:
        if path == "-":
            yield from listed(stdin or sys.stdin)
        elif os.path.isdir(path):
            found = sorted(str(p) for p in Path(path).rglob("*") if p.suffix.lower() in HTML_SUFFIXES and p.is_file())
            # A folder without pages still gets its record (an `unreadable` one): nothing given is silently skipped.
            yield from found or [path]
        else:
            yield path


_worker: tuple | None = None


def _init_worker(portal: str, url: str | None, convert: str | None, extractor: str) -> None:
    global _worker
    exit_with_parent()
    _worker = (Cleaner(ProfileRegistry.default(), convert=convert, generic=extractor), portal, url)


def extract_chunk(paths: list[str]) -> list[dict]:
    """The task a worker runs: a few inputs per task, so the parent's share of the work (one
    submit, one result to unpickle) is paid per chunk rather than per page."""
    cleaner, portal, url = _worker
    return [extract_one(cleaner, path, portal, url) for path in paths]


# Inputs per task: small enough that a chunk is ~50 ms of work (progress stays live, a worker that
# dies takes few inputs with it), large enough that the parent stays out of the workers' way.
CHUNK = 8


def extract_parallel(paths: Iterable[str], jobs: int, options: tuple, task=extract_chunk,
                     chunk: int = CHUNK) -> Iterator[dict]:
    """extract_one over `paths` in `jobs` processes, yielding records in input order. A worker that
    dies breaks the pool: the inputs it held are run again one by one, and the one that kills a
    worker alone is a `worker-died` record. `task` (a module-level function over a list of paths,
    like `extract_chunk`) is for tests."""
    def pool(size):
        return ProcessPoolExecutor(size, initializer=_init_worker, initargs=options)

    executor = pool(jobs)
    pending: deque = deque()
    paths = iter(paths)
    try:
        while True:
            while len(pending) < 2 * jobs:  # a window ahead: workers stay busy, memory stays flat
                batch = list(islice(paths, chunk))
                if not batch:
                    break
                try:
                    future = executor.submit(task, batch)
                except BrokenProcessPool as exc:  # a worker died since the last result: handled in turn
                    future = Future()
                    future.set_exception(exc)
                pending.append((batch, future))
            if not pending:
                return
            batch, future = pending.popleft()
            try:
                yield from future.result()
            except BrokenProcessPool:
                executor.shutdown(wait=False, cancel_futures=True)
                alone = pool(1)  # one process for the suspects, replaced only when one of them kills it
                try:
                    for suspect in batch + [path for held, _ in pending for path in held]:
                        try:
                            yield from alone.submit(task, [suspect]).result()
                        except BrokenProcessPool:
                            alone.shutdown(wait=False)
                            alone = pool(1)
                            yield {"path": suspect, "error": "worker-died: the worker cleaning this file died "
                                   "(a crash or the memory limit)", "reason": "worker-died"}
                finally:
                    alone.shutdown(wait=True)
                pending.clear()
                executor = pool(jobs)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


class Progress:
    """A tqdm bar on standard error when it is a terminal; the summary line at the end."""

    def __init__(self, quiet: bool, total: int | None):
        self.quiet = quiet
        self.started = time.monotonic()
        self.pages = 0
        self.reasons: Counter = Counter()
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="page", file=sys.stderr, dynamic_ncols=True)

    def update(self, record: dict) -> None:
        self.pages += 1
        if "reason" in record:
            self.reasons[record["reason"].split(" ")[0]] += 1
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.quiet:
            return
        seconds = time.monotonic() - self.started
        rejections = sum(self.reasons.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(self.reasons.items()))
        print(f"extract: {self.pages} pages -> {self.pages - rejections} articles, {rejections} rejections"
              f"{' (' + detail + ')' if detail else ''} in {seconds:.1f} s ({self.pages / max(seconds, 1e-9):.1f} pages/s)",
              file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cleaners")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="clean saved pages into article JSON lines")
    ex.add_argument("paths", nargs="*", metavar="PATH",
                    help="a saved page, a folder of them (recursively), or - to read paths from standard input")
    ex.add_argument("--portal", default="auto",
                    help="profile name, 'auto' (by URL, else generic; the default) or 'generic'")
    ex.add_argument("--url", help="the URL the page(s) came from (used for profile matching)")
    ex.add_argument("--extractor", default="generic", choices=sorted(EXTRACTORS),
                    help="extractor for generic mode")
    ex.add_argument("--no-convert", action="store_true", help="keep Traditional script as it is")
    ex.add_argument("--from", dest="list_file", metavar="FILE", help="read input paths from FILE, one a line")
    ex.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                    help="clean in N processes (output stays in input order; default 1)")
    ex.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")
    sub.add_parser("profiles", help="list the known portal profiles")
    le = sub.add_parser("learn", help="draft a portal profile from saved pages of the portal")
    le.add_argument("pages", nargs="+", metavar="PAGE", help="saved pages, or a fixtures folder with manifest.json")
    le.add_argument("--name", required=True, help="the portal's name (the profile is written to OUT/NAME.toml)")
    le.add_argument("--out", default=".", help="folder to write the profile into (default: here)")
    le.add_argument("--url-pattern", help="regex on page URLs for the profile (default: from the pages' URLs)")
    le.add_argument("--url", help="the URL the page files came from (without a manifest)")
    add_review_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "review":
        return review_main(args)
    if args.command == "learn":
        from .learn import learn_command
        return learn_command(args, parser)

    try:
        registry = ProfileRegistry.default()
        if args.command == "profiles":
            for profile in registry:
                print(f"{profile.name}\t{profile.description}")
            return 0
        if args.portal not in ("auto", "generic"):
            registry.get(args.portal)
    except ProfileError as exc:
        parser.error(str(exc))

    if not args.paths and not args.list_file:
        parser.error("extract: give at least one PATH, - or --from FILE")
    if args.jobs < 1:
        parser.error("extract: --jobs must be at least 1")
    convert = None if args.no_convert else "auto"
    paths = input_paths(args.paths, args.list_file)
    total = None
    if not args.list_file and "-" not in args.paths:  # a stream of paths is never read ahead
        paths = list(paths)
        total = len(paths)
    if args.jobs > 1:
        records = extract_parallel(paths, args.jobs, (args.portal, args.url, convert, args.extractor))
    else:
        cleaner = Cleaner(registry, convert=convert, generic=args.extractor)
        records = (extract_one(cleaner, path, args.portal, args.url) for path in paths)
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8")
    progress = Progress(args.quiet, total)
    try:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            progress.update(record)
    finally:
        progress.close()
    return 0
