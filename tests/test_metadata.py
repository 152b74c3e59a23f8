"""Generic mode's authors from the page text (cleaners.metadata.page_authors) and <meta name=author>."""
from cleaners.metadata import _plausible_author, page_authors

TITLE = "民间资本路在何方"


def test_labelled_author_next_to_the_title():
    text = f"首页 财经 {TITLE} 时间：2004年10月21日14:18 作者：郭励弘 我来说两句(0) 正文……"
    assert page_authors(text, TITLE) == ["郭励弘"]


def test_labelled_authors_separated_by_spaces_stop_before_the_next_word():
    assert page_authors(f"{TITLE} 编辑： 金金 作者：宋怡 杨志华 我要说说 打印", TITLE) == ["宋怡", "杨志华"]


def test_reporter_bylines():
    assert page_authors(f"{TITLE} 本报记者罗科苏盈发自北京 23日下午……", TITLE) == ["罗科苏盈"]
    assert page_authors(f"{TITLE} ……高质量发展。（记者 胡晓蓉） 责任编辑：某某", TITLE) == ["胡晓蓉"]
    assert page_authors(f"{TITLE} 新京报记者 彭冲 山东冠县报道 【编辑:某某】", TITLE) == ["彭冲"]


def test_reporter_word_inside_prose_is_not_a_byline():
    text = f"{TITLE} 有关律师接受记者采访时称，广告属于虚假宣传。小记者训练营 报名中"
    assert page_authors(text, TITLE) == []


def test_names_in_brackets_closing_the_article():
    assert page_authors(f"{TITLE} ……都是利益再分配的过程吗？”（姚峰 上海报道） 最新评论", TITLE) == ["姚峰"]
    assert page_authors(f"{TITLE} ……改革正在进行。（新华社） 相关新闻", TITLE) == []
    assert page_authors(f"{TITLE} 人体摄影背后是什么？ (新闻) · 更多", TITLE) == []


def test_labelled_value_that_is_markup_is_not_a_name():
    assert page_authors(f'{TITLE} 作者： size="20" 来源： size="20"', TITLE) == []


def test_meta_author_that_names_the_site_is_ignored():
    assert _plausible_author("李华")
    for value in ("大汉网络", "www.example.cn 某某日报报业集团 某某网", "example.com", "L_104485",
                  "首先欢迎你来到某某网接受我们的采访"):
        assert not _plausible_author(value), value


def test_a_photo_credit_is_not_the_author():
    text = "标题在此 图为园区一角。（记者 周磊 摄） 正文…… 记者 刘佳 报道"
    assert page_authors(text, "标题在此") == ["刘佳"]


def test_a_byline_stops_before_the_next_label():
    from cleaners.rules.meta import FIELD_PATTERNS, split_names
    m = FIELD_PATTERNS["authors"].search("发布时间：2025年10月21日　作者：本报记者 蒋文　来源：园区产业网")
    assert split_names(m.group("value")) == ["蒋文"]


def test_headline_without_the_site_suffix():
    from cleaners.metadata import strip_site_suffix
    assert strip_site_suffix("某某博主 | blog.example.com") == "某某博主"
    assert strip_site_suffix("开发区建设再提速_新闻频道_某某网") == "开发区建设再提速"
    assert strip_site_suffix("开发区建设再提速(页 1) - 新闻 - 某某论坛") == "开发区建设再提速"
    assert strip_site_suffix("书记这一周 | 奋马扬鞭争春色，全力以赴向未来") == "奋马扬鞭争春色，全力以赴向未来"


def test_a_heading_that_names_the_site_is_not_the_headline():
    from cleaners.metadata import headline
    import lxml.html
    root = lxml.html.fromstring("<html><head><title>土豆丰收了 某某江网</title></head><body><h1>某某江网</h1></body></html>")
    assert headline(root, "土豆丰收了 某某江网") != "某某江网"


def test_outlet_reporter_and_dateline_bylines():
    assert page_authors("标题在此 新华日报·交汇点记者 徐某某 素材来源 某某", "标题在此") == ["徐某某"]
    assert page_authors("标题在此 2004年7月16日08:19 [ 黄某 ] 来源：某报", "标题在此") == ["黄某"]
