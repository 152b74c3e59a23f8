"""Content fingerprints for duplicate detection, designed for a key-value store.

Exact duplicates share `exact_key` (a hash of the body without whitespace). Near duplicates (the same
article with a different line of chrome left in, a reposted copy with its own byline) have SimHashes
a few bits apart. To find them with plain key lookups (a StateStore `add`, i.e. Redis SET NX), the
64-bit SimHash is cut into 6 blocks and every choice of 3 blocks is a key (20 keys): two hashes at
most 3 bits apart differ in at most 3 blocks, so they agree on some 3 whole blocks and share that key
(Manku et al., "Detecting near-duplicates for web crawling", 2007). A key holds ~32 bits, so
unrelated pages rarely meet on one, and each candidate is confirmed by its full Hamming distance.

SimHash is noisy on short articles (a 200-character notice moves 5-10 bits when one line of chrome
is added), so paragraphs are fingerprinted too: each distinct paragraph is a key whose first holder
is recorded, and a page whose paragraphs mostly belong to one earlier page (Jaccard over
paragraphs) is a duplicate of it. Chrome comes and goes in whole lines, which this tolerates.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from itertools import combinations

BITS = 64
MAX_DISTANCE = 3
_BLOCKS = ((0, 11), (11, 22), (22, 33), (33, 44), (44, 54), (54, 64))
_COMBOS = list(combinations(range(len(_BLOCKS)), len(_BLOCKS) - MAX_DISTANCE))
# Enough text to characterise an article; keeps a 20 MB page from costing seconds here.
_MAX_CHARS = 50_000
_NOT_WORD = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    return _NOT_WORD.sub("", text).lower()


def exact_key(text: str) -> str:
    return hashlib.sha1(_squash(text).encode("utf-8")).hexdigest()


def simhash(text: str, n: int = 3) -> int:
    """SimHash over character n-grams (Chinese has no spaces to split words on)."""
    text = _squash(text)[:_MAX_CHARS]
    grams = Counter(text[i:i + n] for i in range(max(len(text) - n + 1, 1)))
    weights = [0] * BITS
    for gram, count in grams.items():
        h = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(BITS):
            weights[bit] += count if h >> bit & 1 else -count
    return sum(1 << bit for bit in range(BITS) if weights[bit] > 0)


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def band_keys(value: int) -> list[str]:
    """The 20 lookup keys of a SimHash: `<combo>:<bits of its 3 blocks>`."""
    keys = []
    for i, combo in enumerate(_COMBOS):
        bits = 0
        for block in combo:
            start, end = _BLOCKS[block]
            bits = bits << (end - start) | (value >> start) & ((1 << (end - start)) - 1)
        keys.append(f"{i}:{bits:x}")
    return keys


# Paragraphs shorter than this (squashed) are datelines, captions, "编辑：" lines: not evidence.
MIN_LINE_CHARS = 8
MIN_JACCARD = 0.6


def line_keys(text: str) -> list[str]:
    """One key per distinct paragraph long enough to identify the article, in order."""
    keys = {}
    for line in text.splitlines():
        squashed = _squash(line)
        if len(squashed) >= MIN_LINE_CHARS:
            keys.setdefault(hashlib.sha1(squashed.encode("utf-8")).hexdigest()[:24], None)
    return list(keys)


def jaccard(shared: int, mine: int, theirs: int) -> float:
    union = mine + theirs - shared
    return shared / union if union else 0.0
