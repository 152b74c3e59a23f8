"""Issue 11: the cleaning add-on in a brand-new Scrapy project (one setting), rejections as items
through FEEDS (append, batches), the zyte-common-items Article shape, per-mode state, declared items."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from crawlrun import crawl, read_jsonl
from faultport import article_html, list_html, paragraphs

SCRAPY = [str(Path(sys.executable).with_name("scrapy"))]
SPIDER = '''
import scrapy


class PagesSpider(scrapy.Spider):
    """A plain spider: it hands every page it gets to the add-on by yielding the response."""
    name = "pages"
    start_urls = [START]

    def parse(self, response):
        yield response
        for href in response.css("ul.news a::attr(href)").getall():
            yield response.follow(href, self.parse)
'''


@pytest.fixture(scope="module")
def site():
    srv = HTTPServer(threaded=True)
    srv.start()
    articles = {f"/a/{n}.html": paragraphs(200 + n) for n in (1, 2)}
    for path, paras in articles.items():
        srv.expect_request(path).respond_with_data(article_html(f"第{path[3]}篇新闻", paras),
                                                   content_type="text/html; charset=utf-8")
    # One page a profile claims (CLEANERS_PROFILE_PATH): its body selector finds the text.
    srv.expect_request("/p/1.html").respond_with_data(
        '<html><head><meta charset="utf-8"><title>T</title></head><body><div id="zoom">'
        + "".join(f"<p>{p}</p>" for p in paragraphs(300)) + '</div><h2 class="t">档案稿件</h2></body></html>',
        content_type="text/html; charset=utf-8")
    srv.expect_request("/empty.html").respond_with_data(b"", content_type="text/html")
    links = [*articles, "/p/1.html", "/empty.html"]
    srv.expect_request("/list.html").respond_with_data(list_html(links), content_type="text/html; charset=utf-8")
    srv.expect_request("/robots.txt").respond_with_data("", status=404)
    # A list whose links fail: an error response and a port nothing listens on.
    srv.expect_request("/gone.html").respond_with_data("gone", status=404)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/x.html"
    srv.expect_request("/failing.html").respond_with_data(list_html(["/a/1.html", "/gone.html", closed]),
                                                         content_type="text/html; charset=utf-8")
    yield {"server": srv, "articles": articles, "start": srv.url_for("/list.html"), "base": srv.url_for("/")}
    srv.clear()
    srv.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory, site):
    """`scrapy startproject demo`, a plain spider, and the one setting that enables the add-on."""
    root = tmp_path_factory.mktemp("newproject")
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "CLEANERS_PROFILE_PATH")}
    made = subprocess.run([*SCRAPY, "startproject", "demo"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    folder = root / "demo"
    (folder / "demo" / "spiders" / "pages.py").write_text(SPIDER.replace("START", repr(site["start"])), encoding="utf-8")
    (folder / "demo" / "spiders" / "failing.py").write_text(
        SPIDER.replace("START", repr(site["base"] + "failing.html")).replace('"pages"', '"failing"'), encoding="utf-8")
    with (folder / "demo" / "settings.py").open("a", encoding="utf-8") as settings:
        settings.write('\nADDONS = {"crawler.addons.Cleaning": 300}\n')
    profiles = root / "profiles"
    profiles.mkdir()
    base = site["base"].rstrip("/")
    (profiles / "archive.toml").write_text(f'''name = "archive"
url_patterns = ['^{re.escape(base)}/p/']
[selectors]
body = "div#zoom"
headline = "h2.t"
''', encoding="utf-8")
    return {"dir": folder, "env": env, "profiles": profiles}


def run(project, site, *args, spider="pages"):
    cmd = [*SCRAPY, "crawl", spider, *args,
           "-s", f"CLEANERS_PROFILE_PATH={project['profiles']}", "-s", "LOG_LEVEL=INFO"]
    proc = subprocess.run(cmd, cwd=project["dir"], env=project["env"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_a_new_project_gets_clean_items_and_rejections_with_one_setting(project, site, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run(project, site, "-O", str(out))
    items = read_jsonl(out)
    rejections = read_jsonl(tmp_path / "out.rejections.jsonl")
    by_path = {i["url"].split("/", 3)[3]: i for i in items}
    assert sorted(by_path) == ["a/1.html", "a/2.html", "p/1.html"]
    for path, paras in site["articles"].items():
        item = by_path[path.lstrip("/")]
        assert item["articleBody"].split("\n") == paras       # chrome (nav, footer) gone
        assert item["portal"] == "generic" and item["headline"].startswith("第")
    archived = by_path["p/1.html"]
    assert archived["portal"] == "archive" and archived["extractor"] == "profile"
    assert archived["headline"] == "档案稿件" and archived["articleBody"].split("\n") == paragraphs(300)
    assert {r["url"].split("/", 3)[3]: r["reason"] for r in rejections} == {"list.html": "not-article",
                                                                           "empty.html": "empty"}
    assert all(set(r) == {"url", "portal", "status", "reason", "detail"} for r in rejections)
    assert re.search(r"pages: 5 pages -> 3 articles, 2 rejections \(empty 1, not-article 1\) \[ok\]", proc.stderr)


def test_failures_of_a_spider_without_errback_still_end_as_rejections(project, site, tmp_path):
    """The README's spider has no errback: an error response and a refused connection would only be
    log lines. They are rejections with a reason, and the run balances."""
    out = tmp_path / "failing.jsonl"
    proc = run(project, site, "-O", str(out), "-s", "RETRY_TIMES=0", spider="failing")
    assert [i["url"].rsplit("/", 1)[1] for i in read_jsonl(out)] == ["1.html"]
    rejections = {r["url"].rsplit("/", 1)[1]: r for r in read_jsonl(tmp_path / "failing.rejections.jsonl")}
    assert {name: r["reason"] for name, r in rejections.items()} == {
        "failing.html": "not-article", "gone.html": "http-404", "x.html": "connection-failed"}
    assert rejections["gone.html"]["status"] == 404 and rejections["gone.html"]["portal"] == "failing"
    assert re.search(r"failing: 4 pages -> 1 articles, 3 rejections .*\[ok\]", proc.stderr), proc.stderr[-2000:]


BROKEN_SPIDER = '''
import scrapy


class BrokenSpider(scrapy.Spider):
    """Hands over the list, then fails on /a/1.html before handing it over and on /a/2.html after."""
    name = "broken"
    start_urls = [START]

    def parse(self, response):
        if response.url.endswith("/a/1.html"):
            raise ValueError("a bug in the spider")
        yield response
        if response.url.endswith("/a/2.html"):
            raise ValueError("a bug after the hand-over")
        for href in response.css("ul.news a::attr(href)").getall():
            if "/a/" in href:
                yield response.follow(href, self.parse)
'''


def test_a_page_whose_callback_raised_before_handing_it_over_is_a_spider_error(project, site, tmp_path):
    (project["dir"] / "demo" / "spiders" / "broken.py").write_text(
        BROKEN_SPIDER.replace("START", repr(site["start"])), encoding="utf-8")
    out = tmp_path / "broken.jsonl"
    proc = run(project, site, "-O", str(out), spider="broken")
    assert [i["url"].rsplit("/", 1)[1] for i in read_jsonl(out)] == ["2.html"]  # one record, not two
    rejections = {r["url"].rsplit("/", 1)[1]: r for r in read_jsonl(tmp_path / "broken.rejections.jsonl")}
    assert {name: r["reason"] for name, r in rejections.items()} == {"1.html": "spider-error", "list.html": "not-article"}
    assert rejections["1.html"]["detail"] == "ValueError: a bug in the spider"
    assert proc.stderr.count("Spider error processing") == 2  # both bugs are still logged
    assert re.search(r"broken: 3 pages -> 1 articles, 2 rejections .*\[ok\]", proc.stderr), proc.stderr[-2000:]


def test_rejections_follow_the_feed_options_append_and_batches(project, site, tmp_path):
    out = tmp_path / "append.jsonl"
    run(project, site, "-o", str(out))
    run(project, site, "-o", str(out))  # -o appends: to both feeds
    assert len(read_jsonl(out)) == 6 and len(read_jsonl(tmp_path / "append.rejections.jsonl")) == 4
    batches = tmp_path / "batch-%(batch_id)d.jsonl"
    run(project, site, "-O", str(batches), "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=1")
    articles = sorted(tmp_path.glob("batch-*[0-9].jsonl"))
    rejected = sorted(tmp_path.glob("batch-*.rejections.jsonl"))
    assert len(articles) == 3 and len(rejected) == 2
    assert all(len(read_jsonl(p)) == 1 for p in [*articles, *rejected])
    assert all("reason" in read_jsonl(p)[0] for p in rejected) and not any("reason" in read_jsonl(p)[0] for p in articles)


def test_zyte_shape_validates_against_zyte_common_items(tmp_path):
    """CLEANERS_ITEM_SHAPE=zyte over a real crawl: every item loads as zyte_common_items.Article."""
    zci = pytest.importorskip("zyte_common_items")
    from itemadapter import ItemAdapter
    items, rejections, _ = crawl("investchn", tmp_path / "zyte.jsonl", "CLEANERS_ITEM_SHAPE=zyte")
    assert len(items) == 4 and len(rejections) == 2
    for item in items:
        article = zci.Article.from_dict(item)
        data = ItemAdapter(article).asdict()
        assert data["url"] == item["url"] and data["headline"] and data["articleBody"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", item["datePublished"])
        assert all(set(b) <= {"name", "url"} and b["name"] for b in item["breadcrumbs"])
        assert all(set(a) == {"name"} for a in item.get("authors", []))
        assert set(item) <= {"url", "headline", "datePublished", "datePublishedRaw", "authors", "breadcrumbs",
                             "inLanguage", "description", "articleBody", "metadata"}
        extra = article.metadata._unknown_fields_dict  # ours, kept beside zyte's own metadata
        assert extra["portal"] == "investchn" and extra["removed"] and article.metadata.dateDownloaded


def test_zyte_dates_keep_a_zone_and_get_one_when_the_page_has_none():
    from crawler.items import with_offset
    assert with_offset("2021-12-03", "+08:00") == "2021-12-03T00:00:00+08:00"
    assert with_offset("2021-12-03T10:15:00", "+08:00") == "2021-12-03T10:15:00+08:00"
    assert with_offset("2021-12-03T10:15:00Z", "+08:00") == "2021-12-03T10:15:00Z"
    assert with_offset("2021-12-03T10:15:00-05:00", "+08:00") == "2021-12-03T10:15:00-05:00"


def test_replay_and_live_keep_separate_state():
    from scrapy.settings import Settings

    from crawler.addons import apply_defaults

    def state(**values):
        settings = Settings()
        settings.setmodule("crawler.settings", priority="project")
        for k, v in values.items():
            settings.set(k, v, priority="cmdline")
        apply_defaults(settings)
        return settings["STATE_URI"], settings["STATE_KEY_PREFIX"]

    replay, live = state(STATE_URI="/s/%(name)s-%(mode)s.sqlite"), state(
        STATE_URI="/s/%(name)s-%(mode)s.sqlite", REPLAY_FIXTURES=False)
    assert replay == ("/s/%(name)s-replay.sqlite", "%(name)s:state:replay")
    assert live == ("/s/%(name)s-live.sqlite", "%(name)s:state:live")


def test_feeds_are_split_and_named_beside_the_items_feed():
    from scrapy.settings import Settings

    from crawler.addons import rejections_beside, split_feeds
    assert rejections_beside("out.jsonl") == "out.rejections.jsonl"
    assert rejections_beside("s3://bucket/%(name)s/%(time)s.csv") == "s3://bucket/%(name)s/%(time)s.rejections.csv"
    assert rejections_beside("file:///tmp/items") == "file:///tmp/items.rejections"
    assert rejections_beside("stdout:") is None
    settings = Settings({"FEEDS": {"out.csv": {"format": "csv", "overwrite": False, "batch_item_count": 10}}})
    split_feeds(settings)
    feeds = settings.getdict("FEEDS")
    assert feeds["out.csv"]["item_filter"] == "crawler.addons.NoRejections"
    assert feeds["out.rejections.csv"] == {"format": "csv", "overwrite": False, "batch_item_count": 10,
                                           "item_classes": ["crawler.items.Rejection"],
                                           "fields": ["url", "portal", "status", "reason", "detail"]}
    # A project that routes rejections itself is left alone.
    own = {"a.jsonl": {"format": "jsonlines"}, "r.jsonl": {"format": "jsonlines", "item_classes": ["crawler.items.Rejection"]}}
    settings = Settings({"FEEDS": own})
    split_feeds(settings)
    assert settings.getdict("FEEDS") == own


def test_item_classes_are_declared_with_the_article_fields():
    from cleaners import ARTICLE_FIELDS
    from crawler.items import REJECTION_FIELDS, ArticleItem, Rejection
    assert set(ArticleItem.fields) == set(ARTICLE_FIELDS)
    assert set(Rejection.fields) == set(REJECTION_FIELDS)


def test_the_project_spiders_use_the_same_addon():
    from scrapy.utils.project import get_project_settings
    settings = get_project_settings()
    assert "crawler.addons.Cleaning" in settings.getdict("ADDONS")
    assert not any(k.startswith("crawler.") for k in settings.getdict("ITEM_PIPELINES"))


def test_a_project_can_turn_off_the_addons_components():
    """ITEM_PIPELINES = {path: None} keeps one of the add-on's components off, as for any Scrapy
    component; the others are still added."""
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list

    from crawler.addons import Cleaning
    settings = Settings({"ITEM_PIPELINES": {"crawler.pipelines.DuplicatesPipeline": None}}, priority="cmdline")
    Cleaning().update_settings(settings)
    enabled = build_component_list(settings.getwithbase("ITEM_PIPELINES"))
    names = [c if isinstance(c, str) else f"{c.__module__}.{c.__qualname__}" for c in enabled]
    assert "crawler.pipelines.DuplicatesPipeline" not in names
    assert "crawler.pipelines.CleaningPipeline" in names
