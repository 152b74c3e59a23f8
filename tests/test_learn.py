"""`cleaners.learn`: a portal's profile drafted from its own pages (issue 10)."""
import json
import os
import subprocess
import sys

import pytest

from cleaners import Cleaner, Profile, ProfileRegistry
from cleaners.learn import learn, load_samples
from conftest import FIXTURES, ROOT, manifests
from golden import actual, golden_path

PORTALS = [m["portal"] for m, _ in manifests()]
ONBOARDING = ROOT / "tests" / "onboarding" / "xx-county"
META = ("headline", "datePublished", "authors", "source", "editor", "breadcrumbs", "tags", "pullQuotes")


@pytest.mark.parametrize("portal", PORTALS)
def test_a_profile_learned_from_the_pages_alone_reproduces_the_goldens(portal):
    """The hand-written profile is hidden: only the learned one is known to the cleaner."""
    learned = learn(load_samples([str(FIXTURES / portal)]), portal)
    cleaner = Cleaner(ProfileRegistry([learned.profile()]))
    manifest = json.loads((FIXTURES / portal / "manifest.json").read_text(encoding="utf-8"))
    for page in manifest["pages"]:
        golden = json.loads(golden_path(portal, page).read_text(encoding="utf-8"))
        got = actual(cleaner, page, FIXTURES / portal)
        if page["kind"] != "article":
            assert "rejection" in got, page["file"]
            continue
        assert got["articleBody"] == golden["articleBody"], page["file"]
        for key in META:   # every field the hand profile gets (the draft may find more, e.g. breadcrumbs)
            if golden.get(key):
                assert got.get(key) == golden[key], f"{page['file']}: {key}"
        values = sorted(p["value"] for p in got.get("additionalProperties", []))
        assert values == sorted(p["value"] for p in golden.get("additionalProperties", [])), page["file"]
    assert learned.unexplained == []


def test_learn_command_writes_a_profile_that_extract_uses(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "cleaners", "learn", "--name", "zj", "--out", str(tmp_path),
                           str(FIXTURES / "zhenjiang-industry")], capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "selectors.body" not in proc.stdout or "3/3 pages" in proc.stdout
    assert "noise." in proc.stdout and f"wrote {tmp_path / 'zj.toml'}" in proc.stdout
    text = (tmp_path / "zj.toml").read_text(encoding="utf-8")
    assert text.startswith("# zj: drafted by `python -m cleaners learn`") and "# held on 3/3 pages" in text
    profile = Profile.load(tmp_path / "zj.toml")
    assert profile.selectors["body"] and ("div.wxad",) in profile.noise.values()   # kind: the shared rule's name
    page = FIXTURES / "zhenjiang-industry" / "article-1862.html"
    proc = subprocess.run([sys.executable, "-m", "cleaners", "extract", "--portal", "zj", str(page)],
                          capture_output=True, text=True, cwd=ROOT, env={**env, "CLEANERS_PROFILE_PATH": str(tmp_path)})
    item = json.loads(proc.stdout)
    assert item["portal"] == "zj" and item["extractor"] == "profile" and item["tags"] == ["镇江工业园"]
    assert {"profile:copyright"} <= {r["rule"] for r in item["removed"]}
    assert any(r["rule"].startswith("profile:") and "微信号" in r["text"] for r in item["removed"])


def test_learn_command_refuses_unsafe_names_and_missing_pages(tmp_path):
    from cleaners.cli import main
    with pytest.raises(SystemExit):
        main(["learn", "--name", "../x", "--out", str(tmp_path), str(ONBOARDING)])
    with pytest.raises(SystemExit):
        main(["learn", "--name", "x", "--out", str(tmp_path), str(tmp_path / "nothing.html")])
    assert not list(tmp_path.iterdir())


def test_a_class_less_line_recurring_in_the_container_becomes_a_remove_pattern():
    learned = learn(load_samples([str(ONBOARDING)]), "xx-county")
    assert learned.data["remove"] == {"template": "^XX县融媒体中心\\ 出品$"}
    cleaner = Cleaner(ProfileRegistry([learned.profile()]))
    item = cleaner.run(load_samples([str(ONBOARDING / "article-101.html")])[0].page(), "xx-county")
    assert "出品" not in item["articleBody"]
    assert {"rule": "profile:template", "text": "XX县融媒体中心 出品"} in item["removed"]
    assert item["editor"] == "王晓东" and item["source"] == "县农业农村局"


def test_files_without_urls_learn_the_template_and_say_what_they_lack(capsys):
    files = sorted(str(p) for p in (FIXTURES / "wuxi-logistics").glob("article-*.html"))
    learned = learn(load_samples(files), "wuxi")
    assert learned.articles == 3 and "url_patterns" not in learned.data
    assert learned.data["selectors"]["body"] and learned.data["noise"]
    assert "no URLs known" in learned.report()


def test_the_report_names_the_pages_the_template_does_not_explain():
    pages = load_samples([str(p) for p in sorted((FIXTURES / "zhenjiang-industry").glob("article-*.html"))]
                         + [str(FIXTURES / "investchn" / "article-84213.html")])
    learned = learn(pages, "mixed")
    report = learned.report()
    assert "article-84213.html" in report and "unexplained" in report
    assert "3/4 pages" in report


def test_learn_imports_no_scrapy():
    code = "import sys, cleaners.learn; sys.exit('scrapy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_site_templates_learn_a_site_incrementally_and_clean_with_it():
    from cleaners.learn.site import MemoryStore, SiteTemplates
    store = MemoryStore()
    sites = SiteTemplates(store, threshold=3)
    pages = {s.path.rsplit("/", 1)[1]: s.page() for s in load_samples([str(ONBOARDING)])}
    before = sites.clean(pages["article-101.html"])          # no template yet: generic mode, nothing lost
    assert before["extractor"] != "site-template" and before["articleBody"]
    ready = [sites.observe(pages[f]) for f in ("list-1.html", "article-101.html", "article-102.html", "article-103.html")]
    assert ready == [False, False, False, True]
    # a second worker sharing the store sees the same template
    item = SiteTemplates(store, threshold=3).clean(pages["article-101.html"])
    assert item["extractor"] == "site-template" and "出品" not in item["articleBody"]
    assert {"rule": "site-template:template", "text": "XX县融媒体中心 出品"} in item["removed"]
    assert item["editor"] == "王晓东" and item["source"] == "县农业农村局"
    assert "reason" in sites.clean(pages["list-1.html"])


def test_a_credit_label_recurring_at_the_end_of_the_body_becomes_a_remove_pattern(tmp_path):
    """'联络员：某某' closes every article with another name: no shared rule knows the label, the lines
    differ, but the label recurs at the same place on every page."""
    import shutil
    folder = tmp_path / "xx-county"
    shutil.copytree(ONBOARDING, folder)
    for page, name in (("article-101.html", "陈刚"), ("article-102.html", "刘洋"), ("article-103.html", "赵磊")):
        path = folder / page
        html = path.read_text(encoding="utf-8")
        path.write_text(html.replace('<p style="text-align:right">', f"<p>联络员：{name}</p>\n<p style=\"text-align:right\">"),
                        encoding="utf-8")
    learned = learn(load_samples([str(folder)]), "xx-county")
    assert "联络员" in str(learned.data["remove"]["credit"])
    item = Cleaner(ProfileRegistry([learned.profile()])).run(load_samples([str(folder / "article-102.html")])[0].page(),
                                                              "xx-county")
    assert "联络员" not in item["articleBody"] and {"rule": "profile:credit", "text": "联络员：刘洋"} in item["removed"]


def test_two_templates_of_one_site_give_selector_lists():
    files = [str(p) for name in ("zhenjiang-industry", "wuxi-logistics") for p in sorted((FIXTURES / name).glob("article-*.html"))]
    learned = learn(load_samples(files), "two-templates")
    selectors = learned.data["selectors"]
    assert isinstance(selectors["body"], list) and len(selectors["body"]) == 2
    assert isinstance(selectors["headline"], list) and isinstance(selectors["date"], list)
    cleaner = Cleaner(ProfileRegistry([learned.profile()]))
    for path in files:
        item = cleaner.run(load_samples([path])[0].page(), "two-templates")
        assert "reason" not in item and item["headline"] and item["datePublished"], path


def test_a_site_without_a_template_is_given_up_and_its_samples_dropped():
    """Pages that never teach a template (lists only) are not kept and relearned from for ever."""
    from cleaners.learn.site import MemoryStore, SiteTemplates
    store = MemoryStore()
    sites = SiteTemplates(store, threshold=2, max_samples=3)
    import dataclasses
    page = load_samples([str(ONBOARDING / "list-1.html")])[0].page()
    lists = [dataclasses.replace(page, url=f"http://www.xx.gov.cn/col/col{n}/index.html") for n in range(3)]
    assert [sites.observe(p) for p in lists] == [False, False, False]
    assert sites.given_up("xx.gov.cn") and store.get("site-template:xx.gov.cn:samples") == b"[]"
    assert "reason" in sites.clean(lists[0])
