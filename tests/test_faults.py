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

from crawlrun import ROOT, crawl
from faultport import article_html, list_html, paragraphs, profile_toml, traditional

SETTINGS = ["REPLAY_FIXTURES=False", "ROBOTSTXT_OBEY=False", "AUTOTHROTTLE_ENABLED=False",
            "DOWNLOAD_TIMEOUT=3", "RETRY_TIMES=1", "DOWNLOAD_MAXSIZE=2000000", "DOWNLOAD_WARNSIZE=0",
            "CLEANERS_CONVERT=", "STATS_DUMP=True", "LOG_LEVEL=INFO", "ALLOW_PRIVATE_ADDRESSES=True"]
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
    # Longer than DOWNLOAD_TIMEOUT=3, which leaves room for the pages cleaned meanwhile: cleaning runs
    # in the reactor thread, so a loaded machine would otherwise time out the downloads around it.
    time.sleep(4.5)
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
    P = {n: paragraphs(n) for n in range(1, 30)}
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
    elsewhere = offsite.replace("/a/offsite.html", "/a/elsewhere.html")

    # Issue #8 (4): every redirect kind ends as an article or a reasoned rejection.
    def refresh(url, delay=0, noscript=False, paras=None):
        meta = f'<meta http-equiv="refresh" content="{delay}; url={url}">'
        html = article_html("跳转", paras or ["页面已迁移。"])
        return html.replace("</head>", (f"<noscript>{meta}</noscript>" if noscript else meta) + "</head>")
    html = "text/html; charset=utf-8"
    redirects = {  # path -> (response kwargs, expected outcome under the path)
        "/a/refresh-offsite.html": (dict(response_data=refresh(elsewhere), content_type=html), "offsite-redirect"),
        "/a/refresh-self.html": (dict(response_data=refresh("/a/refresh-self.html"), content_type=html), "redirect-loop"),
        "/a/refresh-later.html": (dict(response_data=refresh(elsewhere, delay=300, paras=P[20]), content_type=html), P[20]),
        "/a/refresh-noscript.html": (dict(response_data=refresh(elsewhere, noscript=True, paras=P[21]), content_type=html), P[21]),
        "/a/header-offsite.html": (dict(response_data="", content_type=html, headers={"Refresh": f"0; url={elsewhere}"}), "offsite-redirect"),
        "/a/header-to-file.html": (dict(response_data="", status=302, headers={"Location": "file:///etc/passwd"}), "offsite-redirect"),
        # Issue #8 (7)-(9): hostile pages bounded, savable pages saved, control characters stripped.
        "/a/million-lines.html": (dict(response_data="<html><body><div>" + "a<br>" * 30_000 + "</div></body></html>", content_type=html), "too-slow"),
        "/a/nul.html": (dict(response_data=article_html("空字节", P[22]).replace("</h1>", "</h1>\x00"), content_type=html), P[22]),
        "/a/json-ld.html": (dict(response_data=article_html("结构化数据", P[23]).replace(
            "</head>", '<script type="application/ld+json">' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "</script></head>"), content_type=html), P[23]),
        "/a/controls.html": (dict(response_data=article_html("控制\u2028字符\u202e标题\x85", [
            P[24][0] + "\u2028" + P[24][1], "\x1b[31m" + P[24][2] + "\x1b[0m\u2029", "\u202d" + P[24][3] + "\x07"]), content_type=html), P[24]),
    }
    for path, (spec, want) in redirects.items():
        server.expect_request(path).respond_with_data(**spec)
        expected[path] = want
    # Followed redirects: the article is recorded under the URL it was found at.
    server.expect_request("/a/refresh-onsite.html").respond_with_data(refresh("/a/refresh-target.html"), content_type=html)
    server.expect_request("/a/refresh-target.html").respond_with_data(article_html("跳转目标", P[25]), content_type=html)
    server.expect_request("/a/header-onsite.html").respond_with_data("", headers={"Refresh": "0;URL='/a/header-target.html'"})
    server.expect_request("/a/header-target.html").respond_with_data(article_html("跳转目标二", P[26]), content_type=html)
    expected.update({"/a/refresh-target.html": P[25], "/a/header-target.html": P[26]})
    # Never requested: another port of the same host, and other schemes.
    other_port = base.rstrip("/").rsplit(":", 1)[0] + ":1/a/other-port.html"
    links = [*(p for p in expected if not p.endswith("-target.html")), "/a/refresh-onsite.html", "/a/header-onsite.html",
             offsite, other_port, "file:///etc/passwd", "ftp://localhost/x.html"]
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
    return {"root": root, "env": env, "expected": expected, "offsite": offsite, "base": base, "links": links}


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
    """Off-site links (another host, another port of the same host, file: and ftp: URLs) are not
    pages of the portal: never requested, no record."""
    items, rejections, stderr = crawled
    for url in (r["url"] for r in [*items, *rejections]):
        assert path_of(url) not in ("/a/offsite.html", "/a/other-port.html") and url.startswith("http"), url
    assert not any(req.path in ("/a/offsite.html", "/a/elsewhere.html") for req, _ in server.log)
    assert re.search(r"'offsite/filtered': 4\b", stderr), stderr[-3000:]


def test_every_redirect_kind_ends_with_a_record(crawled):
    """Meta refresh and the Refresh header are redirects like a 3xx: followed on site (the article
    keeps the URL it was found at), `offsite-redirect` off site, `redirect-loop` to themselves; a
    refresh after minutes or inside <noscript> leaves the page to be read as it is."""
    items, rejections, _ = crawled
    by_path = {path_of(r["url"]): r for r in rejections}
    assert "refresh header to" in by_path["/a/header-offsite.html"]["detail"].lower()
    assert "meta refresh to" in by_path["/a/refresh-offsite.html"]["detail"]
    assert "file:///etc/passwd" in by_path["/a/header-to-file.html"]["detail"]
    got = {path_of(i["url"]) for i in items}
    assert {"/a/refresh-target.html", "/a/header-target.html", "/a/refresh-later.html", "/a/refresh-noscript.html"} <= got


def test_hostile_and_savable_pages(crawled):
    """30k <br> lines (past the 20k element bound) are rejected as too-slow (not a stalled crawl); a NUL byte and a JSON-LD block
    nested 100k deep do not cost the article; control characters leave every field and the feed
    stays one record per line (crawlrun.read_jsonl read it)."""
    items, rejections, _ = crawled
    by_path = {path_of(i["url"]): i for i in items}
    assert "elements" in {path_of(r["url"]): r for r in rejections}["/a/million-lines.html"]["detail"]
    controls = by_path["/a/controls.html"]
    assert controls["headline"] == "控制 字符标题"
    for value in (controls["headline"], controls["articleBody"]):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", value), value
    assert controls["articleBody"].count("\n") == 3  # four paragraphs, the first two split at U+2028


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
    # A page reached through a refresh is refused at the redirect, so its record names the URL asked for.
    seen = sorted(r["url"].replace("-onsite.html", "-target.html") for r in rejected if r["reason"] == "seen-before")
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


def _one_page_portal(tmp_path, name, base, start, allowed=None):
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    toml = profile_toml(name, base, start)
    if allowed is not None:
        toml = re.sub(r"allowed_domains = .*\n", allowed, toml)
    (profiles / f"{name}.toml").write_text(toml, encoding="utf-8")
    return {"CLEANERS_PROFILE_PATH": str(profiles)}


def test_live_mode_refuses_loopback_and_private_addresses(server, tmp_path):
    """Without ALLOW_PRIVATE_ADDRESSES a host that is (or resolves to) a loopback address is never
    requested: the page is a `private-address` rejection."""
    server.expect_request("/private/list.html").respond_with_data(list_html([]), content_type="text/html; charset=utf-8")
    start = server.url_for("/private/list.html")
    env = _one_page_portal(tmp_path, "privateport", server.url_for("/"), start)
    settings = [s for s in SETTINGS if not s.startswith("ALLOW_PRIVATE_ADDRESSES")]
    items, rejections, _ = crawl("privateport", tmp_path / "out.jsonl", *settings, env=env)
    assert items == [] and [(r["url"], r["reason"]) for r in rejections] == [(start, "private-address")]
    assert "ALLOW_PRIVATE_ADDRESSES" in rejections[0]["detail"]
    assert not any(req.path.startswith("/private/") for req, _ in server.log)


@pytest.mark.parametrize("allowed", ["allowed_domains = []\n", ""])
def test_a_spider_without_allowed_domains_is_refused(server, tmp_path, allowed):
    """An empty or missing allowed_domains would let the crawl follow any link (even file:///etc/passwd):
    profile validation refuses such a profile, and a spider without them from anywhere else is closed
    by the offsite middleware before its first request; either way the user is told why."""
    from crawlrun import scrapy
    server.expect_request("/open/list.html").respond_with_data(list_html(["file:///etc/passwd"]), content_type="text/html; charset=utf-8")
    start = server.url_for("/open/list.html")
    env = _one_page_portal(tmp_path, "openport", server.url_for("/"), start, allowed=allowed)
    proc = scrapy("crawl", "openport", "-O", str(tmp_path / "out.jsonl"), *(x for s in SETTINGS for x in ("-s", s)), env=env)
    assert proc.returncode != 0 and "allowed_domains" in proc.stderr
    assert not any(req.path.startswith("/open/") for req, _ in server.log)


def test_the_offsite_middleware_refuses_a_spider_without_allowed_domains():
    from scrapy import Spider
    from scrapy.exceptions import CloseSpider
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import PortOffsiteMiddleware
    crawler = get_crawler(Spider)
    middleware = PortOffsiteMiddleware.from_crawler(crawler)
    with pytest.raises(CloseSpider) as closed:
        middleware.spider_opened(Spider(name="anywhere"))
    assert closed.value.reason == "no-allowed-domains"
    middleware.spider_opened(Spider(name="fenced", allowed_domains=["xx.gov.cn"]))


@pytest.mark.parametrize("url, allowed, expected", [
    ("http://www.xx.gov.cn/a.html", ["xx.gov.cn"], True),
    ("https://xx.gov.cn/a.html", ["xx.gov.cn"], True),
    ("http://xx.gov.cn:8080/a.html", ["xx.gov.cn"], False),
    ("http://xx.gov.cn:8080/a.html", ["xx.gov.cn:8080"], True),
    ("http://xx.gov.cn/a.html", ["xx.gov.cn:8080"], False),
    ("http://localhost:18081/", ["localhost"], False),
    ("http://evilxx.gov.cn/a.html", ["xx.gov.cn"], False),
    ("file:///etc/passwd", ["xx.gov.cn"], False),
    ("ftp://xx.gov.cn/a.html", ["xx.gov.cn"], False),
    ("http://xx.gov.cn/a.html", [], False),
])
def test_allowed_domains_compare_host_port_and_scheme(url, allowed, expected):
    from crawler.middlewares import on_site
    assert on_site(url, allowed) is expected


def _fixture_portal(root, name, pages, manifest=None):
    folder = root / name
    folder.mkdir(parents=True)
    for page in pages:
        if page.get("html"):
            (folder / page["file"]).write_text(page.pop("html"), encoding="utf-8")
    text = manifest if manifest is not None else json.dumps({"portal": name, "pages": pages})
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


def test_replay_reads_nothing_outside_a_portals_folder(tmp_path):
    """`..`, absolute paths and symlinks out make the manifest an error for its own portal only."""
    from crawler.middlewares import FixtureIndex
    secret = tmp_path / "secret.html"
    secret.write_text("<html><body><p>root:x:0:0</p></body></html>", encoding="utf-8")
    root = tmp_path / "fixtures"
    page = {"url": "http://good.example/list.html", "file": "list.html", "html": list_html([]),
            "content_type": "text/html; charset=utf-8"}
    _fixture_portal(root, "good", [page])
    for name, file in (("dots", "../../secret.html"), ("absolute", str(secret)), ("link", "link.html")):
        _fixture_portal(root, name, [{"url": f"http://{name}.example/a.html", "file": file}])
    (root / "link" / "link.html").symlink_to(secret)
    _fixture_portal(root, "broken", [], manifest='{"portal": "broken", "pages": [')
    index = FixtureIndex(root)
    assert len(index) == 1 and index.get("http://good.example/list.html")
    assert set(index.errors) == {"dots", "absolute", "link", "broken"}
    assert "'..'" in index.errors["dots"][0] and "absolute path" in index.errors["absolute"][0]
    assert "symlink" in index.errors["link"][0] and "JSON" in index.errors["broken"][0]


def test_a_broken_manifest_disables_only_its_own_portal(server, tmp_path):
    from crawlrun import scrapy
    base = server.url_for("/")
    root = tmp_path / "fixtures"
    article = article_html("正常稿件", paragraphs(60))
    list_url, article_url = server.url_for("/good/list.html"), server.url_for("/good/a.html")
    _fixture_portal(root, "goodport", [
        {"url": list_url, "file": "list.html", "html": list_html([article_url]), "content_type": "text/html; charset=utf-8"},
        {"url": article_url, "file": "a.html", "html": article, "content_type": "text/html; charset=utf-8"}])
    _fixture_portal(root, "badport", [{"url": server.url_for("/bad/list.html"), "file": "../goodport/a.html"}])
    env = _one_page_portal(tmp_path, "goodport", base, list_url)
    _one_page_portal(tmp_path, "badport", base, server.url_for("/bad/list.html"))
    settings = [f"REPLAY_FIXTURES_DIR={root}"]
    items, _, _ = crawl("goodport", tmp_path / "good.jsonl", *settings, env=env)
    assert [i["url"] for i in items] == [article_url]
    proc = scrapy("crawl", "badport", "-O", str(tmp_path / "bad.jsonl"), "-s", settings[0], env=env)
    assert proc.returncode == 1 and "[REFUSED: broken-fixtures]" in proc.stderr
    assert "badport: fixtures not replayed" in proc.stderr and "climbs out" in proc.stderr
    assert "'finish_reason': 'broken-fixtures'" in proc.stderr and "Traceback" not in proc.stderr
    # Another folder claiming goodport's article: an error naming both manifests, for both portals.
    _fixture_portal(root, "thief", [{"url": article_url, "file": "a.html", "html": article, "content_type": "text/html"}])
    proc = scrapy("crawl", "goodport", "-O", str(tmp_path / "again.jsonl"), "-s", settings[0], env=env)
    assert proc.returncode == 1
    assert f"{article_url} is claimed by both {root / 'goodport' / 'manifest.json'} and {root / 'thief' / 'manifest.json'}" in proc.stderr


def test_check_fixtures_reports_paths_out_of_the_folder(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("check_fixtures", ROOT / "fixtures" / "check_fixtures.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "in.html").write_text("x", encoding="utf-8")
    (tmp_path / "p" / "link.html").symlink_to(tmp_path / "secret.html")
    assert check.outside_folder(tmp_path / "p", "in.html") is None
    assert check.outside_folder(tmp_path / "p", "../secret.html") and check.outside_folder(tmp_path / "p", "a/../../x")
    assert check.outside_folder(tmp_path / "p", "/etc/passwd") == "absolute path"
    assert "outside" in check.outside_folder(tmp_path / "p", "link.html")
