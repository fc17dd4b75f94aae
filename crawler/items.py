"""Items the spider yields: one per fetched report candidate (detail page or attachment)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedDocument:
    """A detail page or attachment as fetched, with its provenance.

    ``body`` is decoded of any Content-Encoding; the WARC record keeps the bytes as sent.
    ``headers`` keeps the last value of each header name, as bytes.
    ``agency`` / ``region_code`` are the registry's hints; ``extracted`` is filled by
    ``pipelines.extract.ExtractPipeline`` with the extraction record.
    """

    url: str
    status: int
    body: bytes
    headers: dict[str, bytes] = field(default_factory=dict)
    source: str = ""
    record_id: str | None = None
    role: str = "detail"
    column: str | None = None
    parent_url: str | None = None
    list_title: str | None = None
    list_date: str | None = None
    fetched_at: str = ""
    agency: str | None = None
    region_code: str | None = None
    extracted: dict | None = None
