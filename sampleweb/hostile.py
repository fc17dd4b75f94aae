"""Markup of the hostile web: hidden link farms, cloaked pages, mirror-site spam.

Vocabularies are the families seen on hacked government sites (shared/notes/cms-platforms.md);
the hiding techniques are the ones defacers use so that a visitor sees nothing and a search
engine (or a careless extractor) sees everything.
"""

from __future__ import annotations

import random
from html import escape

FARM_WORDS = ("澳门银河", "北京赛车pk10", "重庆时时彩", "真人百家乐", "澳门新葡京", "皇冠体育", "bet365",
              "江苏快三", "六合彩开奖", "赌球网站", "棋牌游戏", "老虎机")
FARM_HOSTS = ("www.js9905.com", "www.hg0088x.cc", "www.amyh66.vip", "www.bet36517.net", "www.xpj3377.com",
              "www.ssc168.top")
# Ways to hide a block from people while leaving it in the markup.
HIDING_STYLES = (
    "display:none",
    "position:absolute;left:-9999px;top:-9999px",
    "font-size:0;line-height:0;height:0;overflow:hidden",
    "visibility:hidden;height:1px;overflow:hidden",
    "text-indent:-9999em;height:0;overflow:hidden",
)
MIRROR_TITLE_SPAM = ("成人视频", "亚洲无码", "国产精品")
BAIDU_MARKERS = ("baidu.com", "baiduspider")


def link_farm(key: str) -> tuple[str, tuple[str, ...]]:
    """A hidden block of gambling links for the item ``key``: (html, anchor texts)."""
    rng = random.Random(f"farm:{key}")
    words = tuple(rng.sample(FARM_WORDS, 6))
    style = rng.choice(HIDING_STYLES)
    links = "".join(f'<a href="http://{rng.choice(FARM_HOSTS)}/?{i}" target="_blank">{escape(w)}</a>'
                    for i, w in enumerate(words))
    return f'<div style="{style}">{links}</div>', words


def from_baidu(user_agent: str, referer: str) -> bool:
    """Whether a request looks like Baidu's spider or a visitor arriving from a Baidu search."""
    seen = f"{user_agent} {referer}".lower()
    return any(marker in seen for marker in BAIDU_MARKERS)


def cloaked_page(title: str) -> str:
    """What a cloaked page shows Baidu: stuffed title and keywords, and a script redirect."""
    words = "、".join(FARM_WORDS[:6])
    target = f"http://{FARM_HOSTS[0]}/"
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{escape(words)}_{escape(title)}</title>"
            f'<meta name="keywords" content="{escape(words)}">'
            f'<meta name="description" content="{escape(words)}，{escape(title)}">'
            f'<script>var s=document.referrer;if(s.indexOf("baidu")>0){{window.location.href="{target}";}}</script>'
            f"</head><body><h1>{escape(words)}</h1>"
            + "".join(f'<p><a href="{target}?{i}">{escape(w)}</a></p>' for i, w in enumerate(FARM_WORDS))
            + "</body></html>")
