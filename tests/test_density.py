"""The density extractor (cleaners.density) on small hand-made pages: what it keeps and drops."""
from cleaners import Cleaner, Page

PARAS = ["The council approved the new budget on Tuesday after a long debate about schools, roads and "
         "the future of public transport in the region, officials said.",
         "Opposition members argued that the spending plan relies on optimistic forecasts of tax revenue, "
         "and several of them voted against it at the end of the session.",
         "The mayor said construction of the two bridges would begin in spring and that bus fares would "
         "stay the same for at least another year, according to the statement."]


def generic(html: str) -> dict:
    return Cleaner().run(Page(body=html.encode("utf-8"), url="https://example.com/a"), portal="generic")


def page(inner: str) -> str:
    return f"<html><head><title>Budget approved</title></head><body><div class='story'>{inner}</div></body></html>"


def test_figure_captions_and_credits_inside_the_article_are_dropped():
    html = page(f"<p>{PARAS[0]}</p><figure><img src='x.jpg'><figcaption>The mayor speaks to reporters "
                f"outside city hall on Monday.</figcaption></figure><p>{PARAS[1]}</p>"
                f"<div class='image-credit'>Photo: Jane Doe, Example Agency</div><p>{PARAS[2]}</p>")
    item = generic(html)
    assert "mayor speaks" not in item["articleBody"] and "Jane Doe" not in item["articleBody"]
    assert item["articleBody"].splitlines() == PARAS
    assert any(r["rule"] == "density:chrome-block" and "mayor" in r["text"] for r in item["removed"])


def test_a_container_named_like_a_caption_is_kept_when_it_is_most_of_the_article():
    # A caption class on the whole body (a photo story) is not chrome: only small parts are dropped.
    html = page("<div class='caption-story'>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>")
    assert generic(html)["articleBody"].splitlines() == PARAS


def test_a_short_article_wins_over_a_longer_comment_in_the_thread_below_it():
    comment = " ".join(PARAS * 2)
    html = ("<html><body><div class='post'><div class='content'>" + "<br><br>".join(PARAS[:2]) + "</div></div>"
            "<div id='comments'><div class='comment'><div class='content'><p>" + comment + "</p><p>"
            + comment + "</p></div></div></div></body></html>")
    body = generic(html)["articleBody"]
    assert body.splitlines() == PARAS[:2]


def test_an_article_wrapper_named_comment_free_is_still_found():
    # Only threads are penalised: a candidate with no comment-thread ancestor keeps its score.
    html = page("".join(f"<p>{p}</p>" for p in PARAS)) + "<div class='comments'><p>Nice.</p></div>"
    assert generic(html)["articleBody"].splitlines() == PARAS


ZH_ARTICLE = ["8月22日，全市功能区建设工作推进会召开，市领导深入板块调研功能区建设情况，并在会上部署下一阶段工作。",
              "会议强调，要狠抓功能区建设，加快实现从简单叠加到有机融合的转变，为建设现代化城市夯实基础。"]
ZH_COMMENTS = [f"这篇报道写得很好，我们这里的园区这几年变化确实很大，交通方便了，企业也多了，希望继续加油，第{i}楼。"
               for i in range(12)]


def test_a_short_chinese_article_beats_an_unnamed_comment_widget_recognised_by_its_labels():
    thread = "".join(f"<div><div><span>网易网友{i}</span><span>2025-08-22</span></div><p>{c}</p>"
                     f"<div><a>回复</a><a>举报</a></div></div>" for i, c in enumerate(ZH_COMMENTS))
    html = ("<html><head><title>功能区建设推进会召开</title></head><body><h1>功能区建设推进会召开</h1>"
            "<div class='a1'>" + "".join(f"<p>{p}</p>" for p in ZH_ARTICLE) + "</div>"
            "<div class='b2'><div>网友跟贴</div><div>12人跟贴</div>" + thread +
            "<div>发表跟贴可同步到微博</div><textarea placeholder='登录后发表'></textarea></div></body></html>")
    item = Cleaner().run(Page(body=html.encode("utf-8"), url="https://example.cn/a.html"), portal="generic")
    assert item["articleBody"].splitlines() == ZH_ARTICLE


def test_labels_inside_an_article_do_not_make_it_a_comment_widget():
    # One 评论 heading in the article: an article, not a thread (two or more labels are needed).
    html = ("<html><body><div>" + "".join(f"<p>{p}</p>" for p in ZH_ARTICLE) + "<h3>评论</h3><p>" + ZH_ARTICLE[0]
            + "</p></div><div><a href='/1'>首页</a><a href='/2'>新闻</a></div></body></html>")
    item = Cleaner().run(Page(body=html.encode("utf-8"), url="https://example.cn/a.html"), portal="generic")
    assert ZH_ARTICLE[1] in item["articleBody"]
