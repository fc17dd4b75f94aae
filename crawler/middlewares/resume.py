"""A resumed nightly run gets the answers its interrupted part archived from the WARC files.

Scrapy's JOBDIR keeps its queues only when the crawl stops cleanly; after ``kill -9`` they
are lost or torn. A nightly run resumes from what is certain instead: the exchanges its files
hold. When ``NIANBAO_RESUME_RUN`` names the run, every request the crawl makes again is first
matched (method, URL, body) against that run's request records, in the order they were
written, and answered from the archived response — nothing is fetched or written twice, and
the spider walks the same pages to the requests the interrupted part never made, which go
to the web. Failed downloads are not replayed: they are tried again.

Priority 900: after the middlewares that shape requests (conditional GET at 595), so every
``process_response`` above sees a replayed answer as it saw the live one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag

import sqlite_utils
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator

from archive.catalogpipeline import catalog_path
from archive.lookup import answer_at, capture_row, record_at
from archive.rebuild import run_files
from archive.records import read_answer
from crawler.archived import archived_response

logger = logging.getLogger(__name__)

REPLAYED_FLAG = "replayed"
ANSWER_TYPES = frozenset({"response", "revisit"})

Key = tuple[str, str, bytes]


def request_key(method: str, url: str, body: bytes) -> Key:
    return method.upper(), urldefrag(url)[0], hashlib.sha1(body).digest()


class ResumeFromWarc:
    def __init__(self, warc_dir: Path, catalog: Path, run_id: str) -> None:
        self.warc_dir = warc_dir
        self.catalog = catalog
        self.answers = archived_answers(warc_dir, run_id)
        logger.info("resuming run %s: %d archived answers to replay", run_id,
                    sum(len(queue) for queue in self.answers.values()))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeFromWarc:
        settings = crawler.settings
        run_id = settings.get("NIANBAO_RESUME_RUN")
        if not run_id:
            raise NotConfigured("no run to resume (NIANBAO_RESUME_RUN)")
        return cls(Path(settings.get("NIANBAO_DATA_DIR")) / "warc", catalog_path(settings), run_id)

    def process_request(self, request: Request) -> Response | None:
        queue = self.answers.get(request_key(request.method, request.url, request.body))
        if not queue:
            return None
        warc_file, offset = queue.popleft()
        with record_at(self.warc_dir / warc_file, offset, parse_http=False) as (record, _):
            headers = record.rec_headers
            answer = read_answer(record)
            if record.rec_type == "revisit" and headers.get_header("WARC-Refers-To") and answer.status != 304:
                answer = dataclasses.replace(answer, payload=self._original_payload(headers.get_header("WARC-Refers-To")))
            response = archived_response(answer, request, flags=[REPLAYED_FLAG])
            request.meta["warc_record_id"] = headers.get_header("WARC-Record-ID")
            digest = headers.get_header("WARC-Payload-Digest")
            if digest and response.body:
                request.meta["payload_digest"] = digest
            else:
                request.meta.pop("payload_digest", None)
        return response

    def _original_payload(self, record_id: str) -> bytes:
        db = sqlite_utils.Database(self.catalog)
        try:
            row = capture_row(db, record_id)
        finally:
            db.close()
        if row is None:
            return b""
        return answer_at(self.warc_dir / row["warc_file"], row["offset"]).payload


def archived_answers(warc_dir: Path, run_id: str) -> dict[Key, deque[tuple[str, int]]]:
    """Request key → where the answers to it are, in the order the run received them."""
    answers: dict[Key, deque[tuple[str, int]]] = {}
    for path in run_files(warc_dir, run_id):
        keys: dict[str, Key] = {}  # answer record id → its request's key
        with path.open("rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                headers = record.rec_headers
                if record.rec_type == "request" and record.http_headers is not None:
                    method = record.http_headers.protocol  # the request line's first word
                    body = record.raw_stream.read()
                    keys[headers.get_header("WARC-Concurrent-To")] = request_key(
                        method, headers.get_header("WARC-Target-URI"), body
                    )
                elif record.rec_type in ANSWER_TYPES:
                    key = keys.pop(headers.get_header("WARC-Record-ID"), None)
                    if key is not None:
                        answers.setdefault(key, deque()).append((path.name, records.get_record_offset()))
    return answers
