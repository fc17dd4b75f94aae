"""The reporting body (agency) of a document, not the web office that posted it.

The title names the body (凉州区2016年…, 省管局2018年…). Short or bare names are expanded
with what the page and the registry say: a fuller name that starts with the title's name
(平潭综合实验区 → 平潭综合实验区管委会), ends with it (安庆矿区办事处 → 铜陵市郊区安庆矿区办事处),
or abbreviates it (省管局 → 安徽省机关事务管理局). A bare region becomes its government
(凉州区 → 凉州区人民政府). Web offices (信息公开办, …办公室) and websites are never the
agency when the title names one; an office suffix on a source is cut (管委会办公室 → 管委会).
All names are simplified and NFKC-normalized.
"""

from __future__ import annotations

import re

# Where the body's name stops in a title (normalized): a year, the report phrase, a verb.
TITLE_STOP = (r"关于|印发|(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4}年|政府信息公开|政务公开|信息公开"
              r"|年度报告|工作年度|年报|工作要点|指南")
TITLE_BODY_RE = re.compile(rf"^(?P<body>.+?)(?:{TITLE_STOP})")
TITLE_STOP_RE = re.compile(rf"^(?:{TITLE_STOP})")
YEAR_PREFIX_RE = re.compile(r"^(?:关于)?(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})年度?")
PAREN_RE = re.compile(r"\([^()]*\)")
# Endings of an organisation's name.
ORG_SUFFIXES = (
    "人民政府", "政府", "管委会", "管理委员会", "委员会", "办事处", "办公室", "办公厅", "局", "厅", "委", "办",
    "署", "院", "部", "中心", "所", "站", "会", "队", "公司", "集团",
)
# Bare regions and what their government is called.
REGION_GOVERNMENTS = (
    ("自治区", "人民政府"), ("自治州", "人民政府"), ("自治县", "人民政府"), ("特别行政区", "政府"),
    ("街道", "办事处"), ("省", "人民政府"), ("市", "人民政府"), ("区", "人民政府"), ("县", "人民政府"),
    ("州", "人民政府"), ("旗", "人民政府"), ("盟", "行政公署"), ("镇", "人民政府"), ("乡", "人民政府"),
)
# Offices that post pages for a body; cut from the end of a source's name.
OFFICE_SUFFIX_RE = re.compile(r"(信息公开办公室|信息公开办|政务公开办公室|政务公开办|公开办|办公室|信息中心|网站)$")
# Sources that are not bodies at all: websites, people, placeholders.
NOT_BODY_RE = re.compile(r"(网|网站|在线|门户|平台|管理员|admin|编辑|记者|通讯员|本站|本网|\d)")
# An issuing line in a body: "六安市审计局关于印发…的通知".
ISSUER_RE = re.compile(r"^(?P<org>[\u4e00-\u9fff()]{3,30}?)关于\S+的(?:通知|函|报告|意见|决定)$")
OPENING_ORG_RE = re.compile(
    r"^(?:(?:19|20)\d{2}年度?[,，]?)?(?P<org>[\u4e00-\u9fff]{2,30}?(?:人民政府|办事处|管委会|委员会|局|厅))"
)


def title_body(title: str) -> str | None:
    """The body named at the start of a title (normalized), or None."""
    rest = YEAR_PREFIX_RE.sub("", title.strip())
    if TITLE_STOP_RE.match(rest):
        return None
    match = TITLE_BODY_RE.match(rest)
    body = PAREN_RE.sub("", match.group("body")).strip(" ,，:：") if match else ""
    return body if len(body) >= 2 else None


def is_org(name: str) -> bool:
    return name.endswith(ORG_SUFFIXES)


def source_body(source: str) -> str | None:
    """A source field as a body's name: offices cut from the end, websites refused."""
    name = PAREN_RE.sub("", source).strip()
    if not name or NOT_BODY_RE.search(name):
        return None
    cut = OFFICE_SUFFIX_RE.sub("", name)
    if cut != name:
        name = cut
        if not is_org(name):
            return None
    return name if len(name) >= 3 and (is_org(name) or _bare_region(name)) else None


def _bare_region(name: str) -> str | None:
    if is_org(name):
        return None
    for ending, government in REGION_GOVERNMENTS:
        if name.endswith(ending):
            return name + government
    return None


def _subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


def _expands(short: str, full: str) -> bool:
    if len(full) <= len(short):
        return False
    if full.startswith(short) or full.endswith(short):
        return True
    return short[-1] == full[-1] and short[0] in full[:3] and _subsequence(short, full)


def issuer_lines(lines: list[str]) -> list[str]:
    """Issuing bodies of notices in the first lines of a body ("XX局关于印发…的通知")."""
    out = []
    for line in lines[:8]:
        match = ISSUER_RE.match(line)
        if match:
            out.append(match.group("org"))
    return out


def opening_org(lines: list[str]) -> str | None:
    """A body named in the opening sentence ("2018年，铜陵市郊区安庆矿区办事处信息公开工作…")."""
    for line in lines[:6]:
        match = OPENING_ORG_RE.match(line)
        if match:
            return match.group("org")
    return None


def resolve_agency(title: str | None, sources: list[str], hint: str | None, lines: list[str]) -> str | None:
    """The reporting body.

    Args:
        title: the document title (normalized).
        sources: ContentSource, 发布机构, 来源, Author … (normalized), best first.
        hint: the registry's agency for the site (normalized), or None.
        lines: the clean body lines (normalized), for issuing lines and opening sentences.
    """
    candidates = [b for b in (source_body(s) for s in sources) if b]
    candidates += [b for b in (source_body(s) for s in issuer_lines(lines)) if b]
    opening = opening_org(lines)
    if opening:
        candidates.append(opening)
    if hint:
        candidates.append(hint)
    named = title_body(title) if title else None
    if named:
        for candidate in candidates:
            if _expands(named, candidate) and is_org(candidate):
                return candidate
        return _bare_region(named) or named
    if hint:
        return hint
    return next((c for c in candidates if is_org(c)), None)
