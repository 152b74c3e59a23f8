"""The spec: every seed article, cleaned with its portal's profile, gives exactly the seed's body
lines and the metadata truth.json expects."""
import pytest

from cleaners import Page
from conftest import FIXTURES
from seedspec import NOT_BODY, lines_of, norm, seed_pages

SEED_PAGES = sorted(seed_pages(), key=lambda s: s[0])


def clean(cleaner, page, folder, portal="auto"):
    body = (folder / page["file"]).read_bytes()
    return cleaner.process(Page(body=body, url=page["url"], headers={"content-type": page["content_type"]}), portal)


def test_every_seed_has_a_fixture_page(truth):
    assert sorted(s for s, _, _ in SEED_PAGES) == sorted(truth)


@pytest.mark.parametrize("seed, page, folder", SEED_PAGES, ids=[s[0][:3] for s in SEED_PAGES])
def test_seed_body_is_exactly_the_body_lines(cleaner, truth, seed, page, folder):
    entry = truth[seed]
    doc = clean(cleaner, page, folder)
    assert doc.portal == entry["portal"]
    assert [norm(line.text) for line in doc.lines] == [norm(t) for t in lines_of(entry, "body")]


@pytest.mark.parametrize("seed, page, folder", SEED_PAGES, ids=[s[0][:3] for s in SEED_PAGES])
def test_seed_metadata(cleaner, truth, seed, page, folder):
    entry = truth[seed]
    item = clean(cleaner, page, folder).to_item()
    extra = {p["name"]: p["value"] for p in item.get("additionalProperties", [])}
    for key, expected in entry["expect"].items():
        if key == "note":
            continue
        actual = item.get(key, extra.get(key))
        assert actual == expected, f"{key}: {actual!r} != {expected!r}"


@pytest.mark.parametrize("seed, page, folder", SEED_PAGES, ids=[s[0][:3] for s in SEED_PAGES])
def test_seed_pull_quotes_leave_the_body(cleaner, truth, seed, page, folder):
    quotes = lines_of(truth[seed], "pullquote")
    item = clean(cleaner, page, folder).to_item()
    assert [norm(q) for q in item.get("pullQuotes", [])] == [norm(q) for q in quotes]


@pytest.mark.parametrize("mode", ["auto", "generic"])
@pytest.mark.parametrize("seed, page, folder", SEED_PAGES, ids=[s[0][:3] for s in SEED_PAGES])
def test_no_chrome_meta_or_title_line_in_the_body(cleaner, truth, seed, page, folder, mode):
    body = {norm(line.text) for line in clean(cleaner, page, folder, mode).lines}
    leaked = [t for t in lines_of(truth[seed], *NOT_BODY) if norm(t) in body]
    assert leaked == []


@pytest.mark.parametrize("seed, page, folder", SEED_PAGES, ids=[s[0][:3] for s in SEED_PAGES])
def test_removed_records_name_the_rule(cleaner, seed, page, folder):
    item = clean(cleaner, page, folder).to_item()
    assert item["removed"], "a seed page always has chrome to remove"
    assert all(r["rule"] and r["text"] for r in item["removed"])
