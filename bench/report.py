"""BENCHMARKS.md is shared by several benchmark commands: each owns one section between
`<!-- NAME:start -->` and `<!-- NAME:end -->` and rewrites only that, so running one benchmark never
erases another's figures."""
from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
TITLE = ("# Benchmarks\n\nEach section is written by its own command (named in it) and keeps its figures "
         "until that command runs again.\n")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(name: str, text: str, path: Path = BENCHMARKS) -> None:
    """Put `text` between the section's markers, replacing what was there (appended if new)."""
    start, end = markers(name)
    block = f"{start}\n{text.strip()}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else TITLE
    if start in current and end in current:
        new = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, current, flags=re.S)
    else:
        new = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
