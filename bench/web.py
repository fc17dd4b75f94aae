"""The sample web in its own process, so its CPU is never counted as the crawler's.

``WebProcess(copies, latency)`` starts ``python -m bench.web``, which serves ``copies``
instances of ``sampleweb.server.SampleWeb`` on free ports (the same addresses, one port per
copy: one host to a crawler's per-host politeness, ``copies`` times the pages) and writes
what the benchmarks need to know about them: each copy's sites and registry entries, and
the manifest of the first copy (the others publish the same documents at their own origin).
Closing the server's standard input stops it, so it never outlives the benchmark.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.results import BenchError

READY = "ready"


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

    def __init__(self, copies: int = 1, latency: float = 0.0, night: int = 0) -> None:
        self.copies_wanted, self.latency, self.night = copies, latency, night
        self.copies: list[Copy] = []
        self.manifest: dict = {}
        self._process: subprocess.Popen | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="nianbao-bench-web-")

    def __enter__(self) -> WebProcess:
        info_path = Path(self._tmp.name) / "web.json"
        command = [sys.executable, "-m", "bench.web", "--copies", str(self.copies_wanted),
                   "--latency", str(self.latency), "--night", str(self.night), "--info", str(info_path)]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self._process.stdout.readline().strip()
        if line != READY:
            self.__exit__()
            raise BenchError(f"the sample web did not start (said {line!r}); command: {' '.join(command)}")
        info = json.loads(info_path.read_text("utf-8"))
        self.copies = [Copy(i, c["sites"], c["registry"]) for i, c in enumerate(info["copies"])]
        self.manifest = info["manifest"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
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

    def live_urls(self, site: str) -> set[str]:
        """The live document pages of ``site`` in every copy (the manifest's, at each copy's origin)."""
        origin = self.copies[0].site(site)["root"].rstrip("/")
        urls = {doc["url"] for doc in self.manifest["documents"] if doc["site"] == site and doc["status"] == "live"}
        return {url.replace(origin, copy.site(site)["root"].rstrip("/"), 1) for copy in self.copies for url in urls}


def serve(copies: int, latency: float, night: int, info: Path) -> None:
    """Serve until standard input closes; write the copies' description to ``info`` first."""
    from sampleweb.server import SampleWeb

    with ExitStack() as stack:
        webs = [stack.enter_context(SampleWeb(night=night, port=0, latency=latency)) for _ in range(copies)]
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
    args = parser.parse_args(argv)
    serve(args.copies, args.latency, args.night, args.info)


if __name__ == "__main__":
    main()
