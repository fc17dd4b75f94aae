"""The truth of the sample web for one night, as plain data (JSON-ready).

Built from the same entries the pages are rendered from, never by reading pages back: every
document's URL, agency, region, report year, publish date, type, template, format,
attachments, statistics and hostile content; every URL showing each fault; and what changed
since the night before. Later tests compare what nianbao archived and extracted against it.
"""

from __future__ import annotations

from dataclasses import asdict

from . import faults, nights
from .items import Entry
from .plan import SITES, Origin
from .sites import site_class
from .web import Web
from .wire import Request, entity_tag


def site_dicts(origins: dict[str, Origin]) -> list[dict]:
    """The sites as served at ``origins``: name, cms, agency, root, columns, landing, …"""
    found = []
    for spec in SITES:
        site = site_class(spec.cms)(spec, origins[spec.name])
        found.append({
            "name": spec.name, "cms": spec.cms, "agency": spec.agency, "region_code": spec.region_code,
            "root": site.url(site.root_path), "address": origins[spec.name].address, "port": origins[spec.name].port,
            "domain": spec.domain, "site_code": spec.site_code,
            "columns": [site.url(site.column_path(i)) for i in range(len(spec.columns))],
            "landing": site.url(site.landing_path()) if spec.in_scope else None,
            "in_scope": spec.in_scope, "level": spec.level or None,
        })
    return found


def origins_of(sites: list[dict]) -> dict[str, Origin]:
    return {site["name"]: Origin(site["address"], site["port"]) for site in sites}


def build_manifest(night: int, sites: list[dict], *, web: Web | None = None) -> dict:
    """The truth for ``night`` with the sites served where ``sites`` says (see ``site_dicts``)."""
    web = web or Web(night, origins_of(sites))
    changes = {kind: [web.url(web.entry(key)) for key in keys] for kind, keys in nights.changes(night).items()}
    return {
        "night": night,
        "sites": sites,
        "documents": [document(web, entry) for entry in web.entries],
        "faults": faults.inventory(web),
        "changes": changes,
    }


def document(web: Web, entry: Entry) -> dict:
    site = web.sites[entry.site]
    report = entry.report
    served = site.respond(Request("GET", site.detail_path(entry))).response
    column = site.url(site.column_path(entry.column)) if entry.column is not None else None
    return {
        "key": entry.key,
        "url": web.url(entry),
        "list_url": site.url(site.list_href(entry)) if entry.listed and column else None,
        "site": entry.site,
        "column": column,
        "title": report.title,
        "agency": report.agency,
        "region_code": report.region_code,
        "report_year": report.report_year,
        "publish_date": report.publish_date,
        "doc_type": report.doc_type,
        "template": report.template,
        "format": entry.format,
        "attachments": [
            {"url": web.attachment_url(entry, i), "format": a.format, "filename": a.filename, "stub": a.stub,
             "needs_ocr": a.needs_ocr, "copy": a.copy,
             "robots": _robots(site.robots_allows(site.attachment_path(entry, i)))}
            for i, a in enumerate(entry.attachments)
        ],
        "script": report.script,
        "defaced": entry.defaced,
        "spam": list(entry.spam),
        "year_conflict": None not in (report.body_year, report.report_year) and report.body_year != report.report_year,
        "body_year": report.body_year,
        "status": entry.status,
        "listed": entry.listed,
        "version": entry.version,
        "etag": entity_tag(served.body) if served.status == 200 else None,
        "stats": [asdict(cell) for cell in report.stats],
        "violations": list(report.violations),
        "robots": _robots(site.robots_allows(site.detail_path(entry))),
    }


def _robots(allowed: bool) -> str:
    return "allowed" if allowed else "disallowed"
