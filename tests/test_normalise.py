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
