"""Extraction from a file on disk: a page, a text capture or an attachment.

A WARC file is many documents; its responses are read by ``archive.warcextract``, which
tells the two apart with ``is_warc``.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from .extract import extract


class UnreadableFile(Exception):
    """Raised for a file that cannot be read at all (the message says why)."""


def is_warc(path: Path) -> bool:
    """True when the file starts like a WARC file (plain or gzip-compressed)."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head[:2] == b"\x1f\x8b":
            handle.seek(0)
            try:
                head = gzip.GzipFile(fileobj=handle).read(4)
            except (OSError, EOFError):
                return False
    return head == b"WARC"


def extract_file(path: str | Path, url: str | None = None) -> Iterator[dict]:
    """The extraction record of one document file (``url``: where it came from, else its file: URL)."""
    path = Path(path)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    if not body:
        raise UnreadableFile(f"{path}: empty file")
    yield extract(body, url or path.resolve().as_uri())
