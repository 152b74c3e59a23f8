"""cleaners.encoding.decode on the ways Chinese pages get their encoding wrong."""
import codecs

import pytest

from cleaners.document import Rejected
from cleaners.encoding import canonical, decode

TEXT = "开发区新闻：镇江工业园区举行项目签约仪式，总投资超过十亿元。"
# 镕 and 堃 are GBK characters that GB2312 lacks (names of people are the usual case).
GBK_ONLY = "朱镕基和王堃出席会议，" + TEXT


def page(text, head="", title="标题"):
    return f"<html><head>{head}<title>{title}</title></head><body><p>{text}</p></body></html>"


def test_gbk_characters_under_a_gb2312_declaration():
    body = page(GBK_ONLY, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    text, name = decode(body)
    assert GBK_ONLY in text and name == "gb18030"


@pytest.mark.parametrize("codec", ["utf-8", "gbk", "big5"])
def test_no_declaration_at_all(codec):
    source = TEXT if codec != "big5" else "開發區新聞：鎮江工業園區舉行項目簽約儀式，總投資超過十億元。"
    text, _ = decode(page(source, title="標題" if codec == "big5" else "标题").encode(codec))
    assert source in text


def test_utf8_bom_wins_over_a_wrong_declaration():
    body = codecs.BOM_UTF8 + page(TEXT, '<meta charset="gb2312">').encode("utf-8")
    text, name = decode(body)
    assert TEXT in text and name == "utf-8-sig" and not text.startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    text, name = decode(bom + page(TEXT).encode(codec))
    assert TEXT in text and name == "utf-16"


def test_big5_declared():
    trad = "開發區新聞：鎮江工業園區舉行項目簽約儀式。"
    text, name = decode(page(trad, '<meta charset="big5">', title="標題").encode("big5"))
    assert trad in text and name == "big5hkscs"


def test_bogus_charset_name_is_ignored():
    body = page(TEXT, '<meta charset="x-chinese-weird">').encode("gbk")
    text, _ = decode(body)
    assert TEXT in text
    assert canonical("x-chinese-weird") is None


def test_wrong_header_charset_loses_to_the_bytes():
    body = page(TEXT, '<meta charset="gbk">').encode("gbk")
    text, name = decode(body, "text/html; charset=utf-8")
    assert TEXT in text and name == "gb18030"


def test_utf8_page_declared_as_gb2312():
    body = page(TEXT, '<meta charset="gb2312">').encode("utf-8")
    text, name = decode(body)
    assert TEXT in text and name == "utf-8"


def test_corpus_wrapper_declares_the_encoding():
    body = (f'<text id="http://example.cn/a.asp" title="{TEXT[:6]}" encoding="gb2312">\n' + page(GBK_ONLY)).encode("gbk")
    text, name = decode(body)
    assert GBK_ONLY in text and name == "gb18030"


def test_a_character_cut_in_half_does_not_change_the_encoding():
    # A title truncated in the middle of a double-byte character: strict GBK fails on one byte.
    good = page(GBK_ONLY * 20, '<meta charset="gb2312">').encode("gbk")
    body = good.replace("<title>标题".encode("gbk"), "<title>标题".encode("gbk") + "激".encode("gbk")[:1] + b"...")
    text, name = decode(body)
    assert name == "gb18030" and GBK_ONLY in text


def test_binary_and_empty_are_rejected():
    with pytest.raises(Rejected) as err:
        decode(b"%PDF-1.4 ...")
    assert err.value.reason == "binary"
    with pytest.raises(Rejected):
        decode(b"   ")


def test_a_stray_nul_byte_is_damage_not_a_binary_file():
    body = page(TEXT, '<meta charset="utf-8">').encode("utf-8").replace("项目".encode(), "项\x00目".encode())
    text, name = decode(body)
    assert TEXT in text and "\x00" not in text and name == "utf-8"
    assert decode(b"<p>\x00\x00</p>")[0] == "<p></p>"


def test_bytes_full_of_controls_are_binary_even_without_a_magic_number():
    import random
    rnd = random.Random(1)
    noise = bytes(rnd.randrange(256) for _ in range(5000))
    with pytest.raises(Rejected) as err:
        decode(noise)
    assert err.value.reason == "binary"


def test_binary_bytes_are_the_controls_text_never_uses():
    from cleaners.encoding import _BINARY_BYTES, looks_binary
    assert sorted(_BINARY_BYTES) == [b for b in range(256) if b < 0x20 and b not in b"\t\n\x0b\x0c\r\x1b" or b == 0x7f]
    assert looks_binary(b"<p>" + b"\x01" * 5 + b"x" * 200) and not looks_binary(b"<p>" + b"\x01" * 4 + b"x" * 200)
