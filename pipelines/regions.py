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
        # 广东 gkmlpt detail template (when DETAIL carries no content).
        ("gkmlpt", '//div[contains(concat(" ", normalize-space(@class), " "), " article-content ")]'),
        # Generic article containers of TRS templates and many provincial sites.
        ("article", '//div[contains(concat(" ", normalize-space(@class), " "), " article_content ")]'),
        ("article", '//*[@id="content" or @id="Content" or @id="article" or @id="artibody"]'),
    )
)
ZJEG_RSS_RE = re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->(.*?)<!--\s*ZJEG_RSS\.content\.end\s*-->",
                         re.S | re.I)
# gkmlpt writes DETAIL either on its own or inside the whole _CONFIG object.
GKMLPT_DETAIL_RE = re.compile(r"window\._CONFIG\.DETAIL\s*=\s*")
GKMLPT_CONFIG_RE = re.compile(r"window\._CONFIG\s*=\s*(?=\{)")

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


# Containers whose own text is weighed by densest_block.
CONTAINER_TAGS = frozenset({"td", "th", "div", "article", "section", "main", "body", "center", "form"})
MIN_DENSE_CHARS = 200
MAX_LINK_SHARE = 0.3


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
            if _has_content(element):
                return name, element
    return None


def gkmlpt_detail(source: str) -> dict | None:
    """The ``window._CONFIG.DETAIL`` object of a 广东 gkmlpt detail page, or None."""
    for pattern, key in ((GKMLPT_DETAIL_RE, None), (GKMLPT_CONFIG_RE, "DETAIL")):
        match = pattern.search(source)
        if not match:
            continue
        try:
            value, _ = json.JSONDecoder().raw_decode(source, match.end())
        except ValueError:
            continue
        value = value.get(key) if key and isinstance(value, dict) else value
        if isinstance(value, dict):
            return value
    return None


def _fragment(markup: str) -> html.HtmlElement:
    return html.fragment_fromstring(markup, create_parent="div")


def _has_content(element: html.HtmlElement) -> bool:
    """Text, or pictures (a 图片版 report's body is images of its pages)."""
    return any(t.strip() for t in element.itertext()) or element.find(".//img") is not None


def densest_block(tree: html.HtmlElement) -> html.HtmlElement | None:
    """The content block of a page whose layout names no body container.

    The container (``td``, ``div`` …) holding the most text of its own, outside links and
    nested containers; then its ancestors while each holds at least twice as much non-link
    text (a body split into one ``div`` per paragraph). None when no block has
    ``MIN_DENSE_CHARS``.
    """
    own: dict[html.HtmlElement, list[int]] = {}  # container -> [text, link text]
    stack = [(tree, tree, False)]
    while stack:
        element, container, in_link = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if not tag or tag in NON_TEXT_TAGS:
            continue
        if tag in CONTAINER_TAGS:
            container = element
        in_link = in_link or tag == "a"
        counts = own.setdefault(container, [0, 0])
        counts[in_link] += len((element.text or "").strip())
        for child in element:
            stack.append((child, container, in_link))
            counts[in_link] += len((child.tail or "").strip())
    totals: dict[html.HtmlElement, list[int]] = {c: [0, 0] for c in own}
    for container, (text, links) in own.items():
        for holder in (container, *container.iterancestors()):
            if holder in totals:
                totals[holder][0] += text
                totals[holder][1] += links
    if not own:
        return None
    best = max(own, key=lambda c: own[c][0])
    if own[best][0] < MIN_DENSE_CHARS:
        return None
    for holder in best.iterancestors():
        if holder not in totals:
            continue
        text, links = totals[holder]
        if text < 2 * totals[best][0] or links > MAX_LINK_SHARE * (text + links):
            break
        best = holder
    return best
