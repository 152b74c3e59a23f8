"""Content fingerprints for duplicate detection, and the duplicate check built on them.

Exact duplicates share `exact_key` (64 bits of a hash of the body without whitespace). Near
duplicates (the same article with a different line of chrome left in, a reposted copy with its own
byline) have SimHashes a few bits apart. To find them with bucket lookups, the 64-bit SimHash is cut
into 4 blocks of 16 bits and each block is a bucket (`band_keys`): two hashes at most 3 bits apart
differ in at most 3 blocks, so they share a whole block (the pigeonhole form of Manku et al.,
"Detecting near-duplicates for web crawling", 2007). Every page in a bucket is then confirmed by
its full Hamming distance.

SimHash is noisy on short articles (a 200-character notice moves 5-10 bits when one line of chrome
is added), so paragraphs are fingerprinted too, as a bottom-k sketch: the LINE_SKETCH paragraphs
with the smallest hashes stand for the page (a MinHash-style sample: two pages that share most
paragraphs share most of their smallest ones). A page that shares at least 2 of its sketch's
paragraphs, and MIN_JACCARD of the sketch, with one earlier page is a duplicate of it. Chrome comes and goes in whole lines, which this tolerates.

The state kept per article is small and fixed (1 record, 4 bucket entries, at most LINE_SKETCH
paragraph keys), whatever the length of the page: see `DuplicateFinder`.
"""
from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections import Counter

import numpy as np

BITS = 64
MAX_DISTANCE = 3
BLOCKS = 4          # MAX_DISTANCE + 1 blocks: the pigeonhole guarantee
_BLOCK_BITS = BITS // BLOCKS
# Enough text to characterise an article; keeps a 20 MB page from costing seconds here.
_MAX_CHARS = 50_000
_NOT_WORD = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    return _NOT_WORD.sub("", text).lower()


def exact_key(text: str) -> str:
    """64 bits (16 hex digits) of SHA-1: 10 million distinct articles collide with probability 3e-6."""
    return _exact_squashed(_squash(text))


def _exact_squashed(squashed: str) -> str:
    return hashlib.sha1(squashed.encode("utf-8")).hexdigest()[:16]


# splitmix64's finaliser: a bijection on 64-bit integers that mixes every input bit into every
# output bit, so distinct n-grams (packed losslessly into one integer) get distinct, uniform hashes.
_M1, _M2, _GOLDEN = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x9E3779B97F4A7C15)
_S21, _S42, _S30, _S27, _S31 = (np.uint64(s) for s in (21, 42, 30, 27, 31))


def simhash(text: str, n: int = 3) -> int:
    """SimHash over character trigrams (Chinese has no spaces to split words on), vectorised: each
    trigram's three code points (21 bits each) are packed into one integer and mixed; bit i of the
    result is set when more than half of the trigram occurrences have bit i set."""
    return _simhash_squashed(_squash(text)[:_MAX_CHARS], n)


def _simhash_squashed(text: str, n: int = 3) -> int:
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(points) < n:  # too short for one n-gram: the whole text is the one gram
        points = np.concatenate([points, np.zeros(n - len(points), dtype=np.uint64)])
    grams = len(points) - n + 1
    x = (points[:grams] << _S42) ^ (points[1:grams + 1] << _S21) ^ points[2:grams + 2]
    # (in place: integer arrays wrap around silently, and each temporary costs more than the
    # arithmetic on an article's few hundred trigrams)
    x += _GOLDEN
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    bits = np.unpackbits(x.astype("<u8", copy=False).view(np.uint8), bitorder="little").reshape(-1, BITS)
    majority = 2 * bits.sum(axis=0, dtype=np.int64) > grams
    return int(np.packbits(majority, bitorder="little").view("<u8")[0])


def simhash_reference(text: str, n: int = 3) -> int:
    """The pure-Python SimHash this module used before (BLAKE2b per trigram, ~8 ms a page): the
    quality bar the vectorised one is tested against (tests/test_state.py, bench/crawl.py)."""
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


def band_keys(value: int) -> list[int]:
    """The 4 bucket numbers of a SimHash: block i (16 bits) as `i << 16 | bits`."""
    mask = (1 << _BLOCK_BITS) - 1
    return [i << _BLOCK_BITS | (value >> (i * _BLOCK_BITS)) & mask for i in range(BLOCKS)]


# Paragraphs shorter than this (squashed) are datelines, captions, "编辑：" lines: not evidence.
MIN_LINE_CHARS = 8
MIN_JACCARD = 0.6
# Paragraph keys kept per page: the sketch's size (state cost per page is proportional to it).
LINE_SKETCH = 3


def line_keys(text: str) -> list[str]:
    """One key per distinct paragraph long enough to identify the article, in order."""
    return _line_keys_squashed(_squash(line) for line in text.splitlines())


def _line_keys_squashed(lines) -> list[str]:
    keys = {}
    for squashed in lines:
        if len(squashed) >= MIN_LINE_CHARS:
            keys.setdefault(_exact_squashed(squashed), None)
    return list(keys)


def line_sketch(text: str, k: int = LINE_SKETCH) -> list[str]:
    """The k paragraph keys with the smallest hashes (a bottom-k sketch of the paragraph set)."""
    return _bottom(line_keys(text), k)


def _bottom(keys, k: int = LINE_SKETCH) -> list[str]:
    return sorted(keys)[:k]


def jaccard(shared: int, mine: int, theirs: int) -> float:
    union = mine + theirs - shared
    return shared / union if union else 0.0


def sketch_similarity(shared: int, mine: int, theirs: int) -> float:
    """Jaccard estimated from two bottom-k sketches: the share of the sketch the pages have in
    common (a page with one paragraph more keeps k-1 of k: 2/3 for k = 3)."""
    size = max(mine, theirs)
    return shared / size if size else 0.0


def _ref(key: str) -> str:
    """A body fingerprint written compactly (11 characters of base64 for 16 hex digits)."""
    return base64.urlsafe_b64encode(bytes.fromhex(key)).decode("ascii").rstrip("=")


def _unref(ref: str) -> str:
    return base64.urlsafe_b64decode(ref + "=").hex()


class Prints:
    """What the duplicate check needs from an article body, computed once: in a cleaning worker
    (crawler.cleaning_pool) rather than on the reactor when the crawl cleans in processes. `body`
    is the text they were computed from (pickled with the item's body, the one string travels once): a
    pipeline that changes the body gets them recomputed."""
    __slots__ = ("body", "simhash", "exact", "sketch")

    def __init__(self, body: str):
        self.body = body
        # The body's word characters, read once for all three prints: the paragraph breaks that
        # splitlines() cuts on are all non-word characters, so the paragraphs' squashed texts
        # joined are the body's (lower-cased after joining, as _squash does: a final sigma depends
        # on what follows it).
        words = [_NOT_WORD.sub("", line) for line in body.splitlines()]
        squashed = "".join(words).lower()
        self.simhash = _simhash_squashed(squashed[:_MAX_CHARS])
        self.exact = _exact_squashed(squashed)[:4]
        self.sketch = _bottom(_line_keys_squashed(w.lower() for w in words))

    def fits(self, body: str) -> bool:
        return self.body is body or self.body == body


class DuplicateFinder:
    """The duplicate check over a `crawler.state.StateStore`: "which earlier article is this a copy
    of?", registering the page as it asks (first come, first kept, atomically in every backend).

    A page is known by its SimHash. Per article the store holds: SimHash -> "<4 hex digits of the
    exact key><URL>" (DUP_DOCS, the one place a URL is kept; an identical SimHash is a copy, and the
    exact-key digits tell "the same text" from "0 bits apart"); the SimHash in each of its 4 buckets
    (DUP_NEAR, 8 bytes each); its paragraph sketch (DUP_LINES: paragraph key -> "<sketch size>
    <SimHash in base64>"). Each lookup is one batch: one transaction or round trip.
    """

    def __init__(self, store, max_distance: int = MAX_DISTANCE):
        if max_distance > MAX_DISTANCE:
            raise ValueError(f"DUPLICATES_MAX_DISTANCE can be at most {MAX_DISTANCE} (the SimHash has "
                             f"{BLOCKS} blocks, so only {MAX_DISTANCE} differing bits are sure to leave one intact)")
        self.store = store
        self.max_distance = max_distance

    def first_copy(self, url: str, body: str, prints: Prints | None = None) -> tuple[str | None, str]:
        """(URL of an earlier copy, how it matched), or (None, "") for a new article. A page that
        matches only itself (the same URL in an earlier run) is new: re-emitting is incremental
        mode's call. One transaction per page where the store has them. `prints`: the body's
        fingerprints if already computed (from `Prints(body)`)."""
        if prints is None or not prints.fits(body):
            prints = Prints(body)
        with self.store.batch():
            return self._first_copy(url, prints)

    def _first_copy(self, url: str, prints: Prints) -> tuple[str | None, str]:
        from .state import DUP_DOCS, DUP_LINES, DUP_NEAR

        store = self.store
        mine = prints.simhash
        me, check = f"{mine:016x}", prints.exact
        held = store.add(DUP_DOCS, me, check + url)
        if held is not None and held[4:] != url:
            return held[4:], "exact: the same text" if held[:4] == check else "near: SimHash 0 bits apart"

        candidates = {}
        for held in store.bucket_add(DUP_NEAR, [(band, struct.pack(">Q", mine)) for band in band_keys(mine)]):
            for member in held:
                theirs = struct.unpack(">Q", member)[0]
                candidates[theirs] = distance(mine, theirs)
        for theirs, d in sorted(candidates.items(), key=lambda kv: kv[1]):
            if d <= self.max_distance:
                other = store.get(DUP_DOCS, f"{theirs:016x}")
                if other and other[4:] != url:
                    return other[4:], f"near: SimHash {d} bits apart"

        sketch = prints.sketch
        if len(sketch) < 2:  # one paragraph is no evidence (and would cost state for nothing)
            return None, ""
        owners: Counter = Counter()
        for held in store.add_many(DUP_LINES, [(key, f"{len(sketch)}{_ref(me)}") for key in sketch]):
            if held and _unref(held[1:]) != me:
                owners[held] += 1
        for held, shared in owners.most_common():
            score = sketch_similarity(shared, len(sketch), int(held[0]))
            if shared >= 2 and score >= MIN_JACCARD:
                other = store.get(DUP_DOCS, _unref(held[1:]))
                if other and other[4:] != url:
                    return other[4:], f"near: {shared} of {len(sketch)} sampled paragraphs shared (Jaccard ~{score:.2f})"
        return None, ""
