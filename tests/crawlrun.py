"""Run the ``reports`` spider in a child process and report what it did, as JSON.

Twisted's reactor cannot be restarted inside one test process, so tests call ``run_spider``,
which runs this file as a script. The child records every request that reached the
downloader (after the scope and robots middlewares: what really went on the wire), every
item (without its body) and the final stats.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run_spider(
    registry: str | Path, data_dir: Path, settings: dict[str, Any] | None = None, source: str | None = None,
    timeout: float = 240,
) -> dict[str, Any]:
    """Crawl ``registry`` with nianbao's settings plus ``settings``; return requests, items, stats."""
    out = data_dir / "crawlrun.json"
    command = [sys.executable, str(Path(__file__).resolve()), str(registry), str(data_dir), str(out),
               json.dumps(settings or {}), source or ""]
    # The repository first on the path: a script's own directory would shadow it.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0:
        raise AssertionError(f"crawl failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def main(registry: str, data_dir: str, out: str, overrides: str, source: str) -> None:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.run import project_settings

    requests: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []

    def reached(request, spider=None) -> None:
        meta = request.meta
        requests.append({"method": request.method, "url": request.url, "body": request.body.decode("utf-8", "replace"),
                         **{key: meta.get(key) for key in ("source", "role", "column", "parent_url")}})

    def scraped(item, response=None, spider=None) -> None:
        record = {key: value for key, value in vars(item).items() if key not in ("body", "headers", "extracted")}
        record["body_length"] = len(item.body)
        record["header_names"] = sorted(item.headers)
        items.append(record)

    process = CrawlerProcess(project_settings(data_dir, json.loads(overrides)))
    crawler = process.create_crawler("reports")
    crawler.signals.connect(reached, signal=signals.request_reached_downloader)
    crawler.signals.connect(scraped, signal=signals.item_scraped)
    kwargs = {"sources": registry, **({"source": source} if source else {})}
    process.crawl(crawler, **kwargs)
    process.start()
    stats = {key: value if isinstance(value, int | float | str) else str(value)
             for key, value in crawler.stats.get_stats().items()}
    Path(out).write_text(json.dumps({"requests": requests, "items": items, "stats": stats}, ensure_ascii=False),
                         encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:6])
