"""The sample web on one night: its sites built from the night's entries, answering requests."""

from __future__ import annotations

import threading
from collections import Counter

from .content import render_docx, render_image_only, render_pdf, render_xls, render_xlsx
from .items import STUB_BYTES, Entry, entries
from .plan import SITES, Origin
from .sites import site_class
from .sites.base import Resolved, Site, not_found
from .wire import Request

# How each attachment format is produced from the item's report as first published
# (attachments are not regenerated when a page is later edited or defaced).
RENDERERS = {"pdf": render_pdf, "docx": render_docx, "xls": render_xls, "xlsx": render_xlsx,
             "image": render_image_only}


class Web:
    """Every site of the sample web on ``night``, served at ``origins``.

    ``blobs`` caches attachment bytes; share one dict between the nights of a server, since
    attachments do not change from night to night.
    """

    def __init__(self, night: int, origins: dict[str, Origin], blobs: dict | None = None):
        self.night = night
        self.origins = origins
        self.entries: list[Entry] = entries(night)
        self.sites: dict[str, Site] = {
            spec.name: site_class(spec.cms)(spec, origins[spec.name],
                                            [e for e in self.entries if e.site == spec.name], self)
            for spec in SITES
        }
        self._by_key = {e.key: e for e in self.entries}
        self._blobs = {} if blobs is None else blobs
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def entry(self, key: str) -> Entry | None:
        return self._by_key.get(key)

    def url(self, entry: Entry) -> str:
        site = self.sites[entry.site]
        return site.url(site.detail_path(entry))

    def attachment_url(self, entry: Entry, index: int) -> str:
        site = self.sites[entry.site]
        return site.url(site.attachment_path(entry, index))

    def resolve(self, site: str, request: Request) -> Resolved:
        """The site's answer before faults and validators; unknown URLs are 404."""
        return self.sites[site].respond(request) or Resolved("missing", not_found())

    def attachment_bytes(self, entry: Entry, index: int) -> bytes:
        attachment = entry.attachments[index]
        if attachment.stub:
            return STUB_BYTES
        key = (entry.key, index)
        body = self._blobs.get(key)
        if body is None:
            body = self._blobs[key] = RENDERERS[attachment.format](entry.item.report)
        return body

    def hit(self, url: str) -> int:
        """Count a request for ``url`` on this night; returns how many there have been."""
        with self._lock:
            self._hits[url] += 1
            return self._hits[url]
