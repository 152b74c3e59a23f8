"""Normalisation: pinyin out, Traditional to Simplified only when the text is Traditional."""
import pytest

from cleaners import normalise as normalise_module
from cleaners.normalise import normalise
from conftest import make_doc

TRADITIONAL = "會議強調，要深入貫徹總書記關於城市工作的重要論述，加快實現從簡單疊加到有機融合的質變躍升。"
SIMPLIFIED = "会议强调，要深入贯彻总书记关于城市工作的重要论述，加快实现从简单叠加到有机融合的质变跃升。"


def test_traditional_is_converted_and_marked():
    doc = normalise(make_doc(TRADITIONAL, fields={"editor": "楊亦哲"}))
    assert doc.lines[0].text == SIMPLIFIED
    assert doc.fields["editor"] == "杨亦哲"
    assert doc.fields["scriptConverted"] == "zh-Hant->zh-Hans"


def test_simplified_text_never_reaches_the_converter(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the converter ran on Simplified text")
    monkeypatch.setattr(normalise_module, "to_simplified", fail)
    doc = normalise(make_doc(SIMPLIFIED))
    assert doc.lines[0].text == SIMPLIFIED and "scriptConverted" not in doc.fields


def test_japanese_kanji_are_left_alone():
    text = "東京都は會議で新しい計畫を發表しました。これは經濟の發展のためのものです。"
    doc = normalise(make_doc(text))
    assert doc.lines[0].text == text and "scriptConverted" not in doc.fields


def test_conversion_can_be_switched_off():
    doc = normalise(make_doc(TRADITIONAL), convert=None)
    assert doc.lines[0].text == TRADITIONAL


def test_flattened_pinyin_is_removed_and_recorded():
    doc = normalise(make_doc("全市功能區(qū)建設(shè)工作推進(jìn)會(huì)召開(kāi)。"))
    assert doc.lines[0].text == "全市功能区建设工作推进会召开。"
    assert doc.removed[0]["rule"] == "pinyin-annotation"


@pytest.mark.parametrize("text", ["“功能區(開發區)+鎮(街道)”", "GDP(gross domestic product)"])
def test_real_parentheses_stay(text):
    doc = normalise(make_doc(text), convert=None)
    assert doc.lines[0].text == text


def test_control_characters_bidi_and_terminal_escapes_leave_every_field():
    doc = make_doc("第一段\u2028第二段\u2029第三段\x85第四段", "正文\x00含\x07控\x1b[31m制\x1b[0m字符\u202e符\u2066号\u2069。",
                   fields={"headline": "标题\u2028第二行\x9b1m\u202d", "authors": ["张三\r\n", "\u202e"],
                           "source": "来源\x1b]0;title\x07报", "doc_number": "文号\x0c123"})
    doc.removed.append({"rule": "share", "text": "分享\u2028到"})
    doc = normalise(doc, convert=None)
    assert [line.text for line in doc.lines] == ["第一段", "第二段", "第三段", "第四段", "正文含控制字符符号。"]
    assert doc.fields["headline"] == "标题 第二行"
    assert doc.fields["authors"] == ["张三"]
    assert doc.fields["source"] == "来源报" and doc.fields["doc_number"] == "文号 123"
    assert doc.removed[0]["text"] == "分享 到"
    item = doc.to_item()
    for value in (item["headline"], item["articleBody"], *item["authors"]):
        assert not any(c in value for c in "\x00\x07\x1b\x85\x9b\u2028\u2029\u202d\u202e\u2066\u2069")


def test_a_feed_of_hostile_text_stays_one_record_per_line(tmp_path):
    """What crawlrun.read_jsonl (splitlines) reads back is what was written, one item per line."""
    import json

    from crawlrun import read_jsonl
    hostile = "行一\u2028行二\u2029行三\x85行四\x1c行五\x1d行六\x1e行七\x0b行八\x0c行九\r行十"
    doc = normalise(make_doc(hostile, fields={"headline": hostile}), convert=None)
    item = doc.to_item()
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n" + json.dumps(item, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    assert read_jsonl(path) == [item, item]
    assert item["articleBody"].split("\n")[:3] == ["行一", "行二", "行三"]


# -- regional conversion (CLEANERS_CONVERT=auto) ------------------------------------------------
TW_PARTICLE = "工程承擔著防洪任務，將著力打造示範區，這部著作的影響顯著。"


def _auto(text, url="http://example.cn/a.html", lang=None, content_type=""):
    import lxml.html
    from cleaners import Page
    doc = make_doc(text)
    doc.page = Page(body=b"", url=url, headers={"content-type": content_type} if content_type else {})
    doc.tree = lxml.html.fromstring(f'<html{f" lang={lang}" if lang else ""}><body><p>x</p></body></html>')
    return normalise(doc, "auto")


def test_auto_converts_the_taiwan_particle_and_keeps_the_true_zhu():
    doc = _auto(TW_PARTICLE)
    assert doc.lines[0].text == "工程承担着防洪任务，将着力打造示范区，这部著作的影响显著。"
    assert doc.fields["scriptConversion"] == "tw2s"


def test_plain_t2s_would_have_kept_the_wrong_zhu():
    # What the old default did, so the test above is not passing by accident.
    assert "承担著" in normalise(make_doc(TW_PARTICLE), "t2s").lines[0].text


@pytest.mark.parametrize("kwargs, config", [
    ({"lang": "zh-HK"}, "hk2s"), ({"lang": "zh-TW"}, "tw2s"), ({"url": "https://news.example.com.hk/a"}, "hk2s"),
    ({"url": "https://www.example.com.tw/a"}, "tw2s"), ({"content_type": "text/html; charset=big5-hkscs"}, "hk2s"),
    ({"content_type": "text/html; charset=big5"}, "tw2s"), ({}, "t2s")])
def test_auto_reads_the_region_from_language_tag_domain_and_charset(kwargs, config):
    assert _auto(TRADITIONAL, **kwargs).fields["scriptConversion"] == config


def test_auto_reads_the_region_from_vocabulary():
    cantonese = "佢哋話呢個計劃係為咗市民嘅福祉，政府會喺下個月公佈詳情。"
    assert _auto(cantonese + TRADITIONAL).fields["scriptConversion"] == "hk2s"
    taiwanese = "使用者可以透過網路下載軟體，並在資訊平台上觀看影片。"
    assert _auto(taiwanese + TRADITIONAL).fields["scriptConversion"] == "tw2s"
