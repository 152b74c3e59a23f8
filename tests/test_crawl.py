"""End-to-end: every portal crawled through Scrapy's engine from its fixtures, and one portal over
real HTTP."""
import json
import re

import pytest

from conftest import FIXTURES, manifests
from crawlrun import crawl, scrapy
from seedspec import NOT_BODY, lines_of, norm

PORTALS = [m["portal"] for m, _ in manifests()]
# Portals added after the five seed captures have no seed page (and no truth.json entry).
SEEDED = [m["portal"] for m, _ in manifests() if any(p.get("seed") for p in m["pages"])]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Each portal crawled once for the module: {portal: (items, rejections, stderr)}."""
    out = tmp_path_factory.mktemp("crawl")
    results = {}
    for portal in PORTALS:
        items, rejections, proc = crawl(portal, out / f"{portal}.jsonl")
        results[portal] = (items, rejections, proc.stderr)
    return results


@pytest.mark.parametrize("portal", PORTALS)
def test_every_article_page_becomes_one_item(crawled, portal):
    items, _, _ = crawled[portal]
    manifest = json.loads((FIXTURES / portal / "manifest.json").read_text(encoding="utf-8"))
    articles = sorted(p["url"] for p in manifest["pages"] if p["kind"] == "article")
    assert sorted(item["url"] for item in items) == articles
    assert all(item["portal"] == portal for item in items)


@pytest.mark.parametrize("portal", PORTALS)
def test_list_pages_are_rejections_and_counts_reconcile(crawled, portal):
    items, rejections, stderr = crawled[portal]
    manifest = json.loads((FIXTURES / portal / "manifest.json").read_text(encoding="utf-8"))
    lists = sorted(p["url"] for p in manifest["pages"] if p["kind"] == "list")
    assert sorted(r["url"] for r in rejections if r["reason"] == "not-article") == lists
    assert all(r["status"] == 200 and r["detail"] for r in rejections if r["reason"] == "not-article")
    # Linked pages that were not saved are rejections too (replay never fetches), and only those.
    saved = {p["url"] for p in manifest["pages"]}
    assert all(r["url"] not in saved and r["detail"] for r in rejections if r["reason"] == "no-fixture")
    assert {r["reason"] for r in rejections} <= {"not-article", "no-fixture"}
    summary = re.search(rf"{re.escape(portal)}: (\d+) pages -> (\d+) articles, (\d+) rejections", stderr)
    assert summary, "no accounting summary line"
    pages, n_items, n_rejections = map(int, summary.groups())
    assert (n_items, n_rejections) == (len(items), len(rejections))
    assert pages == n_items + n_rejections


@pytest.mark.parametrize("portal", SEEDED)
def test_seed_article_is_clean_and_complete(crawled, truth, portal):
    items, _, _ = crawled[portal]
    seed = next(name for name, entry in truth.items() if entry["portal"] == portal)
    entry = truth[seed]
    manifest = json.loads((FIXTURES / portal / "manifest.json").read_text(encoding="utf-8"))
    url = next(p["url"] for p in manifest["pages"] if p.get("seed") == seed)
    item = next(i for i in items if i["url"] == url)
    body = item["articleBody"].split("\n")
    assert [norm(b) for b in body] == [norm(t) for t in lines_of(entry, "body")]
    assert not {norm(t) for t in lines_of(entry, *NOT_BODY)} & {norm(b) for b in body}
    extra = {p["name"]: p["value"] for p in item.get("additionalProperties", [])}
    for key, value in entry["expect"].items():
        if key != "note":
            assert item.get(key, extra.get(key)) == value, key


def test_items_carry_no_markup_and_only_exported_fields(crawled):
    from cleaners import ARTICLE_FIELDS
    for items, _, _ in crawled.values():
        for item in items:
            assert set(item) <= set(ARTICLE_FIELDS)
            assert not re.search(r"<[a-zA-Z/][^>]*>", item["articleBody"])
            assert item["removed"], "every fixture article has chrome to remove"


@pytest.mark.parametrize("portal", PORTALS)
def test_rule_counters_in_the_crawl_stats_match_the_removed_records(crawled, portal):
    items, _, stderr = crawled[portal]
    counted = {rule: int(n) for rule, n in re.findall(r"'cleaners/removed/([^']+)': (\d+)", stderr)}
    recorded = {}
    for item in items:
        for record in item["removed"]:
            recorded[record["rule"]] = recorded.get(record["rule"], 0) + 1
    assert recorded and counted == recorded


def test_scrapy_check_contracts_pass():
    proc = scrapy("check")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"Ran (\d+) contracts", proc.stderr).group(1) == str(6 * len(PORTALS))


def test_scrapy_check_fails_when_the_sample_article_is_not_an_article(tmp_path):
    """The contracts can fail: point a profile's sample article at a list page."""
    original = (FIXTURES.parent / "cleaners" / "profiles" / "investchn.toml").read_text(encoding="utf-8")
    broken = re.sub(r'sample_article = "[^"]+"', 'sample_article = "http://www.investchn.com/kfqxw/wzxw/index_2.html"', original)
    (tmp_path / "investchn.toml").write_text(broken, encoding="utf-8")
    proc = scrapy("check", "investchn", env={"CLEANERS_PROFILE_PATH": str(tmp_path)})
    assert proc.returncode != 0
    assert "expected an article" in proc.stderr


def test_live_crawl_over_http_decodes_a_gbk_portal(httpserver, tmp_path, truth):
    """wuxi-logistics served over real HTTP with its charset=gb2312 header (the bytes are GBK)."""
    manifest = json.loads((FIXTURES / "wuxi-logistics" / "manifest.json").read_text(encoding="utf-8"))
    for page in manifest["pages"]:
        path, _, query = page["url"].split("wuxi56.com", 1)[1].partition("?")
        httpserver.expect_request(path, query_string=query or None).respond_with_data(
            (FIXTURES / "wuxi-logistics" / page["file"]).read_bytes(), content_type=page["content_type"])
    profile = (FIXTURES.parent / "cleaners" / "profiles" / "wuxi-logistics.toml").read_text(encoding="utf-8")
    base = httpserver.url_for("/").rstrip("/")
    profile = (profile.replace('name = "wuxi-logistics"', 'name = "wuxi-live"')
               .replace("http://www.wuxi56.com", base)
               .replace('allowed_domains = ["wuxi56.com"]', f'allowed_domains = ["{base.split("://", 1)[1]}"]'))
    profile = re.sub(r"url_patterns = \[.*\]", f"url_patterns = ['^{re.escape(base)}/']", profile)
    (tmp_path / "wuxi-live.toml").write_text(profile, encoding="utf-8")
    items, rejections, _ = crawl("wuxi-live", tmp_path / "live.jsonl", "REPLAY_FIXTURES=False",
                                 "ROBOTSTXT_OBEY=False", "AUTOTHROTTLE_ENABLED=False", "ALLOW_PRIVATE_ADDRESSES=True",
                                 env={"CLEANERS_PROFILE_PATH": str(tmp_path)})
    assert len(items) == 3 and len(rejections) == 2
    seed = truth["003_501e0c8110509a87.txt"]
    item = next(i for i in items if i["url"].endswith("id=3482"))
    assert [norm(b) for b in item["articleBody"].split("\n")] == [norm(t) for t in lines_of(seed, "body")]
    assert item["encoding"] == "gb18030"
    assert any("陆喆" in i["articleBody"] for i in items)  # GBK-only character, not in GB2312
