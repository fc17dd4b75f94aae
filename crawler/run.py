"""Run the ``reports`` spider over a registry in this process, with nianbao's settings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from settings.registry import crawl_entries


def project_settings(data_dir: str | Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """nianbao's settings module, pointed at ``data_dir``, with ``overrides`` on top."""
    settings = Settings()
    settings.setmodule("settings", priority="project")
    settings.set("NIANBAO_DATA_DIR", str(data_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(
    sources: str | Path,
    data_dir: str | Path,
    source: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl every entry of the registry ``sources`` (or only ``source``; of the shard
    ``NIANBAO_SHARD`` when set); return Scrapy's stats.

    The registry and shard are validated before anything is fetched, so a malformed entry
    fails fast with ``settings.registry.RegistryError``. Blocks until the crawl is finished.
    """
    settings = project_settings(data_dir, overrides)
    crawl_entries(sources, source, settings.get("NIANBAO_SHARD"))
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("reports")
    kwargs = {"sources": str(sources)}
    if source is not None:
        kwargs["source"] = source
    process.crawl(crawler, **kwargs)
    process.start()
    return dict(crawler.stats.get_stats())
