"""What a page says about itself: standard meta tags, labelled fields, title candidates.

GB/T 42147-2022 meta tags (``ArticleTitle``, ``PubDate``, ``ContentSource``, ``SiteIDCode``…)
come first; then "label: value" fields written on the page (发布机构, 来源, 发布日期 …,
in metadata tables or bylines); then title elements. Everything here is read from the
untouched page, before any chrome or spam is removed.
"""

from __future__ import annotations

import re

from lxml import etree, html

from .dates import parse_date
from .regions import TITLE_XPATHS
from .render import clean_line
from .script import normalize
from .spam import cut_spam

# Meta names (lower case) that state the publish date, best first.
DATE_META = ("pubdate", "firstpublishedtime", "publishdate", "publish_date", "dc.date.issued",
             "dcterms.issued", "article:published_time", "dc.date")
# Labelled date fields, best first (normalized forms: traditional labels match too).
DATE_LABELS = ("发布日期", "发布时间", "更新时间", "生成日期", "发文日期", "成文日期", "时间", "日期")
# Labelled fields naming who published the page.
SOURCE_LABELS = ("发布机构", "发文机关", "信息来源", "来源", "发布单位")
FIELD_LABELS = (*DATE_LABELS, *SOURCE_LABELS, "索引号", "文号", "文件编号", "作者", "浏览次数",
                "阅读次数", "点击数", "字号", "有效性", "公开方式", "组配分类", "主题分类", "名称",
                "阅读", "编辑", "责任编辑", "分享到")
# Labels may be letter-spaced ("索 引 号", "发 布 日 期").
_LABELS = "|".join(" ?".join(map(re.escape, label)) for label in sorted(FIELD_LABELS, key=len, reverse=True))
FIELD_RE = re.compile(rf"(?<![\u4e00-\u9fff])({_LABELS})\s*:\s*(.*?)(?=\s*(?:{_LABELS})\s*:|$)")
LABEL_CELL_RE = re.compile(rf"^({_LABELS})\s*:?$")
LABEL_CELL_XPATH = etree.XPath(
    "(//td | //th | //dt | //span | //label | //b | //strong)[string-length(normalize-space(.)) < 9]"
    "[following-sibling::*]")
# Separators between a page's title and the site/column names appended to it.
TITLE_SEPARATORS_RE = re.compile(
    r"\s*(?:_|\||｜| - | – | — |——|-{2,}|(?<=[\u4e00-\u9fff)）])[-—](?=[\u4e00-\u9fff]))\s*")
MAX_TITLE = 120
# Bylines and metadata rows are short; paragraphs are not searched for fields.
MAX_FIELD_LINE = 300


def meta_tags(tree: html.HtmlElement) -> dict[str, str]:
    """``<meta name|property|http-equiv content>`` by lower-cased name; first non-empty wins."""
    out: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("http-equiv") or "").strip().lower()
        content = clean_line(meta.get("content") or "")
        if name and content and name not in out:
            out[name] = content
    return out


def labelled_fields(lines: list[str], tree: html.HtmlElement | None = None) -> dict[str, str]:
    """First value of each known label on the page, labels and values normalized.

    Reads "label: value" runs in text lines and label cells of metadata tables
    (``<td>发布机构</td><td>…</td>``).
    """
    fields: dict[str, str] = {}
    for line in lines:
        if len(line) > MAX_FIELD_LINE or (":" not in line and "：" not in line):
            continue
        for label, value in FIELD_RE.findall(normalize(line)):
            label = label.replace(" ", "")
            if value.strip() and label not in fields:
                fields[label] = value.strip()
    if tree is not None:
        for cell in LABEL_CELL_XPATH(tree):
            match = LABEL_CELL_RE.match(normalize(clean_line(cell.text_content())))
            label = match.group(1).replace(" ", "") if match else ""
            if not label or label in fields:
                continue
            sibling = cell.getnext()
            value = normalize(clean_line(sibling.text_content())) if sibling is not None else ""
            if value:
                fields[label] = value
    return fields


def publish_date(meta: dict[str, str], fields: dict[str, str]) -> str | None:
    """The page's publish date from meta tags, then labelled fields; None when unstated."""
    for name in DATE_META:
        if name in meta:
            date = parse_date(meta[name])
            if date:
                return date
    for label in DATE_LABELS:
        if label in fields:
            date = parse_date(fields[label][:40])
            if date:
                return date
    return None


def title_candidates(tree: html.HtmlElement, meta: dict[str, str]) -> list[str]:
    """Possible titles, best first: ArticleTitle, the page title without site suffixes,
    else the title elements of article templates."""
    found = [meta.get("articletitle", ""), meta.get("title", ""), meta.get("og:title", "")]
    title = tree.find(".//title")
    if title is not None:
        found.append(strip_site_suffix(clean_line(title.text_content()), meta))
    found = [t for t in dict.fromkeys(found) if t and len(t) <= MAX_TITLE]
    if found:
        return found
    for xpath in TITLE_XPATHS:
        found += [clean_line(element.text_content()) for element in xpath(tree)]
    return [t for t in dict.fromkeys(found) if t and len(t) <= MAX_TITLE]


def strip_site_suffix(title: str, meta: dict[str, str]) -> str:
    """The article part of ``<title>``: its first piece that is not the site's name (after
    spam runs stuffed into it are cut)."""
    site = normalize(meta.get("sitename", ""))
    pieces = [p for p in TITLE_SEPARATORS_RE.split(cut_spam(title)[0]) if p.strip()]
    pieces = [p for p in pieces if normalize(p) != site] or pieces
    return pieces[0] if pieces else ""


def region_code(meta: dict[str, str]) -> str | None:
    """The 行政区划代码 from ``SiteIDCode`` (its first six digits), if it has one."""
    code = meta.get("siteidcode", "")
    return code[:6] if re.fullmatch(r"\d{10}", code) else None
