"""Rotating WARC files: per-record gzip, ``.open`` while written, a writer thread, repair.

``RotatingWarcWriter`` is synchronous and owns the files. ``BackgroundWriter`` runs it on a
thread fed by a bounded queue, so compression, digests and disk never run on the crawler's
reactor thread; results go back through the ``deliver`` function the caller passes
(``reactor.callFromThread`` in the crawler).
"""

from __future__ import annotations

import logging
import os
import queue
import re
import secrets
import struct
import threading
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord

from archive.records import (
    Capture,
    Exchange,
    capture_from_records,
    exchange_records,
    new_record_id,
    read_provenance,
    record_pieces,
    warcinfo_record,
)

logger = logging.getLogger(__name__)

NAME_TEMPLATE = "{prefix}-{timestamp17}-{serial:05d}-{token}.warc.gz"
OPEN_SUFFIX = ".open"
# What NAME_TEMPLATE puts after the prefix (several prefixes share a directory: the workers of
# a distributed crawl each have one).
NAME_TAIL = re.compile(r"-(?P<timestamp17>\d{17})-(?P<serial>\d{5})-[0-9a-f]+\.warc\.gz(?:\.open)?$")
DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_GZIP_LEVEL = 1  # ~15% larger than 6 at half the CPU: capture runs on the crawl's budget
REPAIR_CHUNK = 1 << 20
DELIVERY_BATCH = 32
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate; no name, time or OS
LAST_BLOCK = b"\x03\x00"  # an empty final block: ends the deflate data of a member
# Payloads that are compressed data: content codings, and media types that are compressed
# containers (Office Open XML files are zip). PDF is not among them: its streams may be plain.
COMPRESSED_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "compress"})
COMPRESSED_TYPES = (
    "image/jpeg", "image/png", "image/gif", "image/webp", "audio/", "video/",
    "application/zip", "application/x-zip-compressed", "application/gzip", "application/x-gzip",
    "application/x-rar-compressed", "application/vnd.rar", "application/x-7z-compressed",
    "application/vnd.openxmlformats-officedocument.",
)
MIN_STORED = 512  # below it a stored part's flush costs more than it saves


class _OpenFile:
    """A ``.open`` file, unbuffered: each record is one gzip member, each exchange's members
    are handed to the OS in one write, so a killed process leaves whole records plus at most
    one partial one, and a failed write leaves nothing pending that could land after a cut."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: BinaryIO = open(path, "xb", buffering=0)  # noqa: SIM115 - closed by the writer
        self.size = 0
        self.warcinfo_id = new_record_id()

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(OPEN_SUFFIX)

    def append(self, data: bytes) -> None:
        """Write whole gzip members."""
        view = memoryview(data)
        while view:
            view = view[self.fh.write(view) :]
        self.size += len(data)

    def cut(self, size: int) -> None:
        self.fh.truncate(size)
        self.fh.seek(size)
        self.size = size


class RotatingWarcWriter:
    """Writes exchanges into ``directory``, starting a new file past ``max_size`` bytes.

    Files are named by ``NAME_TEMPLATE``, carry ``.open`` until closed, and start with a
    warcinfo record made of ``info`` and the fidelity profile. The records of one exchange
    always share a file.
    """

    def __init__(
        self,
        directory: Path | str,
        *,
        prefix: str = "nianbao",
        max_size: int = DEFAULT_MAX_SIZE,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        info: Iterable[tuple[str, object]] = (),
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.info = list(info)
        self.token = secrets.token_hex(3)
        self.closed_files: list[Path] = []
        self._serial = 0
        self._file: _OpenFile | None = None
        self._gzip = GzipMembers(gzip_level)

    def write_exchange(self, exchange: Exchange) -> Capture:
        """Write the exchange's records; return the Capture of its main record.

        If writing fails half-way the file is cut back to where the exchange began, so a
        disk error never leaves a partial record in the middle of a file.
        """
        current = self._file or self._open()
        records = exchange_records(exchange, current.warcinfo_id)
        members = [self._member(record) for record in records]
        start = current.size
        try:
            current.append(b"".join(members))  # one system call per exchange
        except BaseException:
            current.cut(start)
            raise
        spans, offset = [], start
        for member in members:
            spans.append((offset, len(member)))
            offset += len(member)
        main = 1 if records[0].rec_type == "request" else 0  # the response, or the failure
        offset, length = spans[main]
        ids = [r.rec_headers.get_header("WARC-Record-ID") for r in records]
        capture = capture_from_records(
            records[main],
            read_provenance(records[-1]),  # as a rebuild from the file will read it
            warc_file=current.name,
            offset=offset,
            length=length,
            concurrent_ids=ids[:main] + ids[main + 1 :],
        )
        if current.size >= self.max_size:
            self._close_current()
        return capture

    def write_record(self, build: Callable[[str], ArcWarcRecord]) -> tuple[str, int, int]:
        """Write the one record ``build(warcinfo_id)`` makes (a run report); return its file
        name, offset and length."""
        current = self._file or self._open()
        member = self._member(build(current.warcinfo_id))
        start = current.size
        try:
            current.append(member)
        except BaseException:
            current.cut(start)
            raise
        name = current.name
        if current.size >= self.max_size:
            self._close_current()
        return name, start, len(member)

    def close(self) -> None:
        if self._file is not None:
            self._close_current()

    def _member(self, record: ArcWarcRecord) -> bytes:
        return self._gzip.member(record_parts(record))

    def _open(self) -> _OpenFile:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = datetime.now(timezone.utc)
        name = NAME_TEMPLATE.format(
            prefix=self.prefix,
            timestamp17=now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}",
            serial=self._serial,
            token=self.token,
        )
        self._serial += 1
        current = _OpenFile(self.directory / (name + OPEN_SUFFIX))
        info = warcinfo_record(name, self.info, record_id=current.warcinfo_id, date=now)
        try:
            current.append(self._member(info))
        except BaseException:  # a full disk: leave no file without its warcinfo record
            current.fh.close()
            current.path.unlink(missing_ok=True)
            raise
        self._file = current
        return current

    def _close_current(self) -> None:
        assert self._file is not None
        current, self._file = self._file, None
        current.fh.close()
        final = current.path.with_name(current.name)
        os.replace(current.path, final)
        self.closed_files.append(final)


class BackgroundWriter:
    """Runs a RotatingWarcWriter on its own thread, fed by a bounded queue of batches.

    ``submit`` collects exchanges and hands them to the thread ``batch_size`` at a time;
    ``flush`` hands over what is collected (the owner calls it on a timer, so an exchange
    waits a bounded time). Waking the writer thread for each exchange cost more CPU than
    writing it: each wake-up takes the GIL from the crawl and runs on cold caches. Handing
    over blocks only when ``queue_size`` exchanges are already waiting (the disk cannot keep
    up). For each exchange, ``deliver(on_written, capture)`` or ``deliver(on_error, exchange,
    exception)`` is called from the writer thread, in the order submitted. ``submit`` and
    ``flush`` belong to one thread, the submitting one.
    """

    def __init__(
        self,
        writer: RotatingWarcWriter,
        *,
        deliver: Callable[..., object],
        on_written: Callable[[Capture], object],
        on_error: Callable[[Exchange | None, BaseException], object],
        queue_size: int = 64,
        batch_size: int = 1,
    ) -> None:
        self.writer = writer
        self.batch_size = batch_size
        self._deliver = deliver
        self._on_written = on_written
        self._on_error = on_error
        self._batch: list[Exchange] = []
        self._queue: queue.Queue[list[Exchange] | None] = queue.Queue(maxsize=max(1, queue_size // batch_size))
        self._thread = threading.Thread(target=self._run, name="nianbao-warc", daemon=True)
        self._thread.start()

    def submit(self, exchange: Exchange) -> None:
        self._batch.append(exchange)
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Hand the exchanges collected so far to the writer thread."""
        if self._batch:
            batch, self._batch = self._batch, []
            self._queue.put(batch)

    def close(self) -> None:
        """Write everything submitted, close the current file and stop the thread (blocking;
        from any thread once the submitting one has stopped submitting)."""
        if self._thread.is_alive():
            self.flush()
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        # Captures are handed back in batches (one wake-up of the reactor each) while the
        # queue is busy, and at once when it runs empty.
        captures: list[Capture] = []
        while (batch := self._queue.get()) is not None:
            for exchange in batch:
                try:
                    captures.append(self.writer.write_exchange(exchange))
                except Exception as exc:  # a bad exchange or a disk error must not stop the thread
                    captures = self._hand_back(captures)
                    self._deliver(self._on_error, exchange, exc)
            if self._queue.empty() or len(captures) >= DELIVERY_BATCH:
                captures = self._hand_back(captures)
        self._hand_back(captures)
        try:
            self.writer.close()
        except Exception as exc:
            self._deliver(self._on_error, None, exc)

    def _hand_back(self, captures: list[Capture]) -> list[Capture]:
        if captures:
            self._deliver(_call_each, self._on_written, captures)
        return []


def _call_each(func: Callable[[Capture], object], captures: list[Capture]) -> None:
    for capture in captures:
        func(capture)


def file_order(path: Path) -> tuple[str, str, str]:
    """Sort key of WARC files oldest first, whatever their prefixes: the name's timestamp and
    serial, then the name (files named otherwise come first, by name)."""
    tail = NAME_TAIL.search(path.name)
    return (tail["timestamp17"], tail["serial"], path.name) if tail else ("", "", path.name)


class GzipMembers:
    """One gzip member per record, from two long-lived raw deflate streams.

    A zlib stream made per record cost more than compressing it (deflateInit allocates and
    clears about 256 KB: 20-70 µs against 5 µs to deflate a 700-byte metadata record). Each
    part ends with a full flush, which byte-aligns the output and resets the history, so no
    member refers back to another: each decodes alone, as a member of its own stream would.
    A payload that is compressed data already (``record_parts``) goes into stored blocks:
    deflating gzip-encoded pages gained 4% at 40 times the time of storing them.
    """

    def __init__(self, level: int) -> None:
        self.level = level
        self._new_streams()

    def _new_streams(self) -> None:
        self._deflate = zlib.compressobj(self.level, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._store = zlib.compressobj(0, zlib.DEFLATED, -zlib.MAX_WBITS)

    def member(self, parts: Iterable[tuple[bytes, bool]]) -> bytes:
        """The gzip member of the concatenated ``(data, stored)`` parts."""
        try:
            return self._member(parts)
        except BaseException:
            # A member abandoned before its flush leaves its data in a stream: the next member
            # would begin with it. Fresh streams keep every later member whole.
            self._new_streams()
            raise

    def _member(self, parts: Iterable[tuple[bytes, bool]]) -> bytes:
        out, crc, size, stream = [GZIP_HEADER], 0, 0, None
        for data, stored in parts:
            part_stream = self._store if stored else self._deflate
            if stream is not None and part_stream is not stream:
                out.append(stream.flush(zlib.Z_FULL_FLUSH))
            stream = part_stream
            out.append(stream.compress(data))
            crc, size = zlib.crc32(data, crc), size + len(data)
        if stream is not None:
            out.append(stream.flush(zlib.Z_FULL_FLUSH))
        out += (LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)


def record_parts(record: ArcWarcRecord) -> list[tuple[bytes, bool]]:
    """A record's bytes (``record_bytes``) for ``GzipMembers.member``: its payload stored when
    it is compressed data already, by its Content-Encoding or its media type."""
    head, block, end = record_pieces(record)
    stored = _compressed(record) and len(block) >= MIN_STORED
    return [(head, False), (block, stored), (end, stored)]  # one switch of stream at most


def _compressed(record: ArcWarcRecord) -> bool:
    http = record.http_headers
    if http is None or record.rec_type != "response":
        return False
    encoding = (http.get_header("Content-Encoding") or "").strip().lower()
    mime = (http.get_header("Content-Type") or "").strip().lower()
    return encoding in COMPRESSED_ENCODINGS or mime.startswith(COMPRESSED_TYPES)


def repair(path: Path | str) -> Path | None:
    """Cut an unclosed ``*.warc.gz.open`` file after its last whole record and close it.

    A record is whole when its gzip member is complete (each record is one member, finished
    only after all its bytes). Returns the closed file's path, or None when not even the
    warcinfo record was whole and the file was removed.
    """
    path = Path(path)
    with open(path, "r+b") as fh:
        end = _end_of_whole_members(fh)
        fh.truncate(end)
    if end == 0:
        path.unlink()
        return None
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    os.replace(path, final)
    logger.info("repaired %s: kept %d bytes", final, end)
    return final


def _end_of_whole_members(fh: BinaryIO) -> int:
    """Offset just past the last complete gzip member from the start of ``fh``."""
    end = position = 0
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    while chunk := fh.read(REPAIR_CHUNK):
        data = chunk
        while data:
            try:
                member.decompress(data, REPAIR_CHUNK)  # output unused: only completeness counts
            except zlib.error:
                return end
            if member.eof:
                position += len(data) - len(member.unused_data)
                end = position
                data = member.unused_data
                member = zlib.decompressobj(zlib.MAX_WBITS | 16)
            else:
                position += len(data) - len(member.unconsumed_tail)
                data = member.unconsumed_tail
    return end
