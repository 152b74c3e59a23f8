"""What truth.json says each seed article must become, in a form tests can compare."""
import re
import unicodedata

from cleaners.normalise import PINYIN_ANNOTATION
from cleaners.script import to_simplified

from conftest import FIXTURES, manifests


def norm(text: str) -> str:
    """Comparison form: NFKC (full/half-width punctuation alike), no whitespace, no pinyin,
    Simplified script."""
    text = PINYIN_ANNOTATION.sub("", text)
    text = unicodedata.normalize("NFKC", to_simplified(text))
    return re.sub(r"\s+", "", text)


def seed_pages():
    """(seed file name, manifest page, portal folder) for every fixture page that renders a seed."""
    for manifest, folder in manifests():
        for page in manifest["pages"]:
            if page.get("seed"):
                yield page["seed"], page, folder


def lines_of(truth_entry, *kinds):
    return [line["text"] for line in truth_entry["lines"] if line["kind"].split(":")[0] in kinds]


NOT_BODY = ("chrome", "meta", "title", "pullquote")
