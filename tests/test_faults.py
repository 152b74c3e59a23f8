"""Issue #4: a crawl over faulty pages, live over real HTTP (pytest-httpserver) through Scrapy's own
engine, loses nothing: every page is an article or a rejection with a reason, the counts reconcile,
and the article text of every decodable page survives whatever its encoding."""
from __future__ import annotations

import codecs
import gzip
import json
import re
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from crawlrun import crawl
from faultport import article_html, list_html, paragraphs, profile_toml, traditional

SETTINGS = ["REPLAY_FIXTURES=False", "ROBOTSTXT_OBEY=False", "AUTOTHROTTLE_ENABLED=False",
            "DOWNLOAD_TIMEOUT=1", "RETRY_TIMES=1", "DOWNLOAD_MAXSIZE=2000000", "DOWNLOAD_WARNSIZE=0",
            "CLEANERS_CONVERT=", "STATS_DUMP=True", "LOG_LEVEL=INFO"]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + bytes(range(256)) * 4


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class Flaky:
    """500 on the first request, the article after: RetryMiddleware recovers it."""

    def __init__(self, html):
        self.html, self.calls = html, 0
        self.lock = threading.Lock()

    def __call__(self, request):
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            return Response("busy", status=500)
        return Response(self.html, content_type="text/html; charset=utf-8")


def slow(request):
    time.sleep(2.5)  # longer than DOWNLOAD_TIMEOUT=1
    return Response("too late", content_type="text/html")


@pytest.fixture(scope="module")
def server():
    srv = HTTPServer(threaded=True)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


# What each article URL on the list must end as: an article (with its text) or a rejection reason.
@pytest.fixture(scope="module")
def portal(server, tmp_path_factory):
    base = server.url_for("/")
    P = {n: paragraphs(n) for n in range(1, 20)}
    big5_text = traditional(P[3])
    pages = {  # path -> (response kwargs, expected)
        "/a/utf8.html": (dict(response_data=article_html("UTF-8 稿件", P[1]), content_type="text/html; charset=utf-8"), "duplicate-group"),
        "/a/gbk.html": (dict(response_data=article_html("GBK 稿件", P[2], charset=None).encode("gbk"), content_type="text/html"), P[2]),
        "/a/big5.html": (dict(response_data=article_html("Big5 稿件", big5_text, charset=None).encode("big5", "xmlcharrefreplace"), content_type="text/html"), big5_text),
        "/a/utf16.html": (dict(response_data=codecs.BOM_UTF16_LE + article_html("UTF-16 稿件", P[4], charset=None).encode("utf-16-le"), content_type="text/html"), P[4]),
        "/a/bogus.html": (dict(response_data=article_html("假字符集", P[5], charset="x-no-such-charset").encode("utf-8"), content_type="text/html; charset=x-no-such-charset"), P[5]),
        "/a/copy.html": (dict(response_data=article_html("转载", P[1]), content_type="text/html; charset=utf-8"), "duplicate-group"),
        "/a/near.html": (dict(response_data=article_html("再转载", P[1], chrome=f"<p>{paragraphs(99)[1]}</p>"), content_type="text/html; charset=utf-8"), "duplicate-group"),
        "/a/empty.html": (dict(response_data=b"", content_type="text/html"), "empty"),
        "/a/pdf.html": (dict(response_data=PDF, content_type="text/html"), "binary"),
        "/a/listing.html": (dict(response_data=list_html([f"/x/{i}.html" for i in range(30)]), content_type="text/html; charset=utf-8"), "not-article"),
        "/a/404.html": (dict(response_data="gone", status=404), "http-404"),
        "/a/500.html": (dict(response_data="broken", status=500), "http-500"),
        "/a/loop-1.html": (dict(status=302, headers={"Location": "/a/loop-2.html"}), "redirect-loop"),
        "/a/loop-2.html": None,  # reached only through loop-1
        "/a/self.html": (dict(status=301, headers={"Location": "/a/self.html"}), "redirect-loop"),
        "/a/big.html": (dict(response_data=article_html("大页面", P[7] * 4000), content_type="text/html; charset=utf-8"), "too-large"),
        "/a/bomb.html": (dict(response_data=gzip.compress(b"<html><body>" + b"\0" * 30_000_000), content_type="text/html", headers={"Content-Encoding": "gzip"}), "too-large"),
        "/a/deep.html": (dict(response_data=article_html("深层嵌套", ["<div>" * 100_000 + P[8][0] + "</div>" * 100_000, *P[8][1:]]), content_type="text/html; charset=utf-8"), P[8]),
        "/a/pipeline-error.html": (dict(response_data=article_html("流水线出错", P[9]), content_type="text/html; charset=utf-8"), "pipeline-error"),
        "/a/dropped.html": (dict(response_data=article_html("别人丢弃", P[10]), content_type="text/html; charset=utf-8"), "dropped"),
    }
    server.expect_request("/a/loop-2.html").respond_with_data("", status=302, headers={"Location": "/a/loop-1.html"})
    for path, spec in pages.items():
        if spec:
            server.expect_request(path).respond_with_data(**spec[0])
    flaky = Flaky(article_html("重试后成功", P[11]))
    server.expect_request("/a/flaky.html").respond_with_handler(flaky)
    server.expect_request("/a/slow.html").respond_with_handler(slow)
    truncated = article_html("截断", P[12]).encode("utf-8")
    # Promises more bytes than it sends, then closes the connection.
    server.expect_request("/a/truncated.html").respond_with_handler(lambda request: Response(
        iter([truncated[:len(truncated) // 2]]), direct_passthrough=True,
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(truncated))}))
    expected = {path: spec[1] for path, spec in pages.items() if spec}
    expected.update({"/a/flaky.html": P[11], "/a/slow.html": "timeout", "/a/truncated.html": "truncated"})
    # The same server under another host name: off the profile's allowed_domains.
    offsite = server.url_for("/a/offsite.html")
    offsite = offsite.replace("localhost", "127.0.0.1") if "localhost" in offsite else offsite.replace("127.0.0.1", "localhost")
    links = [*expected, offsite]
    server.expect_request("/list.html").respond_with_data(list_html(links), content_type="text/html; charset=utf-8")

    root = tmp_path_factory.mktemp("faultport")
    (root / "profiles").mkdir()
    (root / "profiles" / "faultport.toml").write_text(profile_toml("faultport", base, server.url_for("/list.html")), encoding="utf-8")
    # Someone else's pipeline that drops one item and breaks on another (item_dropped / item_error).
    (root / "modules").mkdir()
    (root / "modules" / "other_pipelines.py").write_text('''
from scrapy.exceptions import DropItem

class OtherPipeline:
    def process_item(self, item, spider=None):
        if item["url"].endswith("/dropped.html"):
            raise DropItem("not wanted here")
        if item["url"].endswith("/pipeline-error.html"):
            raise RuntimeError("a bug in someone else's pipeline")
        return item
''', encoding="utf-8")
    import os
    env = {"CLEANERS_PROFILE_PATH": str(root / "profiles"),
           "PYTHONPATH": os.pathsep.join([str(root / "modules"), os.environ.get("PYTHONPATH", "")])}
    return {"root": root, "env": env, "expected": expected, "offsite": offsite, "base": base}


@pytest.fixture(scope="module")
def crawled(portal, server):
    # The cleaning add-on adds its own pipelines around this one (cleaning 100, duplicates 500).
    pipelines = 'ITEM_PIPELINES={"other_pipelines.OtherPipeline": 450}'
    out = portal["root"] / "out.jsonl"
    items, rejections, proc = crawl("faultport", out, *SETTINGS, pipelines,
                                    f"STATE_URI={portal['root'] / 'state.sqlite'}", env=portal["env"])
    return items, rejections, proc.stderr


def path_of(url):
    return "/" + url.split("/", 3)[3]


def test_every_page_is_one_article_or_one_reasoned_rejection(crawled, portal):
    items, rejections, _ = crawled
    outcomes = [path_of(i["url"]) for i in items] + [path_of(r["url"]) for r in rejections]
    assert sorted(outcomes) == sorted([*portal["expected"], "/list.html"])
    got = {path_of(r["url"]): r for r in rejections}
    for path, want in portal["expected"].items():
        if isinstance(want, str) and want != "duplicate-group":
            assert got[path]["reason"].split(" ")[0] == want, (path, got[path])
            assert "status" in got[path] and got[path].get("detail"), got[path]
    assert got["/a/404.html"]["status"] == 404 and got["/a/500.html"]["status"] == 500


def test_article_text_recovered_whatever_the_encoding(crawled, portal):
    items, _, _ = crawled
    by_path = {path_of(i["url"]): i for i in items}
    for path, want in portal["expected"].items():
        if isinstance(want, list):
            assert squash(by_path[path]["articleBody"]) == squash("".join(want)), path


def test_duplicates_name_the_first_copy(crawled):
    """utf8 (original), copy (exact) and near (one more paragraph): one item, two rejections naming it."""
    items, rejections, _ = crawled
    three = {"/a/utf8.html", "/a/copy.html", "/a/near.html"}
    (kept,) = [i["url"] for i in items if path_of(i["url"]) in three]
    dups = {path_of(r["url"]): r for r in rejections if r["reason"].startswith("duplicate-of ")}
    assert set(dups) == three - {path_of(kept)}
    assert all(r["reason"] == f"duplicate-of {kept}" for r in dups.values())
    if path_of(kept) != "/a/near.html":  # copy vs original is exact, near vs either is near
        assert dups["/a/near.html"]["detail"].startswith("near")


def test_counts_reconcile_in_stats_and_summary(crawled):
    items, rejections, stderr = crawled
    summary = re.search(r"faultport: (\d+) pages -> (\d+) articles, (\d+) rejections .*\[(\w+)\]", stderr)
    assert summary, stderr[-2000:]
    pages, articles, rejected, balanced = summary.groups()
    assert (int(articles), int(rejected)) == (len(items), len(rejections))
    assert int(pages) == len(items) + len(rejections) and balanced == "ok"
    assert "'accounting/balanced': True" in stderr
    assert re.search(r"'retry/count': [1-9]", stderr)  # the flaky page recovered through RetryMiddleware
    memory = int(re.search(r"'memusage/max': (\d+)", stderr).group(1))
    assert memory < 2 * 1024 ** 3


def test_offsite_link_is_not_followed(crawled, portal, server):
    items, rejections, _ = crawled
    assert not any("offsite" in r["url"] for r in [*items, *rejections])
    assert not any(req.path == "/a/offsite.html" for req, _ in server.log)


def test_output_text_carries_no_markup(crawled):
    items, _, _ = crawled
    assert items
    for item in items:
        for key, value in item.items():
            if isinstance(value, str):
                assert not re.search(r"<\s*/?\s*[a-zA-Z!]", value), (key, value[:200])


def test_recrawl_is_a_full_crawl_unless_incremental_is_asked_for(portal, server, tmp_path):
    """Crawling twice gives the same feed (issue 11); with -s INCREMENTAL=True a second run emits
    nothing it wrote before (seen-before rejections, counts still reconcile)."""
    args = ["faultport", *SETTINGS, f"STATE_URI={tmp_path / 'state.sqlite'}"]
    plain, _, _ = crawl(args[0], tmp_path / "plain.jsonl", *args[1:], env=portal["env"])
    again, _, _ = crawl(args[0], tmp_path / "again.jsonl", *args[1:], env=portal["env"])
    assert plain and sorted(i["url"] for i in again) == sorted(i["url"] for i in plain)
    first, _, _ = crawl(args[0], tmp_path / "one.jsonl", *args[1:], "INCREMENTAL=True", env=portal["env"])
    skipped, rejected, proc = crawl(args[0], tmp_path / "two.jsonl", *args[1:], "INCREMENTAL=True", env=portal["env"])
    assert sorted(i["url"] for i in first) == sorted(i["url"] for i in plain) and skipped == []
    seen = sorted(r["url"] for r in rejected if r["reason"] == "seen-before")
    assert seen == sorted(i["url"] for i in first)
    assert "[ok]" in proc.stderr


def test_replay_never_fetches_a_url_without_fixture(server, tmp_path):
    """Replay mode: the list page is a fixture; its article link, which the live server would answer,
    is a `no-fixture` rejection and the server never sees a request."""
    base = server.url_for("/")
    missing = server.url_for("/replay/missing.html")
    server.expect_request("/replay/missing.html").respond_with_data(article_html("不应抓取", paragraphs(50)))
    fixtures = tmp_path / "fixtures" / "replayport"
    fixtures.mkdir(parents=True)
    (fixtures / "list.html").write_text(list_html([missing]), encoding="utf-8")
    (fixtures / "manifest.json").write_text(json.dumps({"portal": "replayport", "pages": [
        {"url": server.url_for("/replay/list.html"), "file": "list.html", "kind": "list",
         "content_type": "text/html; charset=utf-8"}]}), encoding="utf-8")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "replayport.toml").write_text(
        profile_toml("replayport", base, server.url_for("/replay/list.html")), encoding="utf-8")
    items, rejections, _ = crawl("replayport", tmp_path / "out.jsonl", f"REPLAY_FIXTURES_DIR={tmp_path / 'fixtures'}",
                                 env={"CLEANERS_PROFILE_PATH": str(tmp_path / "profiles")})
    assert items == []
    assert {r["url"]: r["reason"] for r in rejections}[missing] == "no-fixture"
    assert not any(req.path.startswith("/replay/") for req, _ in server.log)
