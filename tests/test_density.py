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
