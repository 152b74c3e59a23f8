"""Publish dates printed on pages (cleaners.dates.near_headline) and in generic mode's metadata."""
from cleaners import Cleaner, Page
from cleaners.dates import near_headline

MENU = "首页 新闻 财经 2004-12-01 网站改版公告 2004-11-30 招聘启事 "


def test_date_next_to_the_title_wins_over_earlier_dates_in_menus():
    text = MENU + "工商部门初定广告属于虚假宣传 BUSINESS.EXAMPLE.COM 2005年3月11日12:12 来源：某报 正文……"
    assert near_headline(text, "工商部门初定广告属于虚假宣传")[0] == "2005-03-11T12:12:00"


def test_labelled_date_after_the_post_when_none_is_next_to_the_title():
    body = "正文很长。" * 100
    text = MENU + "很高兴入住博客堂 " + body + " 发表于 2005-5-7 21:23:57 评论 2005-05-08 10:00"
    assert near_headline(text, "很高兴入住博客堂")[0] == "2005-05-07T21:23:57"


def test_forum_signature_date():
    text = MENU + "关于亲子的演讲 " + "正文。" * 200 + " 本贴由 大卫 于2005年8月12日16:12:21在某论坛发表"
    assert near_headline(text, "关于亲子的演讲")[0] == "2005-08-12T16:12:21"


def test_a_date_mentioned_in_the_body_is_not_a_publish_label():
    # "整理于 2002-09-25" inside the text is not the post's date; the one by the title is.
    text = "社会资本与再就业 2003-5-29 09:07 作者 正文……由某网搜集整理于2002-09-25"
    assert near_headline(text, "社会资本与再就业")[0].startswith("2003-05-29")


def test_no_date_near_the_title_and_no_label_gives_nothing():
    text = MENU + "某某文章标题 " + "正文。" * 200 + " 2004-01-01"
    assert near_headline(text, "某某文章标题") is None


def test_generic_mode_takes_the_date_printed_under_the_title():
    html = ("<html><head><title>园区建设新进展_新闻中心</title></head><body><div>热点 2001-01-01 旧闻</div>"
            "<h1>园区建设新进展</h1><div>时间：2005-07-31 12:30 作者：李华</div><div class='content'><p>"
            + "这是文章的正文段落，讲述开发区建设的进展情况，包括项目签约和生态保护等内容。" * 4 + "</p></div></body></html>")
    item = Cleaner().run(Page(body=html.encode("utf-8"), url="http://example.cn/a.html"), portal="generic")
    assert item["datePublished"] == "2005-07-31T12:30:00"


def test_the_pages_utc_offset_is_kept_after_a_time_and_only_there():
    from cleaners.dates import parse_date
    assert parse_date("2025-10-14T09:32:18+08:00")[0] == "2025-10-14T09:32:18+08:00"
    assert parse_date("2025-10-14T09:32:18.000+0800")[0] == "2025-10-14T09:32:18+08:00"
    assert parse_date("2025-10-14 09:32:18")[0] == "2025-10-14T09:32:18"
    assert parse_date("开放时间 2025-10-14 09:00-11:30")[0] == "2025-10-14T09:00:00"   # a range, not an offset


def test_english_month_names_and_chinese_numerals():
    from cleaners.dates import parse_date
    assert parse_date("Published October 14, 2025 at 9am")[0] == "2025-10-14"
    assert parse_date("14 Oct 2025")[0] == "2025-10-14"
    assert parse_date("成文日期：二〇二五年十月十四日")[0] == "2025-10-14"
    assert parse_date("二〇二五年一月三十一日")[0] == "2025-01-31"


def test_printed_time_takes_the_offset_head_declares_for_the_same_moment():
    html = ("<html><head><meta property='article:published_time' content='2025-10-14T09:32:18+08:00'></head>"
            "<body><h1>港口货物吞吐量增长</h1><div>2025-10-14 09:32:18 来源：某报</div><div><p>"
            + "记者从有关部门获悉，三季度港口货物吞吐量同比增长，多式联运业务量明显增加。" * 3 + "</p></div></body></html>")
    item = Cleaner().run(Page(body=html.encode("utf-8"), url="https://example.cn/a.html"), portal="generic")
    assert item["datePublished"] == "2025-10-14T09:32:18+08:00"
