"""Chinese script: detecting Traditional text cheaply, converting it with OpenCC, and writing rule
patterns once (in Simplified) that also match Traditional pages."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


def char_counter(members: str):
    """A function giving len(re.findall(f"[{members}]", text)) without a string per match (one per
    Han character of a page): the characters outside the class are deleted in C and the rest counted."""
    if not members:
        return lambda text: 0
    others = re.compile(f"[^{members}]+")
    return lambda text: len(others.sub("", text))


# Han characters, the Yijing hexagram symbols (U+4DC0-4DFF) among them, as the text rules count them.
han_count = char_counter("\u3400-\u9fff")
_han_only = char_counter("\u4e00-\u9fff\u3400-\u4dbf")   # (_HAN: without them)


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
    text = text[:sample]
    han = _han_only(text)
    if not han:
        return 0.0
    return _traditional_count()(text) / han


@lru_cache(maxsize=1)
def _traditional_count():
    """char_counter of the Han characters that are Traditional-only."""
    return char_counter("".join(sorted(re.escape(c) for c in traditional_only() if _HAN.fullmatch(c))))


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


# -- which Traditional → Simplified conversion a page needs ------------------------------------------
# OpenCC's t2s is character by character for 著: Taiwan writes the aspect particle 着 as 著 (承擔著,
# 著力), which t2s leaves alone; tw2s knows the Taiwan variants (著作 stays 著作), hk2s the Hong Kong
# ones. The region is read from what the page says about itself, strongest evidence first.
_HK_LANG = re.compile(r"^zh[-_](hk|mo|yue)|^yue", re.I)
_TW_LANG = re.compile(r"^zh[-_](tw|hant[-_]tw)", re.I)
# Cantonese written forms: only Hong Kong / Macau pages use them.
_HK_WORDS = re.compile(r"[嘅咗啲冇喺嚟佢哋嘢唔]")
# Taiwan-only words (the mainland and Hong Kong say 软件, 网络, 信息, 出租车, 视频, 博客, 地铁 …).
_TW_WORDS = re.compile(r"軟體|網路|資訊|計程車|捷運|部落格|影片|伺服器|滑鼠|印表機|數位|臺灣|民國\d|行政院|立法院")


def regional_config(text: str, lang: str = "", host: str = "", charset: str = "") -> tuple[str, str]:
    """(OpenCC configuration, why) for a Traditional page: hk2s, tw2s or t2s."""
    host = (host or "").lower().rstrip(".")
    if _HK_LANG.search(lang or ""):
        return "hk2s", f"language tag {lang}"
    if _TW_LANG.search(lang or ""):
        return "tw2s", f"language tag {lang}"
    if host.endswith((".hk", ".mo")):
        return "hk2s", f"domain {host}"
    if host.endswith(".tw"):
        return "tw2s", f"domain {host}"
    if "hkscs" in (charset or "").lower():
        return "hk2s", f"charset {charset}"
    hk, tw = len(_HK_WORDS.findall(text)), len(_TW_WORDS.findall(text))
    if hk >= 3 and hk > tw:
        return "hk2s", "Cantonese vocabulary"
    if tw >= 2:
        return "tw2s", "Taiwan vocabulary"
    if "big5" in (charset or "").lower():
        return "tw2s", f"charset {charset}"
    # No regional evidence: 著 written for the particle is the Taiwan standard (the Hong Kong and
    # OpenCC standard write 着), and tw2s keeps the true 著 (著作, 显著); otherwise t2s is exact.
    if "著" in text and "着" not in text:
        return "tw2s", "著 written for the particle"
    return "t2s", "no regional evidence"


def conversion_for(doc, text: str) -> tuple[str, str]:
    """regional_config with the page's own evidence: <html lang> / Content-Language, URL host and
    declared charset (the decoder reads every Big5 as Big5-HKSCS, so its choice says nothing)."""
    from urllib.parse import urlsplit
    lang = ""
    if doc.tree is not None:
        lang = doc.tree.get("lang") or doc.tree.get("xml:lang") or ""
        if not lang:
            for meta in doc.tree.iter("meta"):
                if (meta.get("http-equiv") or "").lower() == "content-language":
                    lang = meta.get("content") or ""
                    break
    try:
        host = urlsplit(doc.url or "").hostname or ""
    except ValueError:
        host = ""
    charset = re.search(r"charset=([\w-]+)", doc.page.content_type or "", re.I)
    return regional_config(text, lang.strip(), host, charset.group(1) if charset else "")
