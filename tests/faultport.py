"""A synthetic portal of faulty pages for tests/test_faults.py: article text, page builders, and the
profile TOML. Every article is its own random draw of characters, so no two look alike to the
duplicate filter unless a test makes them so."""
from __future__ import annotations

import random

HAN = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得着下自之年过"
       "发后里道行所然家种事方多经么去法学如都同现当没动面起看定天还进好小部其些主样理心她本前开但因只从想"
       "实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体")


def paragraphs(seed: int, n: int = 4) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        out.append("，".join("".join(rnd.choice(HAN) for _ in range(rnd.randint(12, 20))) for _ in range(4)) + "。")
    out[0] = f"本报讯第{seed}号稿件。" + out[0]
    return out


def article_html(title: str, paras: list[str], charset: str | None = "utf-8", chrome: str = "") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html><head>{meta}<title>{title}</title></head><body>"
            f'<div class="nav"><a href="/list.html">首页</a></div>'
            f'<div class="article"><h1>{title}</h1><div class="content">{body}{chrome}</div></div>'
            f'<div class="footer">版权所有 故障测试门户</div></body></html>')


def list_html(links: list[str]) -> str:
    items = "".join(f'<li><a href="{u}">稿件{i}</a></li>' for i, u in enumerate(links))
    return (f'<html><head><meta charset="utf-8"><title>列表</title></head><body>'
            f'<ul class="news">{items}</ul></body></html>')


def profile_toml(name: str, base: str, start: str) -> str:
    host = base.split("://", 1)[1].rstrip("/")  # host:port: allowed_domains compares both
    return f'''name = "{name}"
description = "synthetic faulty portal for tests"
url_patterns = ['^{base.rstrip("/")}/']

[crawl]
start_urls = ["{start}"]
allowed_domains = ["{host}"]
article_links = "ul.news a"

[selectors]
body = "div.content"
headline = "div.article h1"
'''


def traditional(paras: list[str]) -> list[str]:
    """The paragraphs in Traditional script, keeping only characters Big5 can encode."""
    import opencc
    conv = opencc.OpenCC("s2t")
    return ["".join(c for c in conv.convert(p) if _in_big5(c)) for p in paras]


def _in_big5(c: str) -> bool:
    try:
        c.encode("big5")
        return True
    except UnicodeEncodeError:
        return False
