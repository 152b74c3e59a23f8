"""Issue #8 (7): the passes over a page's whole text stop once their answer is known. Each bounded
helper must give the answer of the full computation it replaces (checked here against that
computation on random text); timing is the benchmark's business (`python -m bench.hostile`)."""
from __future__ import annotations

import random
import re

import lxml.html
import pytest

from cleaners import Cleaner, Page
from cleaners.density import _PUNCT, _punctuation
from cleaners.html import _WS, normalise_space
from cleaners.metadata import visible_text
from cleaners.rules.base import squash_upto
from cleaners.rules.inbody import _sentences
from cleaners.validate import words

ALPHABET = "的一是在不了有和人这中大为上个国我以要 ab_1，。！？”」 \t\u3000\u00a0\n.!?,"


def random_texts(n=300, seed=7):
    rnd = random.Random(seed)
    for _ in range(n):
        yield "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 400)))


def test_squash_upto_is_the_full_squash_or_none_past_the_limit():
    for text in random_texts():
        full = re.sub(r"[\W_]+", "", text).lower()
        for limit in (0, 5, 40, 1000):
            got = squash_upto(text, limit, re.compile(r"[^\W_]+"))
            assert got == (full if len(full) <= limit else None)
        assert squash_upto(text, 1000) == re.sub(r"\W+", "", text).lower()


def test_sentences_cut_where_the_lookbehind_split_did():
    old = re.compile(r"(?<=[。！？][”」』])|(?<=[。！？])(?![”」』])")
    for text in random_texts():
        assert list(_sentences(text)) == old.split(text)


def test_words_with_a_floor_decides_the_same_bounds():
    rnd = random.Random(3)
    for size in (10, 200, 5_000, 60_000):
        text = "".join(rnd.choice(ALPHABET) for _ in range(size))
        full = words(text)
        for floor in (1, 300, 400, 10**6):
            got = words(text, at_least=floor)
            assert (got >= floor) == (full >= floor)
            if full < floor:
                assert got == full


def test_visible_text_with_a_limit_is_the_head_of_the_whole():
    rnd = random.Random(5)
    spaces = " " * 300_000 + "\t\n" * 1000
    bodies = [
        "".join(f"<p>{''.join(rnd.choice(ALPHABET) for _ in range(300))}</p>" for _ in range(3000)),
        f"<p>{spaces}</p><div>正文{'的是' * 200_000}</div>",
        f"<div>{'一 ' * 300_000}</div><p>尾</p>",
        "<p>短文。</p>",
    ]
    for body in bodies:
        root = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
        whole = visible_text(root)
        for limit in (1000, 200_000):
            assert visible_text(root, limit) == whole[:limit]


def test_normalise_space_shortcut_matches_the_collapse():
    for text in random_texts(seed=11):
        assert normalise_space(text) == _WS.sub(" ", text).strip()


def test_punctuation_count_of_long_text_matches_findall():
    for text in random_texts(n=20, seed=13):
        long = text * 40
        assert _punctuation(long) == len(_PUNCT.findall(long))


def test_a_quote_beside_a_megabyte_paragraph_is_still_found():
    rnd = random.Random(1)
    han = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得着下自之年过发后里道行所然家种事"
    quote = "这一句引语反复出现在正文之中而且足够长以便认出它来。"
    prose = "".join(rnd.choice(han) + ("。" if i % 53 == 52 else "") for i in range(400_000))
    html = (f"<html><head><meta charset='utf-8'><title>标题</title></head><body><h1>标题</h1>"
            f"<div class='content'><p>{prose[:1000]}{quote}{prose[1000:]}</p><blockquote>{quote}</blockquote>"
            f"<p>{prose[:2000]}</p></div></body></html>").encode("utf-8")
    item = Cleaner(convert=None).run(Page(body=html, url="http://example.cn/a.html"))
    assert "reason" not in item, item
    assert item.get("pullQuotes") == [quote]
    assert quote not in item["articleBody"].split("\n")


@pytest.mark.parametrize("lead", [True, False])
def test_description_is_compared_with_the_article_opening(lead):
    rnd = random.Random(2)
    han = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得着下自之年过发后里道行所然家种事"
    prose = "".join(rnd.choice(han) + ("。" if i % 53 == 52 else "") for i in range(600_000))
    description = "市政府召开专题会议部署冬季供暖保障工作" if lead else "本站提供各类新闻资讯服务欢迎访问"
    body = (description + "。" if lead else "") + prose
    html = (f"<html><head><meta charset='utf-8'><title>标题</title><meta name='description' content='{description}'>"
            f"</head><body><h1>标题</h1><div class='content'><p>{body}</p></div></body></html>").encode("utf-8")
    item = Cleaner(convert=None).run(Page(body=html, url="http://example.cn/a.html"))
    assert "reason" not in item, item
    assert (item.get("description") == description) is lead


def test_shares_shingle_is_the_set_intersection():
    from cleaners.validate import char_shingles, shares_shingle
    texts = list(random_texts(n=60, seed=17)) + ["", "，", "ab", "abc", "的一", "abcd"]
    for a in texts:
        for b in texts[::7]:
            assert shares_shingle(a, b) == bool(char_shingles(a) & char_shingles(b)), (a, b)


def test_a_line_rule_precondition_holds_for_every_line_its_pattern_matches():
    """`needs` only skips lines the pattern cannot match: checked on every line of the fixture pages
    and every text the golden files record as removed, and on the rules' own kind of chrome."""
    import json
    from pathlib import Path

    from cleaners.html import element_lines, parse
    from cleaners.rules import DEFAULT_RULES
    from cleaners.rules.base import LineRule
    from conftest import ROOT

    texts = ["▲ 图为现场", "圖為會場", "（记者 张三 摄）", "資料圖（圖片來源：網絡）", "By Jane Doe", "Photo: AP",
             "Sign up for our newsletter", "Share", "3 comments", "Published 2 hours ago"]
    for path in sorted((ROOT / "fixtures").rglob("*.html"))[:400]:
        root = parse(path.read_bytes().decode("utf-8", "replace"))
        if root is not None:
            texts += [line.text for line in element_lines(root)]
    for path in (ROOT / "tests" / "golden").rglob("*.json"):
        texts += [r["text"] for r in json.loads(path.read_text(encoding="utf-8")).get("removed", [])]
    rules = [r for r in DEFAULT_RULES if isinstance(r, LineRule) and r.needs is not None]
    assert rules
    checked = 0
    for rule in rules:
        for text in texts:
            if rule.regex.search(text):
                checked += 1
                assert rule.needs.search(text), (rule.name, text)
    assert checked >= 10


def test_pull_quote_overlap_without_every_shingle_is_the_set_intersection():
    from cleaners.rules.blocks import _TOKEN, _found_in, _grams
    rnd = random.Random(23)
    vocab = "the of and to in a is that 的 一 是 在 不 了".split()
    for _ in range(50):
        head = " ".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 30)))
        body = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 40))) for _ in range(5)]
        grams = _grams(head)
        want = grams & set().union(*(_grams(t) for t in body))
        assert _found_in(grams, [_TOKEN.findall(t.lower()) for t in body]) == want


def test_pull_quote_quick_test_turns_down_only_what_the_exact_test_turns_down():
    from cleaners.rules.blocks import PullQuoteRule
    from conftest import make_doc
    rnd = random.Random(31)
    # Words that run together ("ab" "12" vs "ab12") and Han characters: shingles the quick test
    # over-counts, and heads made partly of the body's own text, around the 50 % overlap line.
    vocab = "ab 12 ab12 x_y Ab 的 一 是 在 不 了 有 和 人 这 中 大 ， 。 : ：".split() + [" "]
    exact = PullQuoteRule()
    exact.quick_budget = 0
    pulled = 0
    for _ in range(300):
        body = ["".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 120))) for _ in range(rnd.randint(2, 8))]
        heads = []
        for _ in range(rnd.randint(1, 3)):
            source = rnd.choice(body)
            cut = rnd.randint(0, len(source))
            heads.append(source[cut:cut + rnd.randint(20, 80)] + "".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 40))))
        docs = [make_doc(*heads, *body) for _ in range(2)]
        PullQuoteRule().apply(docs[0])
        exact.apply(docs[1])
        assert [l.text for l in docs[0].lines] == [l.text for l in docs[1].lines]
        assert docs[0].fields == docs[1].fields and docs[0].removed == docs[1].removed
        pulled += len(docs[1].fields.get("pullQuotes", []))
    assert pulled >= 30   # (the cases reach both outcomes)


def test_repeated_quote_quick_test_rules_out_only_what_the_full_count_rules_out():
    from cleaners.rules.inbody import RepeatedQuoteRule
    from conftest import make_doc
    rnd = random.Random(41)
    # Sentences shared between lines (as whole lines, inside paragraphs, twice), Greek capitals whose
    # lower case depends on what follows (Σ), blockquotes, and lines too long to be quotes.
    sentences = ["推动城市高质量发展实现全域空间的有机融合。", "强化市级层面统筹针对不同功能区进行再精简！", "ΑΒΓΣ ΔΕΣ ΖΗΘΣ ΙΚΛΣ ΜΝΣ。",
                 "会议还部署了下一步工作并提出具体的要求？", "某" * 20 + "。", "ΣΑ ΣΒ ΣΓ ΣΔ ΣΕ ΣΖ ΣΗ ΣΘ。"]
    exact = RepeatedQuoteRule()
    exact.quick = False
    moved = 0
    for _ in range(400):
        texts = []
        for _ in range(rnd.randint(1, 8)):
            texts.append("".join(rnd.choice(sentences + ["，", "另外", "ab"]) for _ in range(rnd.randint(1, 4 if rnd.random() < 0.8 else 12))))
        docs = [make_doc(*texts) for _ in range(2)]
        tags = [rnd.choice(["blockquote", "p"]) for _ in texts]
        for doc in docs:
            for line, tag in zip(doc.lines, tags):
                line.tag = tag
        RepeatedQuoteRule().apply(docs[0])
        exact.apply(docs[1])
        assert [l.text for l in docs[0].lines] == [l.text for l in docs[1].lines], texts
        assert docs[0].fields == docs[1].fields and docs[0].removed == docs[1].removed
        moved += len(docs[1].fields.get("pullQuotes", []))
    assert moved >= 50


def test_mostly_cjk_counts_as_the_character_loop_did():
    from cleaners.encoding import _mostly_cjk_or_ascii

    def by_loop(text):
        non_ascii = [c for c in text if ord(c) > 127]
        if not non_ascii:
            return True
        common = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
                     or "\uff00" <= c <= "\uffef" or c in "\u201c\u201d\u2018\u2019\u2014\u2026\u00b7")
        return common / len(non_ascii) > 0.9

    rnd = random.Random(29)
    pool = "abc 的一是，。“”—…·\u3001\uff01éß\u0400\u4e00\u9fff\ua000\U00020000"
    for _ in range(300):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 60)))
        assert _mostly_cjk_or_ascii(text) == by_loop(text), text


def test_character_counts_give_what_counting_the_matches_gave():
    from cleaners.rules.inbody import _chinese_sentence
    from cleaners.script import char_counter, han_count, traditional_only, traditional_share
    trad = "".join(sorted(traditional_only()))[:40]
    rnd = random.Random(5)
    alphabet = ALPHABET + trad + "\uf900\ufa6e\u4dc0\u3400\u9fff\u3005ア』]^-\\"
    texts = list(random_texts()) + ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 300))) for _ in range(300)]
    texts += ["某" * 20 + end for end in ("。", "！」", "？”\n ", "。』", "”。", "。x", "")]
    for members in ("\u3400-\u9fff", "\u3400-\u9fff\uf900-\ufaff", "ア-ン", "\\]\\^\\-\\\\"):
        count = char_counter(members)
        for text in texts:
            assert count(text) == len(re.findall(f"[{members}]", text)), (members, text)
    assert char_counter("")("某某") == 0
    for text in texts:
        assert han_count(text) == len(re.findall("[\u3400-\u9fff]", text))
        han = re.findall("[\u4e00-\u9fff\u3400-\u4dbf]", text[:4000])
        assert traditional_share(text) == (sum(1 for c in han if c in traditional_only()) / len(han) if han else 0.0)
        assert _chinese_sentence(text) == (len(re.findall("[\u3400-\u9fff]", text)) >= 20
                                           and bool(re.search(r"[。！？][”」』]?$", text.strip())))
    assert any(traditional_share(text) > 0 for text in texts) and any(_chinese_sentence(text) for text in texts)


def test_teaser_end_is_looked_for_only_where_it_can_be():
    from cleaners.validate import _TEASER_END, _may_end_teaser
    rnd = random.Random(11)
    pieces = ["2024-05-06", "2024年5月6日", " 12:30", "…", "...", "。。。", "]", ")", " ", "\n", "\u3000", "１２", "x", "。", "日"]
    texts = list(random_texts()) + ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6))) for _ in range(3000)]
    for text in texts:
        if _TEASER_END.search(text):
            assert _may_end_teaser(text), text
    assert sum(1 for text in texts if _TEASER_END.search(text)) >= 300


def test_what_a_rule_requires_is_in_every_line_its_pattern_matches():
    from cleaners.rules import DEFAULT_RULES, LineRule
    from cleaners.rules.required import required
    from cleaners.script import to_simplified
    rules = [r for r in DEFAULT_RULES if isinstance(r, LineRule) and r.required is not None]
    assert len(rules) >= 5
    rnd = random.Random(3)
    # Lines made of the patterns' own phrases (in both scripts and any case), with noise around them.
    words = re.findall(r"[\w©./:：>»-]+", " ".join(r.pattern for r in rules) + " ICP 备 Ｋ \u212a ſ İ ı")
    words += [to_simplified(w) for w in words] + [w.upper() for w in words] + [w.title() for w in words]
    texts = list(random_texts())
    for _ in range(20000):
        texts.append("".join(rnd.choice([rnd.choice(words), rnd.choice(ALPHABET), " ", "：", "2024"])
                             for _ in range(rnd.randint(1, 6))))
    matched = 0
    for rule in rules:
        for text in texts:
            if rule.regex.search(text):
                matched += 1
                assert rule.required(text), (rule.name, text)
    assert matched >= 800
    # Digits, '@' and field names: validate's contact lines.
    from cleaners.validate import CONTACT_LINE, _may_be_contact
    pieces = ["地址", "电话：", "a@b.cn", "x.y+z@mail-1.com.cn", "0512-12345678", "13912345678", "１３９１２３４５６７８",
              "QQ:", "tel", "邮编 ", "传真:", "某某", "，", " "]
    contacts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 5))) for _ in range(3000)] + texts[:3000]
    found = [text for text in contacts if CONTACT_LINE.search(text)]
    assert len(found) >= 1000 and all(_may_be_contact(text) for text in found)
    from cleaners.rules.inbody import FOOTER, PROMO_LINE, _may_footer, _may_promo
    pieces += ["扫码", "扫一扫", "长按识别二维码", "关注我们的公众号", "下载客户端", "400-123-4567", "来源：", "责任编辑：",
               "（", "）", "。", "本文"]
    lines = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6))) for _ in range(5000)]
    for pattern, possible in ((PROMO_LINE, _may_promo), (FOOTER, _may_footer)):
        found = [text for text in lines + texts[:3000] if pattern.search(text)]
        assert len(found) >= 300 and all(possible(text) for text in found), pattern.pattern
    assert required(re.compile(r"(?<!\d)1[3-9]\d{9}")).digit and not required(re.compile("x[0-9]")).digit
    # Case-insensitive letters are a Latin letter, never a literal; what cannot be read gives None.
    assert required(re.compile("ab|©", re.I)).literals == {"©"} and required(re.compile("ab|©", re.I)).latin
    assert required(re.compile("kelvin", re.I))("\u212aelvin")
    assert required(re.compile("a?b*|c")) is None and required(re.compile("[a-z]x")) is not None
    assert required(re.compile("[a-z]+")) is None and required(re.compile("^版权|^(?:a|^b)")) is None


def test_letters_and_remembered_needs_give_what_the_plain_loops_gave():
    from cleaners.core import _IDEOGRAPH_RUNS, _ideographs
    from cleaners.rules import DEFAULT_RULES, LineRule
    from cleaners.rules import base
    # _language counts the CJK ideograph blocks as letters without looking: all of them must be.
    assert all(chr(c).isalpha() for r in ((0x3400, 0x4dc0), (0x4e00, 0xa000)) for c in range(*r))
    rnd = random.Random(13)
    texts = list(random_texts()) + ["".join(chr(rnd.choice([rnd.randrange(0x3400, 0xa000), rnd.randrange(32, 0x3000),
                                                            0x4dc5, 0x3007, 0xb2, 0x2167])) for _ in range(rnd.randint(0, 200)))
                                    for _ in range(2000)]
    for text in texts:
        assert _ideographs(text) + sum(map(str.isalpha, _IDEOGRAPH_RUNS.sub("", text))) == sum(map(str.isalpha, text))
    rules = [r for r in DEFAULT_RULES if isinstance(r, LineRule) and r.needs is not None]
    for rule in rules:
        for text in texts + [text + "abc" for text in texts]:
            assert rule._needs(text) == bool(rule.needs.search(text))
    assert len(base._NEEDS_SEEN) < len(rules) and all(len(seen) <= base._NEEDS_REMEMBERED for seen in base._NEEDS_SEEN.values())
