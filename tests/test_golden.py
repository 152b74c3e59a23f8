"""Every fixture page against its golden expected item, field by field."""
import json

import pytest

from golden import actual, fixture_pages, golden_path

PAGES = list(fixture_pages())


@pytest.mark.parametrize("portal, page, folder", PAGES, ids=[f"{p}/{pg['file']}" for p, pg, _ in PAGES])
def test_page_matches_golden(cleaner, portal, page, folder):
    path = golden_path(portal, page)
    assert path.exists(), f"no golden file: run `python tests/golden.py`, review {path.name}, commit it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    got = actual(cleaner, page, folder)
    diffs = [f"{key}: expected {expected.get(key)!r}, got {got.get(key)!r}"
             for key in sorted(set(expected) | set(got)) if expected.get(key) != got.get(key)]
    assert not diffs, "\n".join(diffs)


def test_golden_kinds_match_the_manifest():
    """Article pages have article goldens; list and other pages are rejections."""
    for portal, page, _ in PAGES:
        expected = json.loads(golden_path(portal, page).read_text(encoding="utf-8"))
        assert ("rejection" not in expected) == (page["kind"] == "article"), f"{portal}/{page['file']}"


def test_no_line_of_any_fixture_article_body_is_chrome(cleaner):
    """Beyond the seeds: no body line of any fixture article is something a chrome rule recognises
    (prev/next, copyright, disclaimers, share, contact, WeChat promo, related headings, meta lines)."""
    from cleaners.rules import blocks, chrome
    from cleaners.rules.meta import META_LABEL
    patterns = [rule.regex for rule in chrome.LINE_RULES] + [
        chrome.WECHAT_PROMO.regex, blocks.RELATED_HEADING, META_LABEL]
    checked = 0
    for portal, page, folder in PAGES:
        if page["kind"] != "article":
            continue
        item = actual(cleaner, page, folder)
        for line in item["articleBody"].split("\n"):
            hits = [p.pattern[:40] for p in patterns if p.search(line) and len(line) < 150]
            assert not hits, f"{portal}/{page['file']}: {line!r} looks like chrome ({hits})"
            checked += 1
    assert checked > 50
