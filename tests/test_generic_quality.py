"""Generic mode (no profile) on the project's fixtures must not get worse: fast, no datasets needed.

For every seed page: no chrome/meta/title/pull-quote line of truth.json in the generic body, and at
least 90% of the seed's body lines present. Every list/other fixture page: rejected as not-article.
"""
import pytest

from cleaners import Page
from conftest import manifests
from seedspec import NOT_BODY, lines_of, norm, seed_pages

SEEDS = sorted(seed_pages(), key=lambda s: s[0])
NON_ARTICLES = [(folder.name, page, folder) for manifest, folder in manifests()
                for page in manifest["pages"] if page["kind"] != "article"]


def generic(cleaner, page, folder):
    body = (folder / page["file"]).read_bytes()
    return cleaner.run(Page(body=body, url=page["url"], headers={"content-type": page["content_type"]}),
                       portal="generic")


@pytest.mark.parametrize("seed, page, folder", SEEDS, ids=[s[0][:3] for s in SEEDS])
def test_generic_body_has_the_body_lines_and_no_chrome(cleaner, truth, seed, page, folder):
    item = generic(cleaner, page, folder)
    assert "reason" not in item, item
    body = norm(item["articleBody"])
    lines = {norm(line) for line in item["articleBody"].splitlines()}
    leaked = [t for t in lines_of(truth[seed], *NOT_BODY) if norm(t) in lines]
    assert leaked == []
    wanted = lines_of(truth[seed], "body")
    found = [t for t in wanted if norm(t) in body]
    assert len(found) >= 0.9 * len(wanted), f"{len(found)} of {len(wanted)} body lines"


@pytest.mark.parametrize("portal, page, folder", NON_ARTICLES,
                         ids=[f"{p}/{pg['file']}" for p, pg, _ in NON_ARTICLES])
def test_generic_rejects_list_and_other_pages(cleaner, portal, page, folder):
    item = generic(cleaner, page, folder)
    assert item.get("reason") == "not-article", item.get("articleBody", "")[:200]
    assert item.get("detail")
