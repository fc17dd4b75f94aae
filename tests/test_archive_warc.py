"""Rotating WARC files, the writer thread and repair, on real files read back with warcio."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.records import Exchange, HttpRequest, HttpResponse, new_record_id
from archive.warc import OPEN_SUFFIX, BackgroundWriter, RotatingWarcWriter, repair

NAME = re.compile(r"^nianbao-\d{17}-(\d{5})-[0-9a-f]{6}\.warc\.gz$")
REPO = Path(__file__).resolve().parent.parent


def exchange(n: int, body: bytes = b"<p>report</p>" * 50, headers=None) -> Exchange:
    return Exchange(
        url=f"http://example.gov.cn/nb/{n}.html",
        method="GET",
        date=datetime.now(timezone.utc),
        ids=(new_record_id(), new_record_id(), new_record_id()),
        provenance={"source": "example", "depth": n},
        request=HttpRequest(b"GET /nb/%d.html HTTP/1.1\r\nHost: example.gov.cn\r\n\r\n" % n),
        response=HttpResponse(
            "HTTP/1.1", 200, headers or [(b"Content-Type", b"text/html")], body, "192.0.2.1"
        ),
    )


def warcio_check(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warcio.cli", "check", *paths],
                          capture_output=True, text=True)


def read_all(path: Path) -> list[tuple[str, str, int]]:
    """(type, url, offset) of every record, each read to its end."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            rec.content_stream().read()
            out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"),
                        it.get_record_offset()))
    return out


def written(tmp_path: Path, count: int, **kwargs) -> tuple[RotatingWarcWriter, list]:
    writer = RotatingWarcWriter(tmp_path, info=[("software", "test")], **kwargs)
    captures = [writer.write_exchange(exchange(n)) for n in range(count)]
    return writer, captures


def test_open_file_is_renamed_on_close(tmp_path: Path) -> None:
    writer, _ = written(tmp_path, 2)
    (open_file,) = tmp_path.iterdir()
    assert open_file.name.endswith(".warc.gz" + OPEN_SUFFIX)
    writer.close()
    (closed,) = tmp_path.iterdir()
    assert NAME.match(closed.name) and writer.closed_files == [closed]
    assert warcio_check(closed).returncode == 0


def test_rotation_by_size_keeps_exchanges_whole(tmp_path: Path) -> None:
    writer, captures = written(tmp_path, 12, max_size=4000)
    writer.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) > 3
    assert [NAME.match(f.name).group(1) for f in files] == [f"{i:05d}" for i in range(len(files))]
    assert warcio_check(*files).returncode == 0
    for path in files:
        records = read_all(path)
        assert records[0][0] == "warcinfo"
        kinds = [kind for kind, _, _ in records[1:]]
        assert kinds == ["request", "response", "metadata"] * (len(kinds) // 3)
        assert path.stat().st_size < 4000 + 3000  # rotated after the exchange that crossed it
    assert {c.warc_file for c in captures} == {f.name for f in files}


def test_capture_offsets_read_back(tmp_path: Path) -> None:
    writer, captures = written(tmp_path, 5, max_size=3000)
    writer.close()
    for n, capture in enumerate(captures):
        with open(tmp_path / capture.warc_file, "rb") as fh:
            fh.seek(capture.offset)
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers.get_header("WARC-Record-ID") == capture.record_id
            assert capture.url == f"http://example.gov.cn/nb/{n}.html"
            assert fh.tell() - capture.offset >= capture.length


def whole_copy(tmp_path: Path, count: int) -> tuple[Path, list[int]]:
    """A closed file of ``count`` exchanges and the offsets where its records end."""
    writer, _ = written(tmp_path / "src", count)
    writer.close()
    (path,) = writer.closed_files
    records = read_all(path)
    ends = [offset for _, _, offset in records[1:]] + [path.stat().st_size]
    return path, ends


@pytest.mark.parametrize("cut", ["mid-record", "boundary", "inside-warcinfo", "garbage-tail"])
def test_repair_keeps_only_whole_records(tmp_path: Path, cut: str) -> None:
    source, ends = whole_copy(tmp_path, 3)
    data = source.read_bytes()
    damaged = {
        "mid-record": data[: ends[-2] + (ends[-1] - ends[-2]) // 2],
        "boundary": data[: ends[-2]],
        "inside-warcinfo": data[: ends[0] // 2],
        "garbage-tail": data + b"\x1f\x8b\x08\x00garbage",
    }[cut]
    path = tmp_path / (source.name + OPEN_SUFFIX)
    path.write_bytes(damaged)
    repaired = repair(path)
    assert not path.exists()
    if cut == "inside-warcinfo":
        assert repaired is None and not list(tmp_path.glob("*.warc.gz"))
        return
    assert repaired == tmp_path / source.name
    assert warcio_check(repaired).returncode == 0
    expected = {"mid-record": ends[-2], "boundary": ends[-2], "garbage-tail": len(data)}[cut]
    assert repaired.read_bytes() == data[:expected]
    assert len(read_all(repaired)) == ends.index(expected) + 1


KILL_SCRIPT = """
import os, sys
from archive.warc import RotatingWarcWriter
from test_archive_warc import exchange
writer = RotatingWarcWriter(sys.argv[1])
body = os.urandom(4_000_000)  # incompressible: every record takes a while to write
writer.write_exchange(exchange(0))
print("ready", flush=True)
n = 1
while True:
    writer.write_exchange(exchange(n, body))
    n += 1
"""


def test_repair_after_sigkill_mid_write(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tmp_path)],
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "ready"
    (open_file,) = tmp_path.iterdir()
    size = open_file.stat().st_size
    while proc.poll() is None and open_file.stat().st_size < size + 6_000_000:
        pass  # wait until the writer is well inside its second big record
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    repaired = repair(open_file)
    assert warcio_check(repaired).returncode == 0
    kinds = [kind for kind, _, _ in read_all(repaired)]
    assert kinds[:7] == ["warcinfo", *["request", "response", "metadata"] * 2]
    assert repaired.stat().st_size > size + 4_000_000


def test_failed_write_is_cut_back_and_writing_goes_on(tmp_path: Path) -> None:
    """A write refused by the OS (file size limit, as on a full disk) mid-record."""
    script = """
import os, resource, signal, sys
from archive.warc import RotatingWarcWriter
from test_archive_warc import exchange
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
writer = RotatingWarcWriter(sys.argv[1])
writer.write_exchange(exchange(0))
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, hard))
try:
    writer.write_exchange(exchange(1, os.urandom(100_000)))
except OSError as exc:
    print("refused", exc.errno)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
writer.write_exchange(exchange(2))
writer.close()
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("refused")
    (path,) = tmp_path.iterdir()
    assert warcio_check(path).returncode == 0
    urls = {url for kind, url, _ in read_all(path) if kind == "response"}
    assert urls == {"http://example.gov.cn/nb/0.html", "http://example.gov.cn/nb/2.html"}


def test_background_writer_delivers_in_order_and_survives_a_bad_exchange(tmp_path: Path) -> None:
    delivered: list = []
    threads: set[str] = set()

    def deliver(func, *args):
        threads.add(threading.current_thread().name)
        func(*args)

    background = BackgroundWriter(
        RotatingWarcWriter(tmp_path),
        deliver=deliver,
        on_written=lambda capture: delivered.append(capture.url),
        on_error=lambda ex, exc: delivered.append(("error", ex.url, type(exc).__name__)),
        queue_size=2,
    )
    bad = exchange(1, headers=[("Content-Type", "text/html")])  # str, not bytes
    for ex in (exchange(0), bad, exchange(2)):
        background.submit(ex)
    background.close()
    assert delivered == [
        "http://example.gov.cn/nb/0.html",
        ("error", "http://example.gov.cn/nb/1.html", "TypeError"),
        "http://example.gov.cn/nb/2.html",
    ]
    assert threads == {"nianbao-warc"}
    (path,) = tmp_path.iterdir()
    assert not path.name.endswith(OPEN_SUFFIX)
    assert warcio_check(path).returncode == 0


def test_live_capture_equals_the_one_read_back_from_the_file(tmp_path: Path) -> None:
    from dataclasses import replace

    from archive.records import capture_from_records, read_provenance

    writer = RotatingWarcWriter(tmp_path)
    failed = Exchange(
        url="http://example.gov.cn/gone", method="GET", date=datetime.now(timezone.utc),
        ids=(new_record_id(), new_record_id(), new_record_id()),
        provenance={"source": "example", "role": "detail"},
        error="twisted.internet.error.ConnectionLost: lost\n  mid-answer",
    )
    live = [writer.write_exchange(exchange(0)), writer.write_exchange(failed)]
    writer.close()
    (path,) = writer.closed_files
    seen = []  # (record, fields, offset, length): captures need only parsed headers
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            fields = read_provenance(rec) if rec.rec_type == "metadata" else {}
            it.read_to_end(rec)
            seen.append((rec, fields, it.get_record_offset(), it.get_record_length()))
    read = []
    for i, (rec, fields, offset, length) in enumerate(seen):
        if rec.rec_type == "response":
            fields = seen[i + 1][1]  # its metadata record follows it
        elif "error" not in fields:
            continue
        read.append(capture_from_records(rec, fields, warc_file=path.name,
                                         offset=offset, length=length))
    assert [replace(c, concurrent_ids=()) for c in live] == read
    assert live[1].error == "twisted.internet.error.ConnectionLost: lost mid-answer"


def test_every_member_decodes_alone_and_compressed_payloads_are_stored(tmp_path: Path) -> None:
    """The writer's compression streams live across records: a member read from its offset
    with a fresh decoder (as a replay by offset reads it) must give exactly its record."""
    import gzip
    import random
    import zlib

    from archive.records import exchange_records, record_bytes

    gzipped = zlib.compress(random.Random(0).randbytes(3000), 9, wbits=31)
    exchanges = [
        exchange(0, b"<p>report</p>" * 400),
        exchange(1, gzipped, [(b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip")]),
        exchange(2, gzipped[:1000], [(b"Content-Type", b"image/png")]),
        exchange(3, b"<p>report</p>" * 400),  # the same page: must not refer back to exchange 0
    ]
    writer = RotatingWarcWriter(tmp_path)
    captures = [writer.write_exchange(ex) for ex in exchanges]
    writer.close()
    records = [[record_bytes(r) for r in exchange_records(ex, "")] for ex in exchanges]
    (path,) = writer.closed_files
    data = path.read_bytes()
    members = [data[c.offset : c.offset + c.length] for c in captures]
    for member, (_, response, _) in zip(members, records):
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        block = decoder.decompress(member)
        assert decoder.eof and not decoder.unused_data
        assert block.split(b"\r\n", 3)[1:3] == response.split(b"\r\n", 3)[1:3]  # type and id
        assert block.partition(b"\r\n\r\n")[2] == response.partition(b"\r\n\r\n")[2]
    assert len(members[0]) < len(records[0][1]) // 5  # a plain page is deflated
    assert gzipped in members[1] and len(members[1]) < len(records[1][1])  # payload stored, head deflated
    assert gzipped[:1000] in members[2]  # a compressed media type is stored too
    assert len(members[3]) > len(members[0]) - 20  # the same page again, deflated alone
    assert gzip.decompress(data).count(b"WARC/1.1\r\n") == 1 + 3 * len(exchanges)
    assert warcio_check(path).returncode == 0


def test_background_writer_hands_over_full_batches_and_flushed_ones(tmp_path: Path) -> None:
    delivered: list[str] = []
    arrived = threading.Condition()

    def on_written(capture) -> None:
        with arrived:
            delivered.append(capture.url)
            arrived.notify_all()

    def wait_for(count: int) -> list[str]:
        with arrived:
            assert arrived.wait_for(lambda: len(delivered) >= count, timeout=30)
            return list(delivered)

    directory = tmp_path / "warc"
    background = BackgroundWriter(RotatingWarcWriter(directory), deliver=lambda f, *a: f(*a),
                                  on_written=on_written, on_error=None, batch_size=3)
    for n in range(2):
        background.submit(exchange(n))
    assert not directory.exists() and delivered == []  # nothing handed over: no file opened
    background.flush()
    assert wait_for(2) == [f"http://example.gov.cn/nb/{n}.html" for n in range(2)]
    for n in range(2, 5):  # a full batch goes at once
        background.submit(exchange(n))
    assert wait_for(5)[2:] == [f"http://example.gov.cn/nb/{n}.html" for n in range(2, 5)]
    background.submit(exchange(5))
    background.close()  # and what is left at the end
    assert delivered[5:] == ["http://example.gov.cn/nb/5.html"]
    (path,) = directory.iterdir()
    assert [url for kind, url, _ in read_all(path) if kind == "response"] == delivered


def test_a_member_abandoned_midway_leaves_the_next_one_whole() -> None:
    import zlib

    from archive.warc import GzipMembers

    def failing_parts():
        yield b"half of a record " * 50, False
        raise MemoryError("while building the payload")

    members = GzipMembers(1)
    with pytest.raises(MemoryError):
        members.member(failing_parts())
    data = b"WARC/1.1\r\nthe next record\r\n" * 20
    assert zlib.decompress(members.member([(data, False)]), zlib.MAX_WBITS | 16) == data
