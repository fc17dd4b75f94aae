"""Measuring a child process and reading what it captured.

CPU is the child's own (``os.wait4``: user + system time of that process and its threads), so
the sample web serving it, in another process, is never counted. Pages are HTTP responses
read back from the WARC files the crawler wrote; coverage is the share of the manifest's live
document pages among them with status 200.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from bench.results import BenchError

LIST_ROLES = ("column", "list")  # request.meta["role"] of the pages that list documents
READY = "ready"  # what a server child prints (then what it has to say) once it serves


@dataclass(frozen=True)
class ChildRun:
    """Wall seconds from start to exit, CPU seconds of the child, and its exit code."""

    wall_s: float
    cpu_s: float
    returncode: int


def run_child(command: Sequence[str], log: Path) -> ChildRun:
    """Run ``command`` to completion with its output in ``log``; measure it."""
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(list(command), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)  # reaped here, with its resource usage
        wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait for it again
    return ChildRun(wall, usage.ru_utime + usage.ru_stime, process.returncode)


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy so far, all cores together (Linux
    ``/proc/stat``): over an interval, how much of the machine every process took, ours and
    anyone else's."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user … steal; guest time is in user


def start_server(command: Sequence[str], what: str) -> tuple[subprocess.Popen, str]:
    """Start a server child (``bench.web``, ``bench.bigsite``); wait until it says ``READY``.
    Returns the process and the rest of that line. Closing its standard input stops it."""
    process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    said, _, rest = process.stdout.readline().strip().partition(" ")
    if said != READY:
        stop_server(process)
        raise BenchError(f"{what} did not start (said {said!r}); command: {' '.join(command)}")
    return process, rest


def stop_server(process: subprocess.Popen) -> None:
    """Close a server child's standard input and wait for it (kill it if it hangs)."""
    process.stdin.close()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_tail(log: Path, lines: int = 15) -> str:
    """The last ``lines`` of a child's log, for an error message (the work directory goes away)."""
    text = log.read_text("utf-8", errors="replace") if log.is_file() else ""
    return "\n".join(text.splitlines()[-lines:])


def warc_paths(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.warc.gz"))


def responses(paths: Iterable[Path]) -> list[tuple[str, int | None]]:
    """(target URI, HTTP status) of every ``response`` record in ``paths``."""
    found = []
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    status = record.http_headers.get_statuscode() if record.http_headers else None
                    found.append((record.rec_headers.get_header("WARC-Target-URI"), int(status) if status else None))
    return found


def list_pages(paths: Iterable[Path]) -> list[str]:
    """The column and list pages a ``reports`` crawl fetched by GET, in crawl order (from the
    provenance of its metadata records): what a link-following peer cannot find by itself when
    the pager is a script."""
    from archive.records import read_provenance

    pages: dict[str, None] = {}
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "metadata":
                    provenance = read_provenance(record)
                    if provenance.get("role") in LIST_ROLES and provenance.get("method") == "GET":
                        pages.setdefault(record.rec_headers.get_header("WARC-Target-URI"))
    return list(pages)


def coverage(captured: Iterable[tuple[str, int | None]], wanted: set[str]) -> float:
    """Share of ``wanted`` URLs captured with status 200."""
    ok = {url for url, status in captured if status == 200}
    return len(wanted & ok) / len(wanted) if wanted else 1.0
