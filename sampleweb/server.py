"""Serving the sample web: one threaded HTTP server per site address, all in this process.

``SampleWeb`` is what tests, the demo and benchmarks use; ``serve`` backs the
``nianbao sample-web`` command. Responses are written byte for byte from ``wire.Response``
(chunk framing, gzip and header bytes are ours, not the standard library's), ETag and
Last-Modified are derived from the body and its history over the nights, and conditional
requests get 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import signal
import sys
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import faults, nights
from .manifest import build_manifest, site_dicts
from .plan import DEFAULT_PORT, SITES, Origin, default_origins, subnet_address
from .registry import registry_entries
from .web import Web
from .wire import Request, Response, entity_tag, http_date, not_modified

logger = logging.getLogger(__name__)
# What each platform's server says it is.
SERVER_HEADERS = {"hanweb": b"Apache-Coyote/1.1", "trs": b"nginx", "anhui": b"nginx/1.18.0",
                  "gkmlpt": b"nginx", "legacy": b"Microsoft-IIS/6.0", "mirror": b"Tengine", "portal": b"nginx/1.20.1"}


class SampleWeb:
    """The sample government web on loopback, as a context manager.

    ``port=None`` serves every site on its fixed address at ``plan.DEFAULT_PORT``; ``port=0``
    lets each site take a free port. ``latency`` delays every response (per connection: the
    server is threaded, so other connections are not held up). ``subnet`` k serves the sites on
    127.k.0.x instead of 127.0.0.x, so several instances are distinct hosts to a crawler.
    """

    def __init__(self, night: int = 0, port: int | None = None, latency: float = 0.0, subnet: int = 0):
        self._night = nights.check_night(night)
        self._port = DEFAULT_PORT if port is None else port
        self._subnet = subnet
        self.latency = latency
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._origins: dict[str, Origin] = {}
        self._webs: dict[int, Web] = {}
        self._blobs: dict = {}
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> SampleWeb:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        for spec in SITES:
            address = subnet_address(spec.address, self._subnet)
            try:
                server = _SiteServer((address, self._port), _Handler)
            except OSError as exc:
                self.stop()
                raise OSError(f"sample web: cannot listen on {address}:{self._port} ({exc.strerror}); "
                              "is another sample web running? port=0 takes free ports") from exc
            server.sample, server.site_name, server.server_name_bytes = self, spec.name, SERVER_HEADERS[spec.cms]
            self._servers.append(server)
            self._origins[spec.name] = Origin(address, server.server_address[1])
        self.web_for(self._night)  # build the first night before answering anything
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"sampleweb-{server.site_name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        serving = bool(self._threads)
        for server in self._servers:
            if serving:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    # -- the public view ---------------------------------------------------------------------
    @property
    def night(self) -> int:
        return self._night

    @property
    def web(self) -> Web:
        return self.web_for(self._night)

    @property
    def sites(self) -> list[dict]:
        return site_dicts(self._origins)

    def manifest(self) -> dict:
        return build_manifest(self._night, self.sites, web=self.web)

    def registry(self) -> list[dict]:
        return registry_entries(self.sites)

    def set_night(self, night: int) -> None:
        """Serve ``night`` from now on, at the same addresses."""
        nights.check_night(night)
        self.web_for(night)
        self._night = night

    def web_for(self, night: int) -> Web:
        with self._lock:
            if night not in self._webs:
                self._webs[night] = Web(night, self._origins, self._blobs)
            return self._webs[night]

    # -- answering ---------------------------------------------------------------------------
    def handle(self, site: str, request: Request) -> Response:
        """The full answer to one request on the current night."""
        night = self._night
        web = self.web_for(night)
        resolved = web.resolve(site, request)
        response = faults.apply(web, site, request, resolved)
        if response.cacheable and response.status == 200:
            etag = entity_tag(response.body)
            modified = self.last_modified(night, site, request.target, response)
            # Like nginx, a compressed representation carries the weak form of the tag.
            sent = f"W/{etag}" if response.gzip else etag
            response = response.with_header("ETag", sent).with_header("Last-Modified", http_date(modified))
            if not_modified(request, etag, modified):
                response = replace(response, status=304, body=b"", gzip=False, chunked=False)
        return response

    def last_modified(self, night: int, site: str, target: str, response: Response) -> dt.datetime:
        """When the body last changed: walk back over the nights while it stays the same.

        A body unchanged since it first appeared keeps the moment its page gives
        (``response.modified``: publication, or the newest item listed); a body that changed
        on night k is stamped with the day before that night's crawl.
        """
        digest = hashlib.sha1(response.body).digest()
        first = night
        while first > 0 and self._digest(first - 1, site, target) == digest:
            first -= 1
        if first > 0 and self._digest(first - 1, site, target) is not None:
            return nights.change_time(first)
        return response.modified or nights.night_time(0)

    def _digest(self, night: int, site: str, target: str) -> bytes | None:
        resolved = self.web_for(night).resolve(site, Request("GET", target))
        response = resolved.response
        if response.status != 200 or not response.cacheable:
            return None
        return hashlib.sha1(response.body).digest()


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    sample: SampleWeb
    site_name: str
    server_name_bytes: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as nginx, Apache and IIS set on keep-alive connections: the head and the
    # body go out in separate writes, and with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the head (40 ms on Linux) on every answer after a connection's first.
    disable_nagle_algorithm = True
    server: _SiteServer

    def do_GET(self) -> None:
        length = self.headers.get("Content-Length", "0").strip()
        body = self.rfile.read(int(length)) if length.isdigit() and int(length) > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, body)
        sample = self.server.sample
        try:
            response = sample.handle(self.server.site_name, request)
        except Exception:  # a bug in the sample web must not look like a network fault
            logger.exception("sample web failed on %s %s", self.command, self.path)
            response = Response(status=500, body=b"sample web error")
        if self.request_version == "HTTP/1.0":
            response = replace(response, chunked=False)
        response = response.with_header("Server", self.server.server_name_bytes)
        response = response.with_header("Date", http_date(dt.datetime.now(dt.timezone.utc)))
        delay = sample.latency + response.delay
        if delay:
            time.sleep(delay)
        for chunk in response.encode(head=self.command == "HEAD"):
            self.wfile.write(chunk)
        self.wfile.flush()

    do_POST = do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.server.site_name, *args)


def serve(night: int = 0, *, manifest: bool = False, port: int | None = None) -> None:
    """``nianbao sample-web``: print the manifest, or serve until interrupted (Ctrl-C, SIGTERM)."""
    if manifest:
        sites = site_dicts(default_origins(DEFAULT_PORT if port is None else port))
        json.dump(build_manifest(night, sites), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SampleWeb(night=night, port=port) as web:
        for site in web.sites:
            line = {k: site[k] for k in ("name", "cms", "root", "columns", "address", "port", "in_scope")}
            print(json.dumps(line, ensure_ascii=False), flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
