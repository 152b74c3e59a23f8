"""Issue #4 for the library and `python -m cleaners extract`: every bad input is a record with a
reason, in input order, exit 0, no traceback, bounded memory; and the safety limits hold."""
from __future__ import annotations

import codecs
import gzip
import json
import random
import resource
import subprocess
import sys

import pytest
from scrapy.utils.test import get_crawler

from cleaners import Page
from cleaners.html import element_lines, parse
from conftest import ROOT
from crawler import fingerprints
from crawler.items import ArticleItem, PageItem, Rejection
from crawler.pipelines import CleaningPipeline
from faultport import HAN, article_html, paragraphs, traditional

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8


def one_node(size: int) -> str:
    """`size` bytes (UTF-8) of prose in one text node, no sentence repeated."""
    rnd = random.Random(size)
    return "".join(rnd.choice(HAN) + ("，" if i % 17 == 0 else "。" if i % 53 == 52 else "")
                   for i in range(size // 3 - 1000))


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


def test_extract_cli_over_a_mix_of_bad_inputs(tmp_path):
    P = {n: paragraphs(n) for n in range(1, 10)}
    article = article_html("正常稿件", P[1])
    # 13 MB whose text is one node past libxml2's 10 MB buffer: under the 20 MB bound, processed.
    big = article_html("大页面", [one_node(13_000_000), *P[2]])
    assert 13_000_000 < len(big.encode("utf-8")) <= 20 * 1024 * 1024
    cases = [  # (path, expected reason, or the paragraphs the article must have)
        (write(tmp_path / "ok.html", article), P[1]),
        (write(tmp_path / "empty.html", b""), "empty"),
        (write(tmp_path / "pdf.html", PDF), "binary"),
        (write(tmp_path / "page.html.gz", gzip.compress(article.encode("utf-8"))), "binary"),
        (write(tmp_path / "huge.html", b" " * (20 * 1024 * 1024 + 1)), "too-large"),
        (write(tmp_path / "big.html", big), None),
        (write(tmp_path / "deep.html", article_html("深层", ["<div>" * 100_000 + P[3][0] + "</div>" * 100_000, *P[3][1:]])), P[3]),
        (write(tmp_path / "utf16.html", codecs.BOM_UTF16_LE + article_html("UTF-16", P[4], charset=None).encode("utf-16-le")), P[4]),
        (write(tmp_path / "gbk.html", article_html("GBK", P[5], charset=None).encode("gbk")), P[5]),
        (write(tmp_path / "bogus.html", article_html("假字符集", P[6], charset="x-no-such-charset")), P[6]),
        (str(tmp_path / "no-pages"), "unreadable"),  # a folder without pages
        (str(tmp_path / "missing.html"), "unreadable"),
    ]
    (tmp_path / "no-pages").mkdir()
    big5 = traditional(P[7])
    cases.append((write(tmp_path / "big5.html", article_html("Big5", big5, charset=None).encode("big5", "xmlcharrefreplace")), big5))
    paths = [p for p, _ in cases] + [cases[1][0], cases[0][0]] * 150  # hundreds of paths in one call
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-m", "cleaners", "extract", "--no-convert", *paths], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["path"] for r in records] == paths
    for (path, want), record in zip(cases, records):
        if isinstance(want, str):
            assert record.get("reason") == want and record["error"], record
        elif want is not None:
            assert "reason" not in record, record
            assert "".join(record["articleBody"].split()) == "".join("".join(want).split()), path
    assert "reason" not in records[5] and len(records[5]["articleBody"]) > 4_000_000  # the 13 MB page
    # ru_maxrss of children is in KiB on Linux; the run stays well under 2 GiB.
    assert max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) < 2 * 1024 * 1024


def test_entity_bomb_is_not_expanded():
    bomb = ('<!DOCTYPE x [<!ENTITY a "' + "a" * 100 + '">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8)) + ']>'
        '<html><body><p>&i;</p></body></html>')
    root = parse(bomb)
    assert len(root.text_content()) < 1000


def test_element_lines_is_not_recursive():
    root = parse("<html><body><div>x</div></body></html>")
    el = root.find(".//div")
    for _ in range(5000):  # deeper than Python's recursion limit, built directly (no parser limit)
        child = el.makeelement("div", {})
        el.append(child)
        el = child
    el.text = "最深处的正文"
    assert [line.text for line in element_lines(root)][-1] == "最深处的正文"


def test_a_page_that_breaks_the_extractor_is_a_rejection_and_the_next_page_goes_on(monkeypatch):
    crawler = get_crawler(settings_dict={"CLEANERS_CONVERT": None, "CLEANERS_WORKERS": 0})  # in-process: patchable
    pipeline = CleaningPipeline.from_crawler(crawler)
    real = pipeline.cleaner.extract

    def extract(doc):
        if doc.url.endswith("/boom.html"):
            raise ValueError("extractor bug")
        return real(doc)
    monkeypatch.setattr(pipeline.cleaner, "extract", extract)

    def item(name, n):
        return PageItem(url=f"http://example.cn/{name}", body=article_html("稿件", paragraphs(n)).encode("utf-8"),
                        headers={"content-type": "text/html; charset=utf-8"})
    rejected = pipeline.process_item(item("boom.html", 1))
    assert isinstance(rejected, Rejection)
    assert rejected["reason"] == "extract-failed" and "extractor bug" in rejected["detail"]
    article = pipeline.process_item(item("fine.html", 2))
    assert isinstance(article, ArticleItem) and article["headline"]
    assert crawler.stats.get_value("cleaners/errors/extract") == 1


def test_fingerprints_match_copies_and_not_strangers():
    a = "\n".join(paragraphs(1))
    edited = a + "\n" + paragraphs(99)[1]  # one more paragraph (a byline, a note) left in
    stranger = "\n".join(paragraphs(2))
    assert fingerprints.exact_key(a) == fingerprints.exact_key(" ".join(a.split()))
    assert fingerprints.distance(fingerprints.simhash(a), fingerprints.simhash(stranger)) > fingerprints.MAX_DISTANCE
    assert not set(fingerprints.band_keys(fingerprints.simhash(a))) & set(fingerprints.band_keys(fingerprints.simhash(stranger)))
    shared = len(set(fingerprints.line_keys(a)) & set(fingerprints.line_keys(edited)))
    score = fingerprints.jaccard(shared, len(fingerprints.line_keys(edited)), len(fingerprints.line_keys(a)))
    assert score >= fingerprints.MIN_JACCARD
    assert not set(fingerprints.line_keys(a)) & set(fingerprints.line_keys(stranger))
    # Band keys: any two hashes at most MAX_DISTANCE bits apart share one.
    h = fingerprints.simhash(a)
    for bits in ((0,), (5, 40), (1, 30, 63), (10, 11, 12)):
        other = h
        for b in bits:
            other ^= 1 << b
        assert set(fingerprints.band_keys(h)) & set(fingerprints.band_keys(other))


@pytest.mark.parametrize("body, bound", [
    ("<html><body><div>" + "第一行<br>" * 1_000_000 + "</div></body></html>", "elements"),
    ("<html><body><div>" + "".join(f"<p>第{i}段，正文内容。</p>" for i in range(200_000)) + "</div></body></html>", "elements"),
    ("<html><body><div>" + "".join(f"第{i}行正文内容<br>" for i in range(6000)) + "</div></body></html>", "lines"),
])
def test_pages_past_the_work_bounds_are_too_slow_not_a_stall(cleaner, body, bound):
    """A million <br> lines took 46 s and 200k paragraphs 25 s: past the bounds on elements and on
    content lines they are rejected with the figures, before the per-line steps run."""
    record = cleaner.run(Page(body=body.encode("utf-8"), url="http://example.cn/hostile.html"))
    assert record["reason"] == "too-slow" and bound in record["detail"], record


def test_the_work_bounds_are_options(cleaner):
    from cleaners import Cleaner
    body = ("<html><body><h1>长表格</h1><div class='content'>"
            + "".join(f"<p>{p}</p>" for n in range(1600) for p in paragraphs(n)) + "</div></body></html>")
    assert cleaner.run(Page(body=body.encode("utf-8")))["reason"] == "too-slow"
    item = Cleaner(convert=None, max_lines=0).run(Page(body=body.encode("utf-8")))
    assert "reason" not in item and item["articleBody"].count("\n") >= 6000


def test_deep_or_broken_json_ld_is_ignored_not_the_page(cleaner):
    P = paragraphs(21)
    deep = '<script type="application/ld+json">' + '{"a":' * 100_000 + '1' + '}' * 100_000 + '</script>'
    broken = '<script type="application/ld+json">{"headline": "半截</script>'
    good = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-06"}</script>'
    html = article_html("结构化数据", P).replace("</head>", deep + broken + good + "</head>")
    item = cleaner.run(Page(body=html.encode("utf-8"), url="http://example.cn/ld.html"))
    assert "reason" not in item, item
    assert item["datePublished"] == "2024-05-06" and item["headline"] == "结构化数据"
