"""Profiles: loading, validation with clear errors, URL matching with generic fallback."""
import os
import subprocess
import sys

import pytest

from cleaners import Profile, ProfileError, ProfileRegistry
from conftest import FIXTURES, manifests


def test_builtin_profiles_are_the_five_portals():
    assert ProfileRegistry.default().names() == sorted(m["portal"] for m, _ in manifests())


def test_every_fixture_url_resolves_to_its_portal_or_generic():
    registry = ProfileRegistry.default()
    for manifest, _ in manifests():
        for page in manifest["pages"]:
            profile = registry.resolve("auto", page["url"])
            if page["kind"] in ("article", "list"):
                assert profile is not None and profile.name == manifest["portal"], page["url"]


def test_resolve_generic_and_named():
    registry = ProfileRegistry.default()
    url = "http://www.investchn.com/kfqxw/wzxw/2021-12-03/84213.html"
    assert registry.resolve("generic", url) is None
    assert registry.resolve("auto", "http://unknown.example.cn/a.html") is None
    assert registry.resolve("netease-hao", url).name == "netease-hao"
    with pytest.raises(ProfileError, match="no profile named 'nope'"):
        registry.resolve("nope", url)


@pytest.mark.parametrize("data, message", [
    ({}, "needs a string 'name'"),
    ({"name": "x", "url_patterns": ["("]}, "bad regular expression"),
    ({"name": "x", "patterns": {"zone": "发布开发区:(.*)"}}, "group named 'value'"),
    ({"name": "x", "selectors": {"bdoy": "div"}}, "unknown selector keys"),
])
def test_bad_profiles_are_refused_with_a_reason(data, message):
    with pytest.raises(ProfileError, match=message):
        Profile.from_dict(data, "test.toml")


def test_profile_path_env_adds_and_overrides(tmp_path, monkeypatch):
    (tmp_path / "investchn.toml").write_text('name = "investchn"\ndescription = "override"\n', encoding="utf-8")
    (tmp_path / "new-portal.toml").write_text('name = "new-portal"\nurl_patterns = [\'^https?://new\\.example\\.cn/\']\n', encoding="utf-8")
    monkeypatch.setenv("CLEANERS_PROFILE_PATH", str(tmp_path))
    registry = ProfileRegistry.default()
    assert registry.get("investchn").description == "override"
    assert registry.match("https://new.example.cn/a.html").name == "new-portal"


def test_fixture_checker_passes():
    proc = subprocess.run([sys.executable, str(FIXTURES / "check_fixtures.py")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" OK ") == len(list(manifests()))


# -- the schema (issue 8, item 6) -------------------------------------------------------------------
@pytest.mark.parametrize("data, message", [
    ({"name": "x", "url_patterns": "x"}, r"url_patterns: must be a list of strings, not the string 'x'"),
    ({"name": "x", "required": "datePublished"}, r"required: must be a list of strings"),
    ({"name": "x", "required": ["datePublsihed"]}, r"required: 'datePublsihed' is no field"),
    ({"name": "x", "noise": "div"}, r"noise: must be a table"),
    ({"name": "x", "noise": {"share": 3}}, r"noise.share: must be a list of strings"),
    ({"name": "x", "selectors": {"body": "div..x"}}, r"selectors.body: selector 'div..x' does not compile"),
    ({"name": "x", "selectors": {"body": "//div[@class="}}, r"selectors.body: selector .* does not compile"),
    ({"name": "x", "selectors": {"body": 7}}, r"selectors.body: must be a list of strings"),
    ({"name": "../../x"}, r"name: '../../x' is not a safe name"),
    ({"name": "x", "crawl": {"start_urls": "http://a.cn/"}}, r"crawl.start_urls: must be a list"),
    ({"name": "x", "crawl": {"start_urls": ["file:///etc/passwd"], "allowed_domains": ["a.cn"]}}, r"http\(s\) URL"),
    ({"name": "x", "crawl": {"start_urls": ["http://a.cn/"]}}, r"crawl.allowed_domains: a spider needs"),
    ({"name": "x", "crawl": {"artcle_links": "a"}}, r"crawl.artcle_links: unknown key"),
    ({"name": "x", "selctors": {}}, r"selctors: unknown key"),
    ({"name": "x", "description": ["a"]}, r"description: must be a string"),
    ({"name": "x", "remove": {"credit": "责任编辑[:("}}, r"remove.credit: bad regular expression"),
])
def test_schema_errors_name_the_file_and_the_key(data, message):
    with pytest.raises(ProfileError, match=r"^test\.toml: .*" + message):
        Profile.from_dict(data, "test.toml")


def test_selectors_may_be_lists_and_xpath():
    profile = Profile.from_dict({"name": "x", "selectors": {"body": ["div.missing", "//div[@id='zoom']"]},
                                 "noise": {"tools": ["div.a", "div.b"]}})
    assert profile.selectors["body"] == ("div.missing", "//div[@id='zoom']")
    assert profile.noise["tools"] == ("div.a", "div.b")


def test_a_bad_profile_disables_itself_and_only_itself(tmp_path, monkeypatch, caplog):
    (tmp_path / "broken.toml").write_text('name = "broken"\nnoise = "div"\n', encoding="utf-8")
    (tmp_path / "investchn.toml").write_text('name = "investchn"\nurl_patterns = "x"\n', encoding="utf-8")
    (tmp_path / "garbled.toml").write_text('name = "garbled\n', encoding="utf-8")
    monkeypatch.setenv("CLEANERS_PROFILE_PATH", str(tmp_path))
    registry = ProfileRegistry.default()
    assert "jingjiang-news" in registry.names()
    assert {"broken", "investchn", "garbled"} <= set(registry.errors) and not {"broken", "investchn"} & set(registry.names())
    with pytest.raises(ProfileError, match=r"'investchn' is disabled: .*investchn.toml: url_patterns: must be a list"):
        registry.get("investchn")
    assert "broken.toml: noise: must be a table" in caplog.text


def test_scrapy_list_survives_a_bad_profile(tmp_path):
    from crawlrun import scrapy
    (tmp_path / "broken.toml").write_text('name = "broken"\nrequired = "datePublished"\n[crawl]\n'
                                          'start_urls = ["http://a.cn/"]\nallowed_domains = ["a.cn"]\n', encoding="utf-8")
    proc = scrapy("list", env={"CLEANERS_PROFILE_PATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "jingjiang-news" in proc.stdout.split() and "broken" not in proc.stdout.split()
    assert "broken.toml: required: must be a list of strings" in proc.stderr


def test_a_backtracking_profile_regex_cannot_hang_cleaning(caplog):
    import time
    from cleaners import Cleaner, Page
    slow = r"^(a|aa)+$"
    profile = Profile.from_dict({"name": "slow", "url_patterns": ["(a|aa)+$", "^http://slow\\.cn/"],
                                 "selectors": {"body": "div.c"}, "patterns": {"x": r"(?P<value>(a|aa)+)$"},
                                 "remove": {"junk": slow}})
    text = "a" * 80 + "b"
    page = Page(body=f"<html><body><div class=c><p>{text}</p><p>{'这是正文，' * 30}</p></div></body></html>".encode(),
                url="http://slow.cn/" + text)
    start = time.monotonic()
    item = Cleaner(ProfileRegistry([profile])).run(page)
    assert time.monotonic() - start < 5
    assert item["portal"] == "slow" and text in item["articleBody"]
    assert "ran over" in caplog.text


# -- [remove] patterns and credit lines (issue 10) --------------------------------------------------
ARTICLE = """<html><head><title>标题</title></head><body><h1>园区新闻标题</h1><div class="info">2024-09-24</div>
<div class="text"><p>{prose}</p><p style="text-align:center">责任编辑：王小明</p>
<p style="text-align:right">（图片来源于网络，侵删）</p><div class="box">扫码关注</div></div></body></html>"""


def test_remove_patterns_drop_lines_and_credit_lines_keep_their_field():
    from cleaners import Cleaner, Page
    profile = Profile.from_dict({
        "name": "t", "selectors": {"body": ["div.nothing", "div.text"], "date": "div.info"},
        "remove": {"credit": "^责任编辑[:：]", "image-credit": ["图片来源于网络", "^（图片"]},
        "noise": {"promo": "div.box"}})
    prose = "开发区今年新签约项目二十个，总投资超过百亿元，园区改造和生态保护同步推进。" * 3
    item = Cleaner(ProfileRegistry([profile])).run(Page(body=ARTICLE.format(prose=prose).encode(), url="http://t.cn/1"), "t")
    assert item["articleBody"] == prose
    assert item["editor"] == "王小明"
    rules = [(r["rule"], r["text"]) for r in item["removed"]]
    assert ("profile:credit", "责任编辑：王小明") in rules
    assert ("profile:image-credit", "（图片来源于网络，侵删）") in rules
    assert ("profile:promo", "扫码关注") in rules


def test_the_readme_example_profile_passes_the_schema():
    import re
    import tomllib
    from conftest import ROOT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Adding a portal"):]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    profile = Profile.from_dict(tomllib.loads(example), "README.md")
    assert profile.selectors["body"] == ("div#zoom", "div.TRS_Editor")
    assert set(profile.remove) == {"credit", "qr-promo"} and profile.required == ("datePublished",)


def test_the_fixture_checker_accepts_unsaved_links_and_xpath_and_reports_bad_selectors(tmp_path):
    import shutil
    from conftest import ROOT
    shutil.copytree(ROOT / "tests" / "onboarding" / "xx-county", tmp_path / "fixtures" / "xx-county")
    profile = (
        'name = "xx-county"\nurl_patterns = [\'^https?://www\\.xx\\.gov\\.cn/\']\n'
        '[crawl]\nstart_urls = ["http://www.xx.gov.cn/col/col123/index.html"]\nallowed_domains = ["xx.gov.cn"]\n'
        'article_links = "//div[@class=\'list\']//a"\n'
        '[selectors]\nbody = ["div.none", "//div[@id=\'zoom\']"]\nheadline = "div.title h1"\n'
        'source = "//div[@class=\'info\']/span[2]"\neditor = "%s"\n'
        '[noise]\ntools = "//p[contains(., \'出品\')]"\n')
    env = {**os.environ, "REPLAY_FIXTURES_DIR": str(tmp_path / "fixtures"), "CLEANERS_PROFILE_PATH": str(tmp_path)}
    (tmp_path / "xx-county.toml").write_text(profile % "//div[@id=\'zoom\']/p[contains(., \'责任编辑\')]", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(FIXTURES / "check_fixtures.py"), "xx-county"], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "profile ok" in proc.stdout and "2 page(s) not saved" in proc.stdout
    (tmp_path / "xx-county.toml").write_text(profile % "//div[@class=\'editor\']", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(FIXTURES / "check_fixtures.py"), "xx-county"], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 1 and "selector editor selects nothing on any article page" in proc.stdout


def test_crawl_incremental_is_a_boolean():
    assert Profile.from_dict({"name": "x", "crawl": {"incremental": True}}).crawl["incremental"] is True
    with pytest.raises(ProfileError, match=r"crawl.incremental: must be true or false"):
        Profile.from_dict({"name": "x", "crawl": {"incremental": "yes"}}, "t.toml")


def test_class_selectors_select_what_cssselect_s_own_translation_selects():
    import lxml.html
    from lxml.cssselect import CSSSelector

    from cleaners.html import _css, parse
    selectors = {s for profile in ProfileRegistry.default() for table in (profile.selectors, profile.noise)
                 for found in table.values() for s in found if not s.lstrip().startswith(("/", "(", "./"))}
    selectors |= {"div.a", ".a.b", "p.a-b", "[class~=a]", "div .b", "span.é"}
    pages = [parse(path.read_text(encoding="utf-8", errors="replace"))
             for manifest, folder in manifests() for path in (folder / p["file"] for p in manifest["pages"])]
    # Words that hold another's name, tabs and newlines between words, an empty class, non-ASCII names.
    pages.append(lxml.html.fromstring(
        '<div><div class="ab a-b"><p class="b">x</p></div><div class="\ta\n b\r"><span class="é">y</span></div>'
        '<div class=""></div><div class="aa ba"><span class="bb">z</span></div><p class="a-b">w</p></div>'))
    checked = 0
    for selector in selectors:
        stock = CSSSelector(selector, translator="html")
        for root in pages:
            assert _css(selector)(root) == stock(root), selector
            checked += bool(stock(root))
    assert checked >= 30
