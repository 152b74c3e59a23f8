"""`python -m cleaners review ITEMS.jsonl [REJECTIONS.jsonl] [--pages DIR|--fixtures] [--against DIR] -o DIR`"""
from __future__ import annotations

import sys
from pathlib import Path

# The repository's fixtures (an editable install runs from the checkout); else ./fixtures.
_REPO_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def add_review_parser(sub) -> None:
    review = sub.add_parser("review", help="write a static review site of items and rejections",
                            description="Write a static site (open DIR/index.html from disk) showing "
                                        "each page with its removed spans highlighted by rule.")
    review.add_argument("records", nargs="+", metavar="JSONL",
                        help="items and/or rejections as JSON lines (crawler feeds, or `cleaners extract` output)")
    source = review.add_mutually_exclusive_group()
    source.add_argument("--pages", action="append", default=[], metavar="DIR",
                        help="saved original pages: folders with manifest.json files (fixtures format); repeatable")
    source.add_argument("--fixtures", action="store_true", help="the original pages are the repository's fixtures/")
    review.add_argument("--against", metavar="DIR", help="golden folder (tests/golden) to compare each page with")
    review.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the site into (index.html; its view/ folder is replaced)")


def review_main(args) -> int:
    from . import build_review

    for path in args.records + ([args.against] if args.against else []):
        if not Path(path).exists():
            print(f"review: {path}: no such file or folder", file=sys.stderr)
            return 2
    pages = list(args.pages)
    if args.fixtures:
        fixtures = _REPO_FIXTURES if _REPO_FIXTURES.is_dir() else Path("fixtures")
        if not fixtures.is_dir():
            print("review: --fixtures: no fixtures/ folder here; use --pages DIR", file=sys.stderr)
            return 2
        pages.append(str(fixtures))
    try:
        index, problems = build_review(args.records, args.output, pages=pages, against=args.against)
    except OSError as exc:
        print(f"review: cannot write the site: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"review: {problem}", file=sys.stderr)
    print(f"wrote {index} (open it in a browser: file://{index.resolve()})")
    return 0
