import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners import Cleaner, Document, Line, Page  # noqa: E402

SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures"


def make_doc(*texts, links=(), fields=None, profile=None) -> Document:
    """A document whose lines are `texts`; indexes in `links` are all-link lines."""
    doc = Document(page=Page(body=b"", url="http://example.cn/a.html"), profile=profile)
    doc.lines = [Line(t, link_chars=len(t) if i in links else 0) for i, t in enumerate(texts)]
    doc.fields.update(fields or {})
    return doc


# A paragraph of prose, so that rules which look "outside the prose" have a prose span to look at.
PROSE = "这是文章的正文段落，讲述开发区建设的进展情况，包括项目签约、园区改造和生态保护等多方面内容，篇幅足够长。"


@pytest.fixture(scope="session")
def cleaner():
    return Cleaner()


@pytest.fixture(scope="session")
def truth():
    return json.loads((SEEDS / "truth.json").read_text(encoding="utf-8"))


def manifests():
    for path in sorted(FIXTURES.glob("*/manifest.json")):
        yield json.loads(path.read_text(encoding="utf-8")), path.parent


@pytest.fixture(autouse=True, scope="session")
def _crawl_state_in_tmp(tmp_path_factory):
    """Crawls started by tests keep their state (incremental mode, duplicates) in a temporary folder,
    never in the project's .scrapy/state, so a second test run still sees every article as new."""
    import os
    folder = tmp_path_factory.mktemp("crawl-state")
    previous = os.environ.get("CRAWLER_STATE_URI")
    os.environ["CRAWLER_STATE_URI"] = str(folder / "%(name)s.sqlite")
    yield folder
    if previous is None:
        os.environ.pop("CRAWLER_STATE_URI", None)
    else:
        os.environ["CRAWLER_STATE_URI"] = previous
