"""``nianbao serve``: datasette over the catalog, read-only, with the archived pages beside it.

This module is also the datasette plugin (registered as ``nianbao``) that makes datasette an
archive's front end:

- ``/-/archive/<record id>`` serves a capture's HTTP response body as it was captured, read by
  offset from its WARC file (revisits resolved to their original), content-encoding decoded,
  with its original Content-Type; nothing is rewritten and nothing is fetched live. A
  Content-Security-Policy keeps the archived page's scripts and live resources from running.
- the ``url`` of a document or capture links to that archived copy, and other URL columns to
  the captures of that URL, so no link in the catalog leads to the live web;
- ``?_search=`` on ``documents`` goes through ``archive.search`` (trigram index, traditional
  queries converted to simplified) instead of datasette's own full-text search.

Metadata (titles, facets, stored queries) lives in ``archive/datasette.yml``.
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import sys
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import sqlite_utils
import yaml
from datasette import hookimpl
from datasette.app import Datasette
from datasette.filters import FilterArguments
from datasette.plugins import pm
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from archive.lookup import RecordNotFound, capture_row, payload_capture, record_at
from archive.search import INDEX_TABLE, SearchError, ensure_search_index, search_condition

logger = logging.getLogger(__name__)

PLUGIN = "nianbao"
DATABASE = "catalog"
METADATA = Path(__file__).with_name("datasette.yml")
ARCHIVE_ROUTE = "/-/archive/"
# Archived pages are hostile ground (spam injections, trackers): no scripts, nothing live.
ARCHIVE_CSP = "sandbox; default-src 'self' data: 'unsafe-inline'; script-src 'none'"
BODY_CHUNK = 1 << 16
# Characters kept as they are when a captured URL is quoted into the Link header.
URL_SAFE = ":/?&=%#;,+~@!$*()"
SETTINGS = {
    "truncate_cells_html": 300,  # the text columns are long
    "sql_time_limit_ms": 5000,  # LIKE over the index for one- and two-character terms
    "facet_time_limit_ms": 1000,
}
# Columns whose value is the URL of the row's own capture, keyed by table: its record id column.
OWN_CAPTURE_URL = {"documents": "id", "captures": "record_id"}
OTHER_URL_COLUMNS = ("column_url", "parent_url")


def build_datasette(data_dir: str | Path) -> Datasette:
    """A Datasette over ``<data_dir>/catalog.db`` with nianbao's metadata and this plugin."""
    data_dir = Path(data_dir)
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata.setdefault("plugins", {})[PLUGIN] = {"warc_dir": str((data_dir / "warc").resolve())}
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name=PLUGIN)
    return Datasette([str(data_dir / "catalog.db")], metadata=metadata, settings=SETTINGS)


def serve(data_dir: str | Path, host: str = "127.0.0.1", port: int = 8001, announce=print) -> None:
    """Index the catalog for search, then serve it until interrupted.

    The socket is bound before ``announce`` is called with the server's URL, so a client may
    connect as soon as it reads it (port 0 picks a free port).
    """
    import asyncio

    import uvicorn

    catalog = Path(data_dir) / "catalog.db"
    try:
        ensure_search_index(catalog)
    except sqlite3.OperationalError as exc:  # a read-only copy: serve it with the index it has
        logger.warning("search index of %s not refreshed (%s): new documents are not searchable", catalog, exc)
    datasette = build_datasette(data_dir)
    asyncio.run(datasette.invoke_startup())
    sock = socket.create_server((host, port))
    announce(f"http://{host}:{sock.getsockname()[1]}/")
    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


def archive_path(datasette: Datasette, record_id: str) -> str:
    return datasette.urls.path(ARCHIVE_ROUTE + tilde_encode(record_id))


@hookimpl
def register_routes(datasette):
    return [(r"^/-/archive/(?P<record_id>[^/]+)$", archived_response)]


async def archived_response(datasette, request):
    """The archived HTTP response of one capture, body decoded of its content-encoding."""
    warc_dir = (datasette.plugin_config(PLUGIN) or {}).get("warc_dir")
    record_id = tilde_decode(request.url_vars["record_id"])
    if warc_dir is None:  # a datasette not built by build_datasette
        return Response.text("no archive configured", status=404)

    def find(conn):
        db = sqlite_utils.Database(conn)
        row = capture_row(db, record_id)
        return payload_capture(db, row) if row else None

    try:
        row = await datasette.get_database(DATABASE).execute_fn(find)
    except RecordNotFound as exc:
        return Response.text(str(exc), status=404)
    if row is None:
        return Response.text(f"no capture {record_id} in the catalog", status=404)
    path = Path(warc_dir) / row["warc_file"]
    try:
        with record_at(path, row["offset"]) as (record, _):
            status, content_type = _status_and_type(record)
            body = _read_body(record)
    except Exception as exc:  # a damaged or missing WARC file must not take the server down
        return Response.text(f"archived record {record_id} unreadable: {exc}; run nianbao verify", status=502)
    headers = {
        "Content-Security-Policy": ARCHIVE_CSP,
        "Link": f'<{quote(row["url"], safe=URL_SAFE)}>; rel="original"',
    }
    if row["fetched_at"]:
        headers["Memento-Datetime"] = _http_date(row["fetched_at"])
    return Response(body, status=status, headers=headers, content_type=content_type)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Links that stay inside the archive: own URL to the archived copy, others to their captures."""
    if value is None or not (datasette.plugin_config(PLUGIN) or {}):
        return None
    if column == "url" and table in OWN_CAPTURE_URL:
        record_id = _get(row, OWN_CAPTURE_URL[table])
        if record_id:
            title = f"archived copy, captured {_get(row, 'fetched_at') or ''}"
            href = archive_path(datasette, record_id)
            return Markup(f'<a href="{escape(href)}" title="{escape(title)}">{escape(value)}</a>')
    if column in OTHER_URL_COLUMNS or (column == "url" and table is None):
        href = datasette.urls.table(DATABASE, "captures") + "?url=" + quote(str(value), safe="")
        return Markup(f'<a href="{escape(href)}" title="captures of this URL">{escape(value)}</a>')
    if column == "document_id":
        href = datasette.urls.table(DATABASE, "documents") + "/" + tilde_encode(str(value))
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    """``_search`` on documents through the trigram index, in simplified script.

    Runs last so that its ``supports_search`` (the search box) wins over datasette's own,
    which finds no ``documents_fts`` table and switches the box off.
    """
    if database != DATABASE or table != "documents":
        return None
    query = request.args.get("_search", "")
    try:
        condition, params = search_condition(query)
    except SearchError:
        return FilterArguments([], extra_context={"supports_search": True, "search": ""})
    return FilterArguments(
        [f"rowid in (select rowid from {INDEX_TABLE} where {condition})"],
        params,
        [f'search matches "{query}"'],
        extra_context={"supports_search": True, "search": query},
    )


def _status_and_type(record) -> tuple[int, str]:
    if record.http_headers is not None and record.rec_type in ("response", "revisit"):
        status = int(record.http_headers.get_statuscode() or 200)
        return status, record.http_headers.get_header("Content-Type") or "application/octet-stream"
    return 200, record.rec_headers.get_header("Content-Type") or "application/octet-stream"


def _read_body(record) -> bytes:
    # content_stream() undoes chunking and Content-Encoding (gzip, deflate, br).
    stream = record.content_stream()
    return b"".join(iter(lambda: stream.read(BODY_CHUNK), b""))


def _http_date(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


def _get(row, key: str):
    try:
        return row[key]
    except (KeyError, IndexError):
        return None
