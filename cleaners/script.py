"""Chinese script: detecting Traditional text cheaply, converting it with OpenCC, and writing rule
patterns once (in Simplified) that also match Traditional pages."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


@lru_cache(maxsize=1)
def _opencc_dir() -> Path | None:
    try:
        import opencc
    except ImportError:
        return None
    folder = Path(opencc.__file__).parent / "dictionary"
    # The official `opencc` package also installs a module named opencc, without these text files.
    return folder if (folder / "TSCharacters.txt").exists() else None


def _read_char_table(name: str) -> dict[str, str]:
    folder = _opencc_dir()
    table: dict[str, str] = {}
    if folder is None:
        return table
    for row in (folder / name).read_text(encoding="utf-8").splitlines():
        key, _, values = row.partition("\t")
        if len(key) == 1 and values:
            table[key] = values.replace(" ", "")
    return table


@lru_cache(maxsize=1)
def traditional_only() -> frozenset[str]:
    """Characters that OpenCC would change when converting to Simplified."""
    return frozenset(k for k, v in _read_char_table("TSCharacters.txt").items() if k not in v)


@lru_cache(maxsize=1)
def _s2t_chars() -> dict[str, str]:
    return {k: "".join(c for c in v if c != k) for k, v in _read_char_table("STCharacters.txt").items()}


def traditional_share(text: str, sample: int = 4000) -> float:
    """Share of Han characters in (a sample of) `text` that are Traditional-only."""
    trad = traditional_only()
    han = _HAN.findall(text[:sample])
    if not han:
        return 0.0
    return sum(1 for c in han if c in trad) / len(han)


_KANA = re.compile(r"[\u3040-\u30ff]")


def is_japanese(text: str, sample: int = 4000) -> bool:
    """Kana mark Japanese, whose kanji OpenCC would wrongly 'simplify'."""
    return len(_KANA.findall(text[:sample])) >= 5


def is_traditional(text: str, threshold: float = 0.04) -> bool:
    # Simplified prose has no Traditional-only characters at all; a few percent means a Traditional page.
    return traditional_share(text) >= threshold and not is_japanese(text)


@lru_cache(maxsize=4)
def _converter(config: str):
    from opencc import OpenCC
    return OpenCC(config)


def to_simplified(text: str, config: str = "t2s") -> str:
    return _converter(config).convert(text) if text else text


def tolerant(pattern: str) -> str:
    """Widen every Simplified character of a regex so that its Traditional forms match too.

    `编辑` becomes `[编編][辑輯]`; inside an existing class the variants are appended.
    """
    variants = _s2t_chars()
    out, in_class, escaped = [], False, False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            out.append(ch)
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        alt = variants.get(ch)
        if alt:
            out.append(ch + alt if in_class else f"[{ch}{alt}]")
        else:
            out.append(ch)
    return "".join(out)


def compile_tolerant(pattern: str, flags: int = 0) -> re.Pattern:
    return re.compile(tolerant(pattern), flags)
