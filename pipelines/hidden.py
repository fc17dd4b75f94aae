"""Injected markup: hidden elements and link farms to foreign hosts, found in the DOM.

Inside the report body nothing is legitimately hidden, so any hidden text there is
injected. Outside the body pages hide menus and dialogs all the time; there a hidden
element or a link counts as injected only when it carries spam terms. Links point to a
foreign host when it is neither the page's own site nor a government domain.
"""

from __future__ import annotations

import copy
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from .render import clean_line
from .spam import has_spam_terms

# Inline styles that take an element out of sight (matched on the style without spaces).
HIDDEN_STYLE_RE = re.compile("|".join((
    r"display:none",
    r"visibility:hidden",
    r"(?<![-\w])font-size:0(?![.\d1-9])",
    r"(?<![-\w])opacity:0(?![.\d1-9])",
    r"text-indent:-\d{3,}",
    r"(?<![-\w])(?:left|top|margin-left|margin-top):-\d{3,}",
    r"clip:rect\(0",
    r"(?<![-\w])(?:width|height|max-height|line-height):0(?:px|pt|em)?(?:;|$).*overflow:hidden",
    r"overflow:hidden.*(?<![-\w])(?:width|height|max-height|line-height):0(?:px|pt|em)?(?:;|$)",
)))
# Every hiding style above contains one of these fragments (checked before the regex).
STYLE_HINTS = ("none", "hidden", "opacity", "clip", ":-", "font-size:0")
# Elements that can be hidden by their own markup (and, when the page's CSS hides classes
# or ids, every element carrying one), selected in C before their styles are read.
# Styles are preselected by fragments in their usual cases (the regex then decides), so the
# thousands of styled spans of a Word-pasted report are never parsed in Python.
_STYLE_FRAGMENTS = ("none", "None", "NONE", "hidden", "Hidden", "HIDDEN", "opacity", "OPACITY", "clip", "CLIP",
                    ":-", ": -", "font-size:0", "font-size: 0", "FONT-SIZE:0", "FONT-SIZE: 0")
_STYLED = "@style[" + " or ".join(f"contains(., '{f}')" for f in _STYLE_FRAGMENTS) + "]"
CANDIDATES_XPATH = etree.XPath(f"descendant-or-self::*[{_STYLED} or @hidden or self::marquee or self::iframe]")
CSS_CANDIDATES_XPATH = etree.XPath(
    f"descendant-or-self::*[{_STYLED} or @hidden or @class or @id or self::marquee or self::iframe]")
# A script that redirects only visitors from a search engine.
CLOAK_CONDITION_RE = re.compile(r"(referrer|useragent|user-agent|navigator)[\s\S]{0,200}?"
                                r"(baidu|spider|sogou|so\.com|sm\.cn|google|bing|360)", re.I)
CLOAK_ACTION_RE = re.compile(r"location(\.href|\.replace)?\s*=|location\.replace\(|window\.open\(|document\.write",
                             re.I)
URL_RE = re.compile(r"https?://[^\s\"'<>;)]+")
CSS_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
CSS_SELECTOR_RE = re.compile(r"^\s*([.#])([\w-]+)\s*$")
# Chrome that is hidden on purpose and is not an injection (the Hanweb credit link).
HIDDEN_CHROME_RE = re.compile(r"^produced by", re.I)
LINK_FARM_SIZE = 2
TRUSTED_SUFFIXES = (".gov.cn", ".gov")
SECOND_LEVEL = frozenset({"gov", "com", "org", "net", "edu", "ac"})


def _style_hidden(style: str) -> bool:
    compact = "".join(style.lower().split())
    return any(hint in compact for hint in STYLE_HINTS) and bool(HIDDEN_STYLE_RE.search(compact))


def css_hidden(tree: html.HtmlElement) -> tuple[frozenset[str], frozenset[str]]:
    """Classes and ids that the page's own ``<style>`` blocks hide (simple selectors only)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for style in tree.iter("style"):
        for selectors, body in CSS_RULE_RE.findall(style.text or ""):
            if not _style_hidden(body):
                continue
            for selector in selectors.split(","):
                match = CSS_SELECTOR_RE.match(selector)
                if match:
                    (classes if match.group(1) == "." else ids).add(match.group(2))
    return frozenset(classes), frozenset(ids)


def is_hidden(element: html.HtmlElement, hidden_css: tuple[frozenset[str], frozenset[str]]) -> bool:
    """True when the element itself is out of sight (its ancestors are not looked at)."""
    tag = element.tag
    if tag == "marquee" or element.get("hidden") is not None:
        return True
    style = element.get("style")
    if style and _style_hidden(style):
        return True
    if tag == "iframe" and (element.get("width") in ("0", "1") or element.get("height") in ("0", "1")):
        return True
    classes, ids = hidden_css
    if not (classes or ids):
        return False
    return bool(element.get("id") in ids or classes.intersection((element.get("class") or "").split()))


def site_key(host: str) -> str:
    """The registrable part of a host name: ``www.pingtan.gov.cn`` → ``pingtan.gov.cn``."""
    labels = host.lower().split(":")[0].strip(".").split(".")
    if len(labels) >= 3 and labels[-1] == "cn" and labels[-2] in SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def is_foreign(href: str, base_url: str, own_hosts: tuple[str, ...]) -> bool:
    """True for an absolute link to a host outside the page's site and outside government."""
    if not href.lower().lstrip().startswith(("http:", "https:", "//")):
        return False  # relative: the page's own site
    target = urlsplit(urljoin(base_url, href.strip()))
    if target.scheme not in ("http", "https") or not target.hostname:
        return False
    host = target.hostname.lower()
    if host.endswith(TRUSTED_SUFFIXES) or host in ("gov.cn",):
        return False
    return site_key(host) not in {site_key(h) for h in own_hosts if h}


def remove_injections(tree: html.HtmlElement, body: html.HtmlElement | None, base_url: str,
                      own_hosts: tuple[str, ...], spam_urls: list[str] = ()) -> list[str]:
    """Remove hidden and link-farm markup from ``tree``; return the injected text removed.

    ``body`` is the report body (None when the layout is unknown: then every part of the
    page is judged as outside the body, by its words). Links to the hosts of ``spam_urls``
    (where a cloaking script sends visitors) are spam wherever they are.
    """
    removed: list[str] = []
    hidden_css = css_hidden(tree)
    holders = set(body.iterancestors()) if body is not None else set()
    roots = [tree] if body is None or body.getroottree() is tree.getroottree() else [tree, body]
    for root in roots:
        for element in _candidates(root, hidden_css):
            if element.getparent() is None:
                continue
            if element in holders or _has_hidden_ancestor(element, hidden_css):
                continue
            text = clean_line(" ".join(element.itertext()))
            if _inside(element, body):
                src = element.get("src", "")
                if text and not HIDDEN_CHROME_RE.match(text):
                    removed += _pieces(element)
                elif element.tag == "iframe" and src and is_foreign(src, base_url, own_hosts):
                    removed.append(src)
            elif text and has_spam_terms(text):
                removed += _pieces(element)
            _drop(element)
    spam_hosts = {_host(url, base_url) for url in spam_urls}
    for root in roots:
        removed.extend(_remove_link_farms(root, body, base_url, own_hosts, spam_hosts))
    return removed


def _inside(element: html.HtmlElement, body: html.HtmlElement | None) -> bool:
    return body is not None and (element is body or any(a is body for a in element.iterancestors()))


def _pieces(element: html.HtmlElement) -> list[str]:
    """What a removed block said: each link's text, then any text outside its links."""
    anchors = [clean_line(a.text_content()) for a in element.iter("a")]
    if not anchors:
        return [clean_line(" ".join(element.itertext()))]
    rest = copy.deepcopy(element)
    for anchor in list(rest.iter("a")):
        if anchor.getparent() is not None:
            anchor.drop_tree()
    leftover = clean_line(" ".join(rest.itertext()))
    return [text for text in anchors if text] + ([leftover] if leftover else [])


def _candidates(root: html.HtmlElement, hidden_css) -> list[html.HtmlElement]:
    classes, ids = hidden_css
    elements = (CSS_CANDIDATES_XPATH if classes or ids else CANDIDATES_XPATH)(root)
    return [e for e in elements if is_hidden(e, hidden_css)]


def _has_hidden_ancestor(element: html.HtmlElement, hidden_css) -> bool:
    return any(is_hidden(a, hidden_css) for a in element.iterancestors())


def _remove_link_farms(root: html.HtmlElement, body: html.HtmlElement | None, base_url: str,
                       own_hosts: tuple[str, ...], spam_hosts: set[str]) -> list[str]:
    """Foreign links that are spam: grouped in the body, carrying spam words, or pointing to
    a host that other spam links point to."""
    groups: dict[html.HtmlElement, list[html.HtmlElement]] = {}
    for anchor in root.iter("a"):
        if is_foreign(anchor.get("href", ""), base_url, own_hosts):
            groups.setdefault(anchor.getparent(), []).append(anchor)
    spam_hosts = spam_hosts | {_host(anchor.get("href", ""), base_url) for anchors in groups.values()
                               for anchor in anchors if has_spam_terms(anchor.text_content())}
    removed = []
    for parent, anchors in groups.items():
        farm = len(anchors) >= LINK_FARM_SIZE and _inside(parent, body)
        for anchor in anchors:
            text = clean_line(anchor.text_content())
            if farm or _host(anchor.get("href", ""), base_url) in spam_hosts:
                if text:
                    removed.append(text)
                _drop(anchor)
    return removed


def _host(href: str, base_url: str) -> str:
    return (urlsplit(urljoin(base_url, href.strip())).hostname or "").lower()


def cloaking_targets(tree: html.HtmlElement) -> list[str]:
    """Where scripts send visitors who come from a search engine (cloaking): the URLs of
    redirects that depend on the Referer or User-Agent."""
    targets = []
    for script in tree.iter("script"):
        code = script.text or ""
        if CLOAK_CONDITION_RE.search(code) and CLOAK_ACTION_RE.search(code):
            targets += URL_RE.findall(code) or ["(script redirect)"]
    return list(dict.fromkeys(targets))


def _drop(element: html.HtmlElement) -> None:
    """Remove an element, keeping its tail text in place."""
    if element.getparent() is not None:
        element.drop_tree()
