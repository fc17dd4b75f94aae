"""A WACZ package (WACZ 1.1.1) of WARC files: the files, a CDXJ index, a page list, a datapackage.

Layout, as py-wacz writes it and ``wacz validate`` checks it:

- ``archive/<name>.warc.gz`` — the WARC files, stored (they are gzip already);
- ``indexes/index.cdx.gz`` + ``indexes/index.idx`` — the CDXJ lines of ``archive.cdxj``,
  sorted, in gzip blocks of ``INDEX_BLOCK_LINES`` lines with a secondary index of the blocks
  (cdxj-indexer's ``CompressedWriter``, the ZipNum layout pywb and ReplayWeb.page read);
- ``pages/pages.jsonl`` — a header line, then one ``{id, url, ts, title}`` per page;
- ``datapackage.json`` — every file above with its size and sha256, and
  ``datapackage-digest.json`` — the sha256 of ``datapackage.json``.

The package is written beside its path and renamed when complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from cdxj_indexer.main import CompressedWriter

from archive.cdxj import IndexEntry, cdxj_line

WACZ_VERSION = "1.1.1"
INDEX_BLOCK_LINES = 1024  # lines per gzip block of the index, as py-wacz and archiveweb.page use
COPY_CHUNK = 1 << 20
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Documents"}


def write_wacz(
    path: str | Path,
    warc_paths: Iterable[Path],
    entries: Iterable[IndexEntry],
    pages: Iterable[dict],
    *,
    title: str,
    description: str = "",
) -> Path:
    """Write the WACZ at ``path``: the WARC files, the index of ``entries`` (responses and
    revisits; failures have no place in a replay index) and ``pages`` (dicts with at least
    ``url`` and ``ts``)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    resources: list[dict] = []
    with zipfile.ZipFile(partial, "w") as wacz:
        for warc in warc_paths:
            resources.append(_write_file(wacz, warc, f"archive/{warc.name}"))
        cdx, idx = _index(entries)
        resources.append(_write_bytes(wacz, "indexes/index.cdx.gz", cdx, zipfile.ZIP_STORED))
        resources.append(_write_bytes(wacz, "indexes/index.idx", idx, zipfile.ZIP_DEFLATED))
        lines = [PAGES_HEADER, *pages]
        pages_jsonl = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
        resources.append(_write_bytes(wacz, "pages/pages.jsonl", pages_jsonl, zipfile.ZIP_DEFLATED))
        package = {
            "profile": "data-package",
            "resources": resources,
            "title": title,
            **({"description": description} if description else {}),
            "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wacz_version": WACZ_VERSION,
            "software": f"nianbao {version('nianbao')}",
        }
        package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        wacz.writestr(_info("datapackage.json", zipfile.ZIP_DEFLATED), package_bytes)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
        wacz.writestr(_info("datapackage-digest.json", zipfile.ZIP_DEFLATED), json.dumps(digest, indent=2))
    os.replace(partial, path)
    return path


def _index(entries: Iterable[IndexEntry]) -> tuple[bytes, bytes]:
    """The sorted CDXJ lines in gzip blocks (``index.cdx.gz``) and the block index (``index.idx``)."""
    lines = sorted({cdxj_line(entry) for entry in entries if not entry.is_failure})
    blocks, block_index = io.BytesIO(), io.StringIO()
    writer = CompressedWriter(
        block_index, data_out=blocks, num_lines=INDEX_BLOCK_LINES, data_out_name="index.cdx.gz", digest_records=True
    )
    for line in lines:
        writer.write(line)
    if writer.block:  # the last, partial block (a full one is written as it fills)
        writer.flush()
    return blocks.getvalue(), block_index.getvalue().encode("utf-8")


def _resource(name: str, digest: str, size: int) -> dict:
    return {"name": Path(name).name.lower(), "path": name, "hash": f"sha256:{digest}", "bytes": size}


def _info(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = compression
    return info


def _write_bytes(wacz: zipfile.ZipFile, name: str, data: bytes, compression: int) -> dict:
    wacz.writestr(_info(name, compression), data)
    return _resource(name, hashlib.sha256(data).hexdigest(), len(data))


def _write_file(wacz: zipfile.ZipFile, source: Path, name: str) -> dict:
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, wacz.open(_info(name, zipfile.ZIP_STORED), "w", force_zip64=True) as out:
        while chunk := src.read(COPY_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return _resource(name, digest.hexdigest(), size)
