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
