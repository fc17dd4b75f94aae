"""Injected gambling and porn text: keyword runs and lottery draw tokens, found and cut.

Matching runs on the normalized text (simplified, NFKC, lower case), so traditional and
full-width injections match; the cut is made at the same offsets in the original.
One legitimate word is never enough: 福利彩票, 体育彩票, 澳门, 娱乐场所, 成人教育, 棋牌室
stay. A run is removed only when it holds a term that has no use in a report (a gambling
brand, 比分直播, 时时彩 …) and that term is not the object of enforcement (打击六合彩).
"""

from __future__ import annotations

import re

from .script import normalize

# Terms with no legitimate use in a disclosure report (normalized forms).
STRONG_TERMS = (
    r"(?:足球|篮球|nba|即时|手机)?比分直播", r"(?:重庆|天津|新疆|老)?时时彩", r"老时时", r"分分彩",
    r"北京赛车", r"北京pk10", r"pk10", r"幸运飞艇", r"(?:香港|澳门)?六合彩", r"六合宝典", r"百家乐",
    r"真人娱乐", r"真人视讯", r"真人荷官", r"(?:澳门)?银河娱乐", r"澳门银河", r"(?:澳门)?新葡京", r"葡京娱乐",
    r"(?:澳门)?威尼斯人(?:娱乐|赌场|官网)?", r"金沙(?:娱乐|赌场|官网)", r"太阳城(?:娱乐|集团|官网)",
    r"皇冠(?:体育|娱乐|足球|现金网|平台|官网|投注)", r"bet365", r"赌球", r"网上赌场", r"在线赌场",
    r"网络赌场", r"赌场(?:官网|网址|平台)", r"老虎机", r"(?:开元|棋牌)游戏平台", r"开元棋牌",
    r"博彩(?:公司|网站|平台|网址)", r"体育投注", r"亚博(?:体育|娱乐)", r"娱乐城", r"彩票(?:平台|网址|官网)",
    r"时时彩平台", r"成人视频", r"成人影院", r"成人电影", r"成人网站", r"色情网站", r"色情视频",
    r"裸聊", r"约炮", r"一夜情", r"av女优", r"日本av", r"欧美av", r"三级片", r"午夜福利",
    r"偷拍自拍", r"国产自拍", r"亚洲无码", r"无码(?:视频|电影|高清|av)", r"六合彩开奖", r"赌球网站",
)
# Words that join a run only next to a strong term (alone they are ordinary words).
WEAK_TERMS = (
    r"澳门", r"香港", r"娱乐", r"棋牌", r"皇冠", r"彩票", r"足球", r"篮球", r"直播", r"体育",
    r"官网", r"网址", r"平台", r"app", r"下载", r"注册", r"投注", r"开户", r"赌博", r"博彩",
    r"真人", r"快三", r"快3", r"(?:江苏|安徽|湖北|广西|吉林)快[三3]", r"开奖", r"游戏", r"网站", r"亚洲",
    r"无码", r"国产精品", r"精品", r"视频", r"高清", r"在线",
)
# Games whose name followed by a yyyymmdd draw number is a lottery feed, never report text.
LOTTERY_WORDS = (
    r"老时时", r"(?:重庆|天津|新疆)?时时彩", r"分分彩", r"北京赛车", r"pk10", r"快三", r"快3",
    r"幸运飞艇", r"六合彩", r"双色球", r"大乐透", r"福彩3d", r"排列三", r"七星彩", r"11选5",
)
# Enforcement context: 打击六合彩, 查处赌球案件 are report content.
LEGIT_BEFORE_RE = re.compile(r"(打击|查处|整治|取缔|严打|严厉|非法|违法|禁止|抵制|防范|涉嫌|破获|侦破|治理)\S{0,4}$")
LEGIT_AFTER_RE = re.compile(r"^\S{0,2}(犯罪|案件|案|违法|团伙|窝点|活动|行为|赌博)")

SEP = r"[\s,，、|丨/:：;；·_\-—]*"
_STRONG = "|".join(STRONG_TERMS)
_ANY = "|".join((*STRONG_TERMS, *WEAK_TERMS))
STRONG_RE = re.compile(_STRONG)
RUN_RE = re.compile(rf"(?:{_ANY})(?:{SEP}(?:{_ANY}))*")
DOMAIN_RE = re.compile(r"\s*[:：]?\s*(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|cc|vip|top|xyz|me|tv|co|io|info|biz|app)\b\S*")
LOTTERY_RE = re.compile(
    rf"(?:{'|'.join(LOTTERY_WORDS)})\s*[:：]?\s*第?(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{2,4}}期?"
)
# Mirror sites annotate characters with tone-marked pinyin in brackets: 發(fā)布.
PINYIN_RE = re.compile(r"(?<=[\u4e00-\u9fff])[(（]\s*[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\s*[)）]")
# What is left of a line after a cut that holds no content.
EMPTY_RE = re.compile(r"^[\s,，、|丨/:：;；·_\-—.。]*$")


def spam_spans(norm: str) -> list[tuple[int, int]]:
    """``(start, end)`` of injected runs and lottery tokens in a normalized line."""
    spans = [m.span() for m in LOTTERY_RE.finditer(norm)]
    if not STRONG_RE.search(norm):
        return spans  # a run needs a strong term
    for match in RUN_RE.finditer(norm):
        start, end = match.span()
        if any(start < e and s < end for s, e in spans):
            continue
        if not any(_injected(norm, m.start(), m.end())
                   for m in STRONG_RE.finditer(norm, start, end)):
            continue
        domain = DOMAIN_RE.match(norm, end)
        spans.append((start, domain.end() if domain else end))
    return sorted(spans)


def _injected(norm: str, start: int, end: int) -> bool:
    return not (LEGIT_BEFORE_RE.search(norm, 0, start) or LEGIT_AFTER_RE.match(norm[end:end + 6]))


def has_spam_terms(text: str) -> bool:
    """True when ``text`` holds an injected run or lottery token."""
    return bool(spam_spans(normalize(text)))


def cut_spam(line: str) -> tuple[str, list[str]]:
    """``line`` without its injected runs, and the runs as they stood in the original."""
    spans = spam_spans(normalize(line))
    if not spans:
        return line, []
    removed = [line[s:e] for s, e in spans]
    kept, last = [], 0
    for s, e in spans:
        kept.append(line[last:s])
        last = e
    kept.append(line[last:])
    rest = "".join(kept)
    return ("" if EMPTY_RE.match(rest) else rest), removed


def clean_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """Lines with spam cut out (lines left empty are dropped), and what was cut."""
    out: list[str] = []
    removed: list[str] = []
    for line in lines:
        rest, cut = cut_spam(line)
        removed.extend(cut)
        if rest:
            out.append(rest)
    return out, removed


def strip_pinyin(text: str) -> tuple[str, int]:
    """``text`` without mirror-site pinyin annotations, and how many were cut."""
    return PINYIN_RE.subn("", text)
