"""One test per cleaning rule: what it removes, what it keeps, what it records."""
import pytest

from cleaners.rules import by_name
from conftest import PROSE, make_doc


def run(rule_name, *texts, **kw):
    doc = make_doc(*texts, **kw)
    by_name(rule_name).apply(doc)
    return doc


def kept(doc):
    return [line.text for line in doc.lines]


def test_prev_next_removes_neighbour_links_in_both_scripts():
    doc = run("prev-next", PROSE, "上一条:飞友科技参加预备会", "下一篇：这是本分类下的最后一篇文章", "【上一篇】某某", "下一條:某某")
    assert kept(doc) == [PROSE]
    assert [r["rule"] for r in doc.removed] == ["prev-next"] * 4


def test_prev_next_keeps_prose_that_mentions_next_steps():
    text = "下一步，我们将继续推进园区建设。"
    assert kept(run("prev-next", PROSE, text)) == [PROSE, text]


def test_copyright_removes_copyright_icp_and_reprint_notices():
    lines = ["Copyright © 2015-2024 Example.com All Rights Reserved. 版权所有:某某网",
             "版权声明:本文由网络蜘蛛自动收集于网络,如需转载请查明并注明出处",
             "苏ICP备12345678号-1", "未经本网授权，不得转载、复制"]
    assert kept(run("copyright", PROSE, *lines)) == [PROSE]


def test_copyright_keeps_long_paragraph_about_copyright_law():
    text = "会议指出，要加强版权保护工作，" + "完善知识产权制度，" * 25
    assert kept(run("copyright", text)) == [text]


def test_platform_disclaimer_both_languages():
    lines = ["特别声明:以上内容为自媒体平台用户上传并发布,本平台仅提供信息存储服务。",
             "Notice: The content above is uploaded and posted by a user of a platform."]
    doc = run("platform-disclaimer", PROSE, *lines)
    assert kept(doc) == [PROSE]


def test_login_bar():
    assert kept(run("login-bar", "欢迎来到某某网! 请登录  免费注册  忘记密码?", PROSE)) == [PROSE]


def test_share_line_only_when_it_is_just_share_buttons():
    doc = run("share", PROSE, "分享给朋友:", "分享到：微信 微博 QQ空间", "我们要分享发展成果，共同推进。")
    assert kept(doc) == [PROSE, "我们要分享发展成果，共同推进。"]


def test_page_tools():
    assert kept(run("page-tools", PROSE, "【打印本页】【关闭窗口】", "字号：大 中 小")) == [PROSE]


def test_comments_widgets():
    assert kept(run("comments", PROSE, "发表评论", "已有0人参与")) == [PROSE]


def test_contact_block_outside_the_article():
    lines = ["与我们联系", "• 联系电话:+86-0512-53660867", "• 传  真:+86-0512-53660867", "• 邮  箱:info@example.com"]
    assert kept(run("contact", PROSE, *lines)) == [PROSE]


def test_contact_lines_inside_the_article_stay():
    inner = "电话：0510-12345678"
    assert kept(run("contact", PROSE, inner, PROSE)) == [PROSE, inner, PROSE]


def test_view_count():
    assert kept(run("view-count", PROSE, "阅读：1234")) == [PROSE]


def test_wechat_promo_block_takes_the_lines_it_frames():
    block = ["某某微信号", "产业招商/厂房土地租售:400 0123 021", "或微信/手机:13391219793",
             "请说明您的需求,以便快速帮您对接资源。", "长按/扫一扫加某某的微信号"]
    doc = run("wechat-promo", PROSE, "市领导参加调研。(记者 某某)", *block)
    assert kept(doc) == [PROSE, "市领导参加调研。(记者 某某)"]
    assert len(doc.removed) == 5


def test_related_heading_cuts_the_teaser_list():
    doc = run("related", PROSE, PROSE, "相关文章", "【公示公告】某某公告", "一段很长的摘要" * 10)
    assert kept(doc) == [PROSE, PROSE]
    assert doc.removed[0] == {"rule": "related", "text": "相关文章"}


def test_related_heading_near_the_top_is_left_alone():
    doc = run("related", "相关新闻", PROSE, PROSE)
    assert kept(doc) == ["相关新闻", PROSE, PROSE]


def test_link_list_after_the_article():
    doc = run("link-list", PROSE, "国产首台设备出机", "天黑后，就来新吴吧！", links={1, 2})
    assert kept(doc) == [PROSE]


def test_link_list_keeps_linked_text_inside_the_article():
    doc = run("link-list", PROSE, "某某公司", PROSE, links={1})
    assert kept(doc) == [PROSE, "某某公司", PROSE]


def test_pull_quotes_repeating_the_body_move_to_their_own_field():
    quote = "赵某:江阴与靖江是两个交流联系最紧密的城市,要推动高质量跨江融合发展。"
    body = ["赵某指出,江阴与靖江隔江相望,是两个交流联系最紧密的城市。会议强调,要推动高质量跨江融合发展。", PROSE]
    doc = run("pull-quote", quote, *body)
    assert kept(doc) == body
    assert doc.fields["pullQuotes"] == [quote]


def test_opening_paragraph_that_does_not_repeat_stays():
    doc = run("pull-quote", PROSE, "另一段完全不同的文字，谈的是交通建设和港口资源整合的情况。", "第三段。" * 5)
    assert kept(doc)[0] == PROSE
    assert "pullQuotes" not in doc.fields


def test_english_lead_paragraph_is_not_a_pull_quote_of_other_english_text():
    # Different English sentences share many character 4-grams ("tion", "the "): shingles are words.
    lead = ("Volker and Morrison testified side by side before the committee on Tuesday afternoon, "
            "answering questions about the national security council and the administration.")
    rest = ["Morrison was the third witness who listened in on the call with the president, and he said "
            "he was not concerned that anything illegal was discussed during the conversation.",
            "Republicans also questioned the judgment of another witness at length in the hearing."]
    doc = run("pull-quote", lead, *rest)
    assert kept(doc) == [lead, *rest]


def test_breadcrumbs_are_removed_and_kept_as_a_list():
    doc = run("breadcrumbs", "您现在的位置:首页 > 开发区新闻 > 无锡 > 文字新闻", PROSE)
    assert kept(doc) == [PROSE]
    assert doc.fields["breadcrumbs"] == ["首页", "开发区新闻", "无锡", "文字新闻"]


def test_tags_line():
    doc = run("tags", PROSE, "标签: 镇江工业园 产业园")
    assert kept(doc) == [PROSE]
    assert doc.fields["tags"] == ["镇江工业园", "产业园"]


def test_repeated_headline():
    doc = run("headline", "奋楫争先 全力助推绿色发展", PROSE, fields={"headline": "奋楫争先 全力助推绿色发展"})
    assert kept(doc) == [PROSE]


@pytest.mark.parametrize("line, fields", [
    ("发布时间:2021-12-03  来源:江阴日报", {"datePublished": "2021-12-03", "source": "江阴日报"}),
    ("2021/10/19 13:13:28", {"datePublished": "2021-10-19T13:13:28"}),
    ("編輯 | 楊亦哲", {"editor": "楊亦哲"}),
    ("來源 | 無錫日報", {"source": "無錫日報"}),
    ("责任编辑：王小明", {"editor": "王小明"}),
    ("作者：李华", {"authors": ["李华"]}),
])
def test_meta_lines_become_fields(line, fields):
    doc = run("meta-line", line, PROSE)
    assert kept(doc) == [PROSE]
    for key, value in fields.items():
        assert doc.fields[key] == value


def test_meta_line_keeps_body_paragraph_ending_with_a_byline():
    text = "市委常委、常务副市长郭某，市政府秘书长马某参加调研。(记者 崔某)"
    assert kept(run("meta-line", PROSE, text)) == [PROSE, text]


def test_prev_next_keeps_english_sentences_that_start_with_next():
    text = "Next steps will be announced at an all-company meeting on Friday, the chief executive said."
    doc = run("prev-next", PROSE, text, "Next article: Budget approved", "Previous")
    assert kept(doc) == [PROSE, text]


EN = ("The council approved the new budget on Tuesday after a long debate about schools, roads and the "
      "future of public transport in the region, officials said.")


def test_newsletter_sign_up_lines():
    lines = ["Get the latest updates right in your inbox. Subscribe to our newsletters.",
             "Sign up for our daily newsletter to get the best stories.",
             "Get breaking news alerts and special reports, delivered weekday mornings."]
    doc = run("newsletter", EN, *lines)
    assert kept(doc) == [EN]
    assert [r["rule"] for r in doc.removed] == ["newsletter"] * 3


def test_newsletter_keeps_sentences_about_signing_up_for_other_things():
    text = "Customers can sign up for the streaming bundle using the same email as their existing account."
    assert kept(run("newsletter", EN, text)) == [EN, text]


def test_social_follow_and_contact_the_author_lines():
    lines = ["Follow us on Twitter @example and on Facebook.",
             "Have a tip? Jane Doe may be reached at jdoe@example.com.",
             "Email Jane Doe at jdoe@example.com or follow her @janedoe."]
    assert kept(run("social-follow", EN, *lines)) == [EN]


def test_social_follow_keeps_prose_that_mentions_following():
    text = "Police said they would follow every lead in the case and asked witnesses to come forward."
    assert kept(run("social-follow", EN, text)) == [EN, text]


def test_photo_credits_and_gallery_counters():
    lines = ["Image 1 of 5", "(Image credit: Example Agency)", "Photo: Jane Doe, AP",
             "The mayor visits the new bridge on Monday.Credit: Getty Images"]
    assert kept(run("photo-credit", EN, *lines)) == [EN]


def test_photo_credit_keeps_prose_about_credit():
    text = "Credit card debt rose again in the third quarter: households owe more than ever, the bank said."
    assert kept(run("photo-credit", EN, text)) == [EN, text]


def test_english_datelines_are_removed():
    lines = ["Published Nov 18, 2019 at 4:07 PM | Updated at 5:36 PM CST on Nov 18, 2019",
             "Posted by Jane Doe on November 19, 2019, 6:21 AM EST",
             "Last modified on Mon 18 Nov 2019 18.56 GMT"]
    doc = run("en-dateline", EN, *lines)
    assert kept(doc) == [EN]
    assert {r["rule"] for r in doc.removed} == {"en-dateline"}


def test_english_dateline_keeps_prose_starting_with_updated():
    text = "Updated guidance from the agency says the vaccine should be offered to everyone over 65."
    assert kept(run("en-dateline", EN, text)) == [EN, text]


def test_english_bylines_become_authors():
    doc = run("en-byline", "By Jane Doe and John Smith", EN, "(Reporting by Jane Doe; Editing by John Smith)")
    assert kept(doc) == [EN]
    assert doc.fields["authors"] == ["Jane Doe", "John Smith"]


def test_english_byline_keeps_sentences_starting_with_by():
    text = "By the end of the year the city expects to finish both bridges."
    assert kept(run("en-byline", text, EN)) == [text, EN]


def test_english_widget_buttons():
    assert kept(run("en-widget", EN, "Share this:", "Like Loading...", "Comments", "Back to Gallery")) == [EN]


def test_english_widget_keeps_words_inside_sentences():
    text = "Share prices fell sharply in early trading."
    assert kept(run("en-widget", EN, text)) == [EN, text]


def test_every_rule_has_a_test():
    from cleaners.rules import DEFAULT_RULES
    tested = {"prev-next", "copyright", "platform-disclaimer", "login-bar", "share", "page-tools", "comments",
              "contact", "view-count", "wechat-promo", "related", "link-list", "pull-quote", "breadcrumbs",
              "tags", "headline", "meta-line", "newsletter", "social-follow", "photo-credit", "en-dateline",
              "en-byline", "en-widget", "promo-block", "disclaimer", "caption", "credit-line", "original-title",
              "repeated-quote", "footer"}
    assert {rule.name for rule in DEFAULT_RULES} <= tested


# -- in-body chrome without class names (cleaners/rules/inbody.py) ----------------------------------
def test_promo_block_in_the_middle_of_the_text_goes_with_its_lines():
    doc = run("promo-block", PROSE, "【招商合作】", "招商热线：0510-88886666", "联系人：王经理 13912345678",
              "扫码关注公众号了解更多", PROSE + "续。")
    assert kept(doc) == [PROSE, PROSE + "续。"]
    assert len(doc.removed) == 4


def test_promo_block_keeps_prose_that_mentions_a_hotline():
    text = "市民如遇问题，可拨打12345政务服务热线咨询，相关部门将在三个工作日内予以答复。"
    assert kept(run("promo-block", PROSE, text)) == [PROSE, text]


def test_promo_block_takes_short_lines_between_two_contact_lines():
    doc = run("promo-block", PROSE, "产业招商/厂房租售：400 0123 021", "请说明您的需求，以便对接资源。", "或微信/手机：13391219793")
    assert kept(doc) == [PROSE]


def test_disclaimer_heading_takes_the_statement_under_it():
    doc = run("disclaimer", PROSE, "【免责声明】", "本文仅代表作者观点，与本网无关。", "【特别声明】文中图片来自网络。")
    assert kept(doc) == [PROSE]


def test_captions_and_photo_credits_leave_the_body():
    lines = ["▲ 项目施工现场", "△园区全景", "图为工人在车间内作业。", "（记者 张三 摄）", "图片来源：视觉中国", "王五 摄"]
    assert kept(run("caption", PROSE, *lines)) == [PROSE]


def test_captions_keep_prose_that_starts_like_a_caption():
    text = "图书馆今年新增藏书两万册，读者借阅量同比增长三成，馆方表示将继续延长开放时间。"
    assert kept(run("caption", PROSE, text)) == [PROSE, text]


def test_credit_lines_leave_the_body_and_name_writer_and_editor():
    doc = run("credit-line", PROSE, "文字 | 李四", "审核 | 赵六  排版 | 孙七", "责编 | 周八", "来源 | 某某发布")
    assert kept(doc) == [PROSE]
    assert doc.fields["authors"] == ["李四"] and doc.fields["editor"] == "周八" and doc.fields["source"] == "某某发布"


def test_credit_line_keeps_a_sentence_with_a_bar():
    text = "审核通过后，企业即可在平台上申报 | 办理。"
    assert kept(run("credit-line", PROSE, text)) == [PROSE, text]


def test_original_title_line_goes():
    assert kept(run("original-title", "原标题：开发区建设再提速", PROSE)) == [PROSE]


def test_repeated_quote_moves_a_sentence_repeated_from_the_body_to_pull_quotes():
    sentence = "要以推动城市高质量发展为主题，实现全域空间的有机融合和深度协同。"
    doc = run("repeated-quote", PROSE, sentence, "会议强调，" + sentence + "会议还部署了下一步工作。")
    assert kept(doc) == [PROSE, "会议强调，" + sentence + "会议还部署了下一步工作。"]
    assert doc.fields["pullQuotes"] == [sentence]


def test_repeated_quote_keeps_short_labels_and_headings():
    heading = "一要进一步加快机制重塑"
    doc = run("repeated-quote", heading, heading + "。强化市级层面统筹，针对不同功能区的禀赋特色进行再精简。")
    assert len(doc.lines) == 2


def test_footer_becomes_source_and_editor():
    doc = run("footer", PROSE, "本文来源：无锡日报 责任编辑：王五_NBJ11279")
    assert kept(doc) == [PROSE]
    assert doc.fields["source"] == "无锡日报" and doc.fields["editor"] == "王五"


def test_footer_at_the_end_of_the_last_paragraph():
    doc = run("footer", PROSE + "（来源：新华社 编辑：张三）")
    assert kept(doc) == [PROSE]
    assert doc.fields["source"] == "新华社" and doc.fields["editor"] == "张三"


def test_footer_only_at_the_end_and_not_inside_words():
    text = "数据来源：国家统计局。" + PROSE
    last = "据统计，全年增速为百分之五，数据来源：国家统计局"
    doc = run("footer", text, PROSE, last)
    assert kept(doc)[0] == text and kept(doc)[-1] == last
