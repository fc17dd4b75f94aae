"""Nightly runs: the report of one run, kept in the WARC files and as a ``runs`` row.

A run's report is counted from the catalog rows of its captures (``captures.run_id``) once the
run is over, written into a WARC file of its own as a metadata record (``run_record``), and
read back from there into ``runs`` — by the nightly command and by a rebuild alike, so the
table is derived from the WARC files like every other.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils
from warcio.recordloader import ArcWarcRecord

from archive.records import RUN_FIELD, RUN_URI_PREFIX, new_record_id, run_record
from archive.warc import RotatingWarcWriter

RUN_DOCUMENTS_SQL = """
select d.version, d.doc_type, d.defaced,
       (select p.defaced from documents p where p.url = d.url and p.version = d.version - 1) as was_defaced
from documents d join captures c on c.record_id = d.id where c.run_id = ?
"""
RUN_CAPTURES_SQL = "select url, record_type, status, warc_file from captures where run_id = ? order by fetched_at, record_id"
# Pages that went from answering to gone during the run.
RUN_GONE_SQL = """
select count(*) from pages p
where p.gone_since is not null
  and exists (select 1 from captures c where c.url = p.url and c.fetched_at = p.gone_since and c.run_id = ?)
"""
REPORT_LINES = (
    ("new reports", "new_reports"), ("new documents", "new_documents"), ("changed", "changed"),
    ("gone", "gone"), ("defaced", "defaced"), ("cleaned", "cleaned"), ("errors", "errors"),
    ("captures", "captures"), ("revisits", "revisits"), ("WARC bytes", "bytes"),
)


def new_run_id(now: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ-xxxx``: sortable by start, unique."""
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def run_report(
    db: sqlite_utils.Database,
    warc_dir: Path,
    run_id: str,
    *,
    started: str,
    finished: str,
    finish_reason: str,
    sources: str,
    attempts: int = 1,
) -> dict[str, Any]:
    """What a run did, counted from the catalog (``pages`` and versions derived already)."""
    documents = db.execute(RUN_DOCUMENTS_SQL, [run_id]).fetchall()
    captures = db.execute(RUN_CAPTURES_SQL, [run_id]).fetchall()
    files = {warc_file for *_, warc_file in captures}
    return {
        "run_id": run_id,
        "started": started,
        "finished": finished,
        "finish_reason": finish_reason,
        "sources": sources,
        "attempts": attempts,
        "duration": round((_time(finished) - _time(started)).total_seconds(), 3),
        "new_reports": sum(v == 1 and kind == "annual_report" for v, kind, _, _ in documents),
        "new_documents": sum(v == 1 for v, *_ in documents),
        "changed": sum((v or 0) > 1 for v, *_ in documents),
        "gone": db.execute(RUN_GONE_SQL, [run_id]).fetchone()[0],
        "defaced": sum(bool(defaced) for _, _, defaced, _ in documents),
        "cleaned": sum((v or 0) > 1 and not defaced and bool(was) for v, _, defaced, was in documents),
        "failed_hosts": failed_hosts(captures),
        "errors": len(failed_urls(captures)),
        "captures": len(captures),
        "revisits": sum(record_type == "revisit" for _, record_type, _, _ in captures),
        "bytes": sum((warc_dir / name).stat().st_size for name in files if (warc_dir / name).is_file()),
    }


def failed(record_type: str, status: int | None) -> bool:
    return record_type == "failure" or status is None or status >= 500


def failed_urls(captures: list[tuple]) -> set[str]:
    """URLs whose last capture of the run failed (no answer, or a server error after retries)."""
    last = {url: failed(record_type, status) for url, record_type, status, _ in captures}
    return {url for url, bad in last.items() if bad}


def failed_hosts(captures: list[tuple]) -> list[str]:
    """Hosts that answered nothing but failures during the run."""
    total, bad = Counter(), Counter()
    for url, record_type, status, _ in captures:
        host = urlsplit(url).netloc
        total[host] += 1
        bad[host] += failed(record_type, status)
    return sorted(host for host in total if bad[host] == total[host])


def write_run_record(warc_dir: Path, report: dict[str, Any], prefix: str = "nianbao") -> str:
    """Write the report as a metadata record in a WARC file of its own; returns the file name."""
    writer = RotatingWarcWriter(
        warc_dir, prefix=prefix,
        info=[("software", f"nianbao/{version('nianbao')}"), (RUN_FIELD, report["run_id"])],
    )
    body = json.dumps(report, ensure_ascii=False, sort_keys=True).encode("utf-8")
    now = datetime.now(timezone.utc)
    try:
        name, _, _ = writer.write_record(
            lambda warcinfo_id: run_record(report["run_id"], body, record_id=new_record_id(), date=now,
                                           warcinfo_id=warcinfo_id)
        )
    finally:
        writer.close()
    return name


def read_run_record(record: ArcWarcRecord) -> dict[str, Any] | None:
    """The report a run record holds, or None for any other record."""
    if record.rec_type != "metadata" or not (record.rec_headers.get_header("WARC-Target-URI") or "").startswith(
        RUN_URI_PREFIX
    ):
        return None
    return json.loads(record.content_stream().read().decode("utf-8"))


def format_report(report: dict[str, Any]) -> str:
    """The report for a person: what changed, what failed, how long it took."""
    lines = [
        f"run {report['run_id']} ({report['sources']}): {report['finish_reason']}",
        f"  {report['started']} → {report['finished']} ({report['duration']:.1f} s"
        + (f", {report['attempts']} attempts)" if report.get("attempts", 1) > 1 else ")"),
    ]
    width = max(len(label) for label, _ in REPORT_LINES)
    lines += [f"  {label.ljust(width)}  {report[key]}" for label, key in REPORT_LINES]
    hosts = report.get("failed_hosts") or []
    lines.append(f"  {'failed hosts'.ljust(width)}  {', '.join(hosts) if hosts else 'none'}")
    return "\n".join(lines)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
