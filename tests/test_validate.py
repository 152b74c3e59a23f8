"""Rejection by what a page is: Han characters and sentences, a majority of list-like lines, and a
second look at pages with a headline and dated prose."""
import pytest

from cleaners.document import Rejected
from cleaners.validate import validate
from conftest import make_doc

BRIEF = "本报讯 昨日，市政府召开常务会议，研究部署下半年重点工作。会议要求各部门狠抓落实，确保全年目标任务顺利完成。"
WIRE = "The central bank held rates steady on Tuesday. Officials said inflation was easing but remained above target."


def test_a_two_sentence_news_brief_is_an_article():
    assert 40 < len(BRIEF) < 70
    validate(make_doc(BRIEF))


def test_a_short_english_wire_story_is_an_article():
    validate(make_doc(WIRE))


def test_one_short_line_is_not_an_article_and_the_detail_counts_han_characters_and_sentences():
    with pytest.raises(Rejected) as err:
        validate(make_doc("联系我们：请拨打热线。"))
    assert "Han characters in 1 sentence" in err.value.detail


def test_a_list_needs_a_majority_of_list_like_lines_and_says_how_many_of_how_many():
    titles = [f"开发区第{i}季度项目签约情况通报" for i in range(6)]
    with pytest.raises(Rejected) as err:
        validate(make_doc(*titles, BRIEF, links=range(6)))
    assert "6 of 7 lines" in err.value.detail


def test_an_article_with_one_linked_line_is_no_list():
    validate(make_doc(BRIEF, "上一篇：开发区项目签约", BRIEF.replace("昨日", "今日"), links=[1]))


def test_second_look_keeps_a_short_dated_article_with_a_headline():
    text = "市政府召开常务会议。会议研究部署下半年重点工作。"    # two sentences, under the length bound
    with pytest.raises(Rejected):
        validate(make_doc(text))
    validate(make_doc(text, fields={"headline": "市政府召开常务会议", "datePublished": "2025-08-22"}))


def test_second_look_does_not_save_a_list_of_dated_teasers():
    fields = {"headline": "新闻动态", "datePublished": "2025-08-22"}
    entries = []
    for i in range(4):
        entries += [f"第{i}条新闻标题", "2025-08-22 10:00"]
    with pytest.raises(Rejected):
        validate(make_doc(*entries, fields=fields, links=range(0, 8, 2)))
