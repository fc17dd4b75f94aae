"""Detect which CMS published a page, from the traces each platform leaves in its HTML.

Rules are data: an ordered list of (cms, pattern); the first CMS with a matching pattern wins.
Names match the registry's ``cms`` values.
"""

from __future__ import annotations

import re

from crawler.adapters.anhui import AnhuiAdapter
from crawler.adapters.base import Adapter
from crawler.adapters.generic import GenericAdapter
from crawler.adapters.gkmlpt import GkmlptAdapter
from crawler.adapters.hanweb import HanwebAdapter
from crawler.adapters.trs import TrsAdapter

FINGERPRINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # gkmlpt pages are hosted inside sites built on other CMSes: check it first.
    ("gkmlpt", re.compile(r"/gkmlpt/(?:index|annualreport|api/|content/)|gkmlpt[\w./-]*\.js", re.IGNORECASE)),
    (
        "hanweb",
        re.compile(
            r"""<meta\s+name=["']?Generator["']?\s+content=["']?大汉版通"""
            r"|Produced\s+By\s+大汉网络"
            r"""|<script\s+type=["']text/xml["']>\s*<datastore>"""
            r"""|["'(]/module/(?:web/jpage|jpage|jslib|visitcount|download)/"""
            r"|/jcms_files/",
            re.IGNORECASE,
        ),
    ),
    ("anhui", re.compile(r"table_suoyin|/site/label/8888|xxgk_navli|wzcon\s+j-fontContent", re.IGNORECASE)),
    ("trs", re.compile(r"createPageHTML|list2\.trsapi|class=[\"']?TRS_Editor|trs_editor_view|Custom_UnionStyle")),
)

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (HanwebAdapter(), TrsAdapter(), AnhuiAdapter(), GkmlptAdapter(), GenericAdapter())
}
# Registry CMS names without a platform of their own.
ADAPTERS["legacy"] = ADAPTERS["generic"]


def detect_cms(text: str) -> str | None:
    """The CMS that published ``text`` (an HTML page), or None when no fingerprint matches."""
    for cms, pattern in FINGERPRINTS:
        if pattern.search(text):
            return cms
    return None


def adapter_for(cms: str | None) -> Adapter:
    """The adapter for a registry or detected CMS name; unknown and None get the generic one."""
    return ADAPTERS.get(cms or "generic", ADAPTERS["generic"])
