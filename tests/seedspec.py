"""What truth.json says each seed article must become, in a form tests can compare."""
import re
import unicodedata

from functools import lru_cache

from opencc import OpenCC

from cleaners.normalise import PINYIN_ANNOTATION

from conftest import FIXTURES, manifests


def norm(text: str) -> str:
    """Comparison form: NFKC (full/half-width punctuation alike), no whitespace, no pinyin.
    No script conversion: our output must already be Simplified, and the truth is made Simplified
    by `lines_of`, independently of the cleaners' own choice of conversion."""
    text = PINYIN_ANNOTATION.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=1)
def _phrase_converter():
    # OpenCC's phrase-aware Traditional (Taiwan standard) -> Simplified, called directly: 承擔著 ->
    # 承担着, 著作 stays. Not cleaners.script, so a wrong choice there shows up as a difference.
    return OpenCC("tw2s")


def seed_pages():
    """(seed file name, manifest page, portal folder) for every fixture page that renders a seed."""
    for manifest, folder in manifests():
        for page in manifest["pages"]:
            if page.get("seed"):
                yield page["seed"], page, folder


def lines_of(truth_entry, *kinds):
    """The truth's lines of these kinds, in Simplified script when the seed page is Traditional."""
    lines = [line["text"] for line in truth_entry["lines"] if line["kind"].split(":")[0] in kinds]
    if truth_entry.get("expect", {}).get("scriptConverted"):
        lines = [_phrase_converter().convert(PINYIN_ANNOTATION.sub("", t)) for t in lines]
    return lines


NOT_BODY = ("chrome", "meta", "title", "pullquote")
