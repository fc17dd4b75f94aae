"""Where the report body sits on a page: CMS body containers and page parts, as data.

Body containers are tried in order (the first non-empty match wins), so a page carrying
two of them (a TRS editor div inside the article area) resolves to the innermost one
listed first. Rules are data; no branch names a site.
"""

from __future__ import annotations

import json
import re

from lxml import etree, html

# (region name, XPath) — most specific first.
BODY_XPATHS: tuple[tuple[str, etree.XPath], ...] = tuple(
    (name, etree.XPath(expr)) for name, expr in (
        # 拓尔思 TRS WCM editor output.
        ("trs", '//div[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]'),
        ("trs", '//div[contains(concat(" ", normalize-space(@class), " "), " Custom_UnionStyle ")]'),
        ("trs", '//*[contains(concat(" ", normalize-space(@class), " "), " trs_editor_view ")]'),
        # 大汉 Hanweb: the zoom div (the ZJEG_RSS markers are handled in find_body).
        ("hanweb", '//*[@id="zoom"]'),
        # Anhui 政务公开 platform.
        ("anhui", '//div[contains(concat(" ", normalize-space(@class), " "), " wzcon ")]'),
        # 开普云 UCAP (www.gov.cn, ministries).
        ("ucap", '//*[@id="UCAP-CONTENT"]'),
        # Generic article containers of TRS templates and many provincial sites.
        ("article", '//div[contains(concat(" ", normalize-space(@class), " "), " article_content ")]'),
        ("article", '//*[@id="content" or @id="Content" or @id="article" or @id="artibody"]'),
    )
)
ZJEG_RSS_RE = re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->(.*?)<!--\s*ZJEG_RSS\.content\.end\s*-->",
                         re.S | re.I)
GKMLPT_DETAIL_RE = re.compile(r"window\._CONFIG\.DETAIL\s*=\s*")

# Title elements of article templates, tried after the standard meta tags.
TITLE_XPATHS: tuple[etree.XPath, ...] = tuple(etree.XPath(expr) for expr in (
    '//*[contains(concat(" ", normalize-space(@class), " "), " article_title ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " wztit ")]',
    '//*[@id="ivs_title" or @class="title" or @class="tit"]',
    "//h1",
))

# Elements that are never text: dropped from every region before rendering.
NON_TEXT_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select",
                 "button", "input", "textarea", "svg", "canvas", "map", "head")
# Page parts that are chrome on any layout (used when no body container is found).
CHROME_XPATH = etree.XPath(
    "//header | //footer | //nav | //aside"
    ' | //*[contains(concat(" ", normalize-space(@class), " "), " breadcrumb ")]'
    ' | //*[contains(concat(" ", normalize-space(@class), " "), " footer ")]'
    ' | //*[contains(concat(" ", normalize-space(@class), " "), " header ")]'
    ' | //*[@id="footer" or @id="header" or @id="nav" or @id="menu"]'
)


def find_body(tree: html.HtmlElement, source: str) -> tuple[str, html.HtmlElement] | None:
    """The report body of a page as ``(region name, element)``, or None for unknown layouts.

    ``source`` is the decoded page, for the markers lxml drops (ZJEG_RSS comments) and the
    gkmlpt ``DETAIL`` JSON.
    """
    marked = ZJEG_RSS_RE.search(source)
    if marked and marked.group(1).strip():
        return "hanweb", _fragment(marked.group(1))
    detail = gkmlpt_detail(source)
    if detail and isinstance(detail.get("content"), str) and detail["content"].strip():
        return "gkmlpt", _fragment(detail["content"])
    for name, xpath in BODY_XPATHS:
        for element in xpath(tree):
            if _has_text(element):
                return name, element
    return None


def gkmlpt_detail(source: str) -> dict | None:
    """The ``window._CONFIG.DETAIL`` object of a 广东 gkmlpt detail page, or None."""
    match = GKMLPT_DETAIL_RE.search(source)
    if not match:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(source, match.end())
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _fragment(markup: str) -> html.HtmlElement:
    return html.fragment_fromstring(markup, create_parent="div")


def _has_text(element: html.HtmlElement) -> bool:
    return any(t.strip() for t in element.itertext())
