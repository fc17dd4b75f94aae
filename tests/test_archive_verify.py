from __future__ import annotations

import gzip
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from datadir import add_revisit, build_data_dir

from archive.verify import Verifier
from nianbao.cli import main

DOCUMENTS_WARC = "nianbao-20260101000000-00001.warc.gz"


@pytest.fixture
def data(tmp_path):
    return build_data_dir(tmp_path / "data")


def problems(data) -> list[str]:
    return [str(problem) for problem in Verifier(data.root).problems()]


def last_capture(data) -> dict:
    """The last response record of the documents' WARC file (only its request record follows)."""
    return [row for row in data.captures if row["warc_file"] == DOCUMENTS_WARC][-1]


def set_capture(data, record_id: str, **values) -> None:
    db = sqlite3.connect(data.catalog)
    for column, value in values.items():
        db.execute(f"update captures set {column} = ? where record_id = ?", (value, record_id))
    db.commit()


def test_a_sound_data_directory_has_no_problems(data):
    verifier = Verifier(data.root)
    assert list(verifier.problems()) == []
    assert (verifier.captures_checked, verifier.files_checked, verifier.good_records) == (4, 2, 8)


def test_revisits_pass_and_their_digest_is_checked_against_the_row(data):
    revisit = add_revisit(data, "pingtan-2020", not_modified=False)
    add_revisit(data, "pingtan-letter", not_modified=True)
    assert problems(data) == []
    set_capture(data, revisit, payload_digest="sha1:BBBB", record_type="response")
    found = problems(data)
    assert any("record is a revisit, catalog says response" in p for p in found)
    assert any("catalog says sha1:BBBB" in p for p in found)


def test_missing_file(data):
    (data.warc_dir / DOCUMENTS_WARC).unlink()
    assert problems(data) == [f"{DOCUMENTS_WARC}: WARC file missing; 3 captures point into it"]


def test_wrong_offsets(data):
    row, other = last_capture(data), data.captures[1]
    set_capture(data, row["record_id"], offset=other["offset"])
    assert problems(data) == [
        f"{DOCUMENTS_WARC}@{other['offset']}: offset holds record {other['record_id']}, "
        f"not this capture ({row['record_id']})"
    ]
    set_capture(data, row["record_id"], offset=row["offset"] + 1)  # inside a gzip member
    (problem,) = problems(data)
    assert problem.startswith(f"{DOCUMENTS_WARC}@{row['offset'] + 1}: no readable record at offset")


def test_wrong_length_and_digest_in_the_catalog(data):
    row = last_capture(data)
    set_capture(data, row["record_id"], length=row["length"] + 7, payload_digest="sha1:AAAA")
    found = problems(data)
    where = f"{DOCUMENTS_WARC}@{row['offset']}"
    assert f"{where}: WARC-Payload-Digest is {row['payload_digest']}, catalog says sha1:AAAA ({row['record_id']})" in found
    assert f"{where}: record is {row['length']} bytes long, catalog says {row['length'] + 7} ({row['record_id']})" in found
    assert len(found) == 3  # and the recomputed digest differs from the catalog's


def test_corrupted_payload_in_a_copy(data):
    """One payload byte flipped in a copy of the file, the record's gzip member rewritten whole."""
    row = last_capture(data)
    original = data.warc_dir / DOCUMENTS_WARC
    copy = data.warc_dir / "copy.warc.gz"
    raw = original.read_bytes()
    start, end = row["offset"], row["offset"] + row["length"]
    member = bytearray(gzip.decompress(raw[start:end]))
    member[member.rindex(b"</p>") - 1] ^= 0x01
    copy.write_bytes(raw[:start] + gzip.compress(bytes(member), mtime=0) + raw[end:])
    original.unlink()
    set_capture(data, row["record_id"], warc_file=copy.name)
    found = problems(data)
    where = f"copy.warc.gz@{row['offset']}"
    assert any(p.startswith(f"{where}: payload digest recomputed as ") and row["payload_digest"] in p for p in found)
    assert f"{where}: payload digest failed {row['payload_digest']} ({row['record_id']})" in found  # warcio's check
    assert all(p.startswith(("copy.warc.gz", DOCUMENTS_WARC)) for p in found)


def test_flipped_compressed_byte_makes_the_rest_of_the_file_unreadable(data):
    path = data.warc_dir / DOCUMENTS_WARC
    raw = bytearray(path.read_bytes())
    second = data.captures[2]["offset"]  # the traditional page's record
    raw[second + 40] ^= 0xFF
    path.write_bytes(bytes(raw))
    found = problems(data)
    assert any(p.startswith(f"{DOCUMENTS_WARC}@{second}: no readable record at offset") for p in found)
    assert any(": unreadable from here on: " in p for p in found)


@pytest.mark.parametrize("cut", [5, 300])
def test_truncated_file(data, cut):
    path = data.warc_dir / DOCUMENTS_WARC
    raw = path.read_bytes()
    path.write_bytes(raw[:-cut])
    found = problems(data)
    assert len(found) == 1
    assert "gzip member is truncated" in found[0] or "bytes after the last whole record" in found[0]


def test_truncated_inside_a_captured_record(data):
    row = last_capture(data)
    path = data.warc_dir / DOCUMENTS_WARC
    path.write_bytes(path.read_bytes()[: row["offset"] + row["length"] // 2])
    found = problems(data)
    assert f"{DOCUMENTS_WARC}@{row['offset']}: no record at this offset (the file ends before it) ({row['record_id']})" in found
    assert any(f"{DOCUMENTS_WARC}@{row['offset']}: " in p and "after the last whole record" in p for p in found)


def test_open_file_is_reported(data):
    shutil.copy(data.warc_dir / DOCUMENTS_WARC, data.warc_dir / "next.warc.gz.open")
    assert problems(data) == ["next.warc.gz.open: WARC file still open: a crawl is running, or crashed and needs repair"]


def test_verify_command_exit_status(data):
    runner = CliRunner()
    result = runner.invoke(main, ["verify", "--data", str(data.root)])
    assert result.exit_code == 0, result.output
    assert "4 captures, 2 WARC files (8 good records): no problems" in result.output
    (data.warc_dir / DOCUMENTS_WARC).unlink()
    result = runner.invoke(main, ["verify", "--data", str(data.root)])
    assert result.exit_code == 1
    assert f"{DOCUMENTS_WARC}: WARC file missing; 3 captures point into it" in result.output


def test_stray_bytes_that_read_as_an_arc_record(data):
    """warcio reads a five-word first line as an ARC header; at a capture's offset it is no record."""
    row = last_capture(data)
    path = data.warc_dir / DOCUMENTS_WARC
    with open(path, "ab") as handle:
        offset = handle.tell()
        handle.write(b"\x8b\x08 a b c d\nstray\n\n")
    set_capture(data, row["record_id"], offset=offset)
    found = problems(data)
    assert any(p.startswith(f"{DOCUMENTS_WARC}@{offset}: no readable record at offset") for p in found)
    assert not any("offset holds record None" in p for p in found)
