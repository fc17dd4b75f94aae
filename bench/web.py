"""The sample web in its own process, so its CPU is never counted as the crawler's.

``WebProcess(copies, latency)`` starts ``python -m bench.web``, which serves ``copies``
instances of ``sampleweb.server.SampleWeb`` on free ports (the same addresses, one port per
copy: one host to a crawler's per-host politeness, ``copies`` times the pages) and writes
what the benchmarks need to know about them: each copy's sites and registry entries, and
the manifest of the first copy (the others publish the same documents at their own origin).
With ``distinct_hosts``, copy k is served on 127.k.0.x instead: ``copies`` × 6 in-scope hosts.
Closing the server's standard input stops it, so it never outlives the benchmark.

The server logs every request it answers (``WebProcess.served``): the host address, when
the request arrived and when its answer was due (arrival + handling + the delay it imposed),
on the monotonic clock all processes of the machine share. That is politeness as a host sees
it, whatever the crawler believes it did.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from bench.measure import READY, start_server, stop_server
from sampleweb.server import SampleWeb
from sampleweb.wire import Request, Response

REQUEST_LOG = "requests.tsv"  # one line per request answered: host, arrival, answer due


@dataclass(frozen=True)
class Served:
    """One request as the server saw it (monotonic seconds)."""

    host: str
    arrived: float
    due: float


@dataclass(frozen=True)
class Copy:
    """One served instance of the sample web."""

    index: int
    sites: list[dict]
    registry: list[dict]

    def site(self, name: str) -> dict:
        return next(site for site in self.sites if site["name"] == name)


class WebProcess:
    """The sample web served by a child process, as a context manager."""

    def __init__(self, copies: int = 1, latency: float = 0.0, night: int = 0, distinct_hosts: bool = False) -> None:
        self.copies_wanted, self.latency, self.night, self.distinct_hosts = copies, latency, night, distinct_hosts
        self.copies: list[Copy] = []
        self.manifest: dict = {}
        self._process: subprocess.Popen | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="nianbao-bench-web-")

    def __enter__(self) -> WebProcess:
        info_path = Path(self._tmp.name) / "web.json"
        command = [sys.executable, "-m", "bench.web", "--copies", str(self.copies_wanted),
                   "--latency", str(self.latency), "--night", str(self.night), "--info", str(info_path)]
        if self.distinct_hosts:
            command.append("--distinct-hosts")
        self._process, _ = start_server(command, "the sample web")
        info = json.loads(info_path.read_text("utf-8"))
        self.copies = [Copy(i, c["sites"], c["registry"]) for i, c in enumerate(info["copies"])]
        self.manifest = info["manifest"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            stop_server(self._process)
            self._process = None
        self._tmp.cleanup()

    def registry(self, site: str | None = None, copies: int | None = None) -> list[dict]:
        """Registry entries of every copy (or the first ``copies``; of ``site`` only, if given),
        named apart by copy."""
        entries = []
        for copy in self.copies[:copies]:
            for entry in copy.registry:
                if site is None or entry["name"] == site:
                    name = entry["name"] if len(self.copies) == 1 else f"{entry['name']}-{copy.index}"
                    entries.append({**entry, "name": name})
        return entries

    def write_registry(self, path: Path, site: str | None = None, copies: int | None = None) -> Path:
        entries = self.registry(site, copies)
        path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def live_urls(self, site: str | None = None) -> set[str]:
        """The live document pages robots.txt allows, of ``site`` (default: every in-scope site)
        in every copy: the manifest's, at each copy's origin."""
        sites = [site] if site else [s["name"] for s in self.copies[0].sites if s["in_scope"]]
        found = set()
        for name in sites:
            origin = self.copies[0].site(name)["root"].rstrip("/")
            urls = {doc["url"] for doc in self.manifest["documents"]
                    if doc["site"] == name and doc["status"] == "live" and doc["robots"] == "allowed"}
            found |= {url.replace(origin, copy.site(name)["root"].rstrip("/"), 1) for copy in self.copies for url in urls}
        return found

    def served(self, since: float = 0.0) -> list[Served]:
        """The requests answered so far that arrived at ``since`` (``time.monotonic()``) or later."""
        lines = (Path(self._tmp.name) / REQUEST_LOG).read_text("utf-8").splitlines()
        found = [Served(host, float(arrived), float(due)) for host, arrived, due in (line.split("\t") for line in lines)]
        return [request for request in found if request.arrived >= since]

    def cpu_s(self) -> float:
        """CPU seconds the server process has used so far (Linux ``/proc``)."""
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


class LoggedSampleWeb(SampleWeb):
    """A ``SampleWeb`` writing each request it answers to ``log`` (see ``Served``); ``lock`` is
    shared by every instance writing to the same log."""

    def __init__(self, log: TextIO, lock: threading.Lock, **options: object) -> None:
        super().__init__(**options)
        self.log, self.log_lock = log, lock
        self.addresses: dict[str, str] = {}

    def start(self) -> None:
        super().start()
        self.addresses = {site["name"]: site["address"] for site in self.sites}

    def handle(self, site: str, request: Request) -> Response:
        arrived = time.monotonic()
        response = super().handle(site, request)
        due = time.monotonic() + self.latency + response.delay  # the handler sleeps that long
        with self.log_lock:
            self.log.write(f"{self.addresses[site]}\t{arrived:.6f}\t{due:.6f}\n")
        return response


def serve(copies: int, latency: float, night: int, info: Path, distinct_hosts: bool = False) -> None:
    """Serve until standard input closes; write the copies' description to ``info`` first.

    The servers are left running when it returns: the process exits then, which ends their
    daemon threads at once, where shutting down 8 servers per copy one by one takes seconds.
    """
    lock = threading.Lock()
    with (info.parent / REQUEST_LOG).open("w", encoding="utf-8", buffering=1) as log:
        webs = [LoggedSampleWeb(log, lock, night=night, port=0, latency=latency, subnet=k if distinct_hosts else 0)
                for k in range(copies)]
        for web in webs:
            web.start()
        described = {"copies": [{"sites": web.sites, "registry": web.registry()} for web in webs],
                     "manifest": webs[0].manifest()}
        info.write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")
        print(READY, flush=True)
        sys.stdin.read()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve copies of the sample web for the benchmarks.")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--night", type=int, default=0)
    parser.add_argument("--info", type=Path, required=True)
    parser.add_argument("--distinct-hosts", action="store_true", help="copy k on 127.k.0.x")
    args = parser.parse_args(argv)
    serve(args.copies, args.latency, args.night, args.info, args.distinct_hosts)


if __name__ == "__main__":
    main()
