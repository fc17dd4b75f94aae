"""What the archive already holds of each document URL, and whether an answer is a new version.

One rule serves the live crawl (``crawler.middlewares.conditional``, with the state read from
the catalog when the spider opens) and the rebuild (the state built up record by record from
the WARC files): a detail page or attachment starts a new document version when its URL has
no document yet, or when it answers 2xx with a payload other than its last 2xx answer's. A
304, the same payload again, or a gone status (404/410) of a URL that has a document already
is not re-extracted: the URL's current document stays current.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from archive.catalog import DOCUMENT_ROLES, GONE_STATUSES
from archive.records import Original

_ROLES = "('" + "', '".join(sorted(DOCUMENT_ROLES)) + "')"

# The payload digest of each document URL's latest 2xx answer (a revisit's is its original's);
# {url} narrows it to one URL (``url = ? and``).
_LAST_OK = f"""
select url, payload_digest from (
  select url, payload_digest,
         row_number() over (partition by url order by fetched_at desc, record_id desc) as n
  from captures where {{url}} role in {_ROLES} and status between 200 and 299
) where n = 1
"""
LAST_OK_SQL = _LAST_OK.format(url="")
URL_LAST_OK_SQL = _LAST_OK.format(url="url = ? and")
URL_DOCUMENTED_SQL = "select 1 from documents where url = ? limit 1"

# Validators of each document URL's latest 200 answer, and the record holding its payload.
_VALIDATORS = f"""
with latest as (
  select url, record_id, record_type, refers_to, etag, last_modified,
         row_number() over (partition by url order by fetched_at desc, record_id desc) as n
  from captures where {{url}} role in {_ROLES} and status = 200
)
select l.url, l.etag, l.last_modified, o.record_id, o.url as original_url, o.fetched_at,
       o.payload_digest, o.warc_file, o.offset
from latest l
join captures o on o.record_id = case when l.record_type = 'revisit' then l.refers_to else l.record_id end
where l.n = 1 and (l.etag is not null or l.last_modified is not null) and o.record_type = 'response'
"""
VALIDATORS_SQL = _VALIDATORS.format(url="")
URL_VALIDATORS_SQL = _VALIDATORS.format(url="url = ? and")

# The provenance of each document URL's latest document.
KNOWN_DOCUMENTS_SQL = """
select url, source, role, column_url, parent_url from (
  select d.url, d.source, d.role, d.column_url, d.parent_url,
         row_number() over (partition by d.url order by c.fetched_at desc, d.id desc) as n
  from documents d join captures c on c.record_id = d.id
) where n = 1 order by url
"""


@dataclass(slots=True)
class UrlState:
    """A document URL as the archive holds it: the payload digest of its last 2xx answer, and
    whether it has a document row."""

    digest: str | None = None
    documented: bool = False

    def is_new_version(self, status: int | None, digest: str | None) -> bool:
        """Whether a document capture (``catalog.is_document``) with this status and payload
        digest starts a new version of the URL's document."""
        if not self.documented:
            return True
        if status is None or status in GONE_STATUSES or not 200 <= status < 300:
            return False
        return digest != self.digest

    def advance(self, status: int | None, digest: str | None, documented: bool) -> None:
        """Take in one more capture of the URL (``documented``: it made a document row)."""
        if status is not None and 200 <= status < 300:
            self.digest = digest
        self.documented = self.documented or documented


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET of a URL sends (``etag``, ``last_modified``) and the record
    holding the payload they stand for."""

    etag: str | None
    last_modified: str | None
    original: Original
    warc_file: str
    offset: int


def load_states(db: sqlite_utils.Database) -> dict[str, UrlState]:
    """The state of every document URL of a catalog."""
    states = {url: UrlState(digest) for url, digest in db.execute(LAST_OK_SQL)}
    for (url,) in db.execute("select distinct url from documents"):
        states.setdefault(url, UrlState()).documented = True
    return states


def url_state(db: sqlite_utils.Database, url: str) -> UrlState | None:
    """``load_states``'s entry for one URL, read for it alone (indexed: no scan)."""
    last_ok = db.execute(URL_LAST_OK_SQL, [url]).fetchone()
    documented = db.execute(URL_DOCUMENTED_SQL, [url]).fetchone() is not None
    if last_ok is None and not documented:
        return None
    return UrlState(last_ok[1] if last_ok else None, documented)


def load_validators(db: sqlite_utils.Database) -> dict[str, Validators]:
    """The validators of every document URL whose last 200 answer carried any."""
    return {row[0]: _validators(row) for row in db.execute(VALIDATORS_SQL)}


def url_validators(db: sqlite_utils.Database, url: str) -> Validators | None:
    """``load_validators``'s entry for one URL, read for it alone."""
    row = db.execute(URL_VALIDATORS_SQL, [url]).fetchone()
    return _validators(row) if row else None


def _validators(row: tuple) -> Validators:
    _, etag, modified, record_id, original_url, fetched_at, digest, warc_file, offset = row
    return Validators(etag, modified, Original(record_id, original_url, fetched_at, digest), warc_file, offset)


def known_documents(db: sqlite_utils.Database) -> list[dict]:
    """Every document URL with the provenance of its latest document (source, role, column, parent)."""
    return list(db.query(KNOWN_DOCUMENTS_SQL))
