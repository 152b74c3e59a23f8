"""Command line: `python -m cleaners extract [--portal NAME|auto|generic] [--url URL] PATH...`

Writes one JSON object per input path to standard output, in input order: the article (the same
fields as the crawler's items, plus `path`), or `{"path", "error", "reason"}` when the input cannot
be turned into an article. Always exits 0 once the arguments are understood.
"""
from __future__ import annotations

import argparse
import json
import sys

from .core import Cleaner
from .document import Page, Rejected
from .extract import EXTRACTORS
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
    except OSError as exc:
        return {"path": path, "error": f"cannot read the file: {exc.strerror or exc}", "reason": "unreadable"}
    result = cleaner.run(Page(body=body, url=url), portal)
    if "reason" in result:
        detail = result.get("detail")
        return {"path": path, "error": f"{result['reason']}: {detail}" if detail else result["reason"],
                "reason": result["reason"]}
    return {"path": path, **result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cleaners")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="clean saved pages into article JSON lines")
    ex.add_argument("paths", nargs="+", metavar="PATH")
    ex.add_argument("--portal", default="auto",
                    help="profile name, 'auto' (by URL, else generic; the default) or 'generic'")
    ex.add_argument("--url", help="the URL the page(s) came from (used for profile matching)")
    ex.add_argument("--extractor", default="generic", choices=sorted(EXTRACTORS),
                    help="extractor for generic mode")
    ex.add_argument("--no-convert", action="store_true", help="keep Traditional script as it is")
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

    cleaner = Cleaner(registry, convert=None if args.no_convert else "auto", generic=args.extractor)
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8")
    for path in args.paths:
        out.write(json.dumps(extract_one(cleaner, path, args.portal, args.url), ensure_ascii=False) + "\n")
        out.flush()
    return 0
