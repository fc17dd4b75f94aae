"""The ``nianbao`` command: thin wrappers over the packages below it."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="nianbao")
def main() -> None:
    """nianbao: archive of government information-disclosure annual reports (政府信息公开工作年度报告)."""


DATA_OPTION = click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Data directory: warc/, catalog.db and run state.",
)


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None):
    """``--as-of WHEN`` as an aware UTC datetime (archive.asof.parse_as_of)."""
    from archive.asof import AsOfError, parse_as_of

    if value is None:
        return None
    try:
        return parse_as_of(value)
    except AsOfError as exc:
        raise click.BadParameter(str(exc)) from exc


AS_OF_HELP = "A date (the end of that day, UTC) or an ISO-8601 timestamp (UTC unless it has an offset)."


def _distributed_options(command):
    """``--redis`` and ``--workers``: run the crawl as workers of a shared crawl in Redis."""
    command = click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
                           help="With --redis: worker processes to start on this machine.")(command)
    return click.option("--redis", "redis_url", default=None, metavar="redis://HOST:PORT/DB",
                        help="Crawl on the distributed engine: workers here and on other machines "
                             "share the crawl in this Redis (docs/distributed.md).")(command)


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--shard K/N`` checked (settings.registry.parse_shard)."""
    from settings.registry import RegistryError, parse_shard

    if value is None:
        return None
    try:
        parse_shard(value)
    except RegistryError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value.strip()


SHARD_OPTION = click.option(
    "--shard", default=None, metavar="K/N", callback=_shard,
    help="Crawl this machine's share K of N of the registry: entries grouped by host, so a host is "
         "crawled by one machine only; merge the machines' data directories with nianbao merge.")


def _check_distributed(redis_url: str | None, workers: int) -> None:
    if redis_url is None and workers != 1:
        raise click.UsageError("--workers goes with --redis")


def _run_workers(sources: str, data_dir: str, source: str | None, redis_url: str, workers: int,
                 overrides: dict | None = None) -> dict:
    """The distributed crawl (crawler.distributed.pool); how each worker ended goes to stderr."""
    from crawler.distributed.pool import run_workers

    outcome = run_workers(sources, data_dir, redis_url, workers, source, overrides)
    for worker, code in outcome.exits.items():
        died = " (died: its WARC files were indexed)" if worker in outcome.indexed else ""
        click.echo(f"worker {worker}: exit {code}{died}", err=True)
    reason = "finished" if outcome.finished else "stopped before the shared crawl finished (run again to resume)"
    return {"finish_reason": reason}


def _crawl_and_summarize(
    sources: str, data_dir: str, source: str | None, as_json: bool, replay: dict | None = None,
    redis_url: str | None = None, workers: int = 1, shard: str | None = None,
) -> dict:
    from pathlib import Path

    from archive.summary import format_summary, site_summary, summary_json
    from crawler.run import run_crawl
    from settings.registry import RegistryError

    started = "" if replay else _now()  # a replay's captures keep the dates they were made
    overrides = {**(replay or {}), **({"NIANBAO_SHARD": shard} if shard else {})}
    try:
        if redis_url:
            stats = _run_workers(sources, data_dir, source, redis_url, workers, overrides)
        else:
            stats = run_crawl(sources, data_dir, source=source, overrides=overrides)
    except (RegistryError, ValueError, ConnectionError) as exc:
        raise click.ClickException(str(exc)) from exc
    catalog = Path(data_dir) / "catalog.db"
    summary = site_summary(catalog, since=started) if catalog.exists() else []
    if as_json:
        click.echo(summary_json(summary))
        return stats
    click.echo(format_summary(summary))
    click.echo(f"finish reason: {stats.get('finish_reason')}")
    click.echo(f"WARC files: {Path(data_dir, 'warc').resolve()}")
    click.echo(f"catalog:    {catalog.resolve()}")
    return stats


@main.command()
@click.option("--sources", required=True, help="Registry: a bundled name (sample, real) or a YAML file.")
@click.option("--source", default=None, help="Crawl only the registry entry with this name.")
@DATA_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the per-site summary as JSON.")
@click.option("--replay", "replay_dir", default=None, type=click.Path(exists=True, file_okay=False),
              help="Crawl this data directory's WARC files instead of the web (docs/snapshots.md).")
@click.option("--as-of", "as_of", default=None, callback=_as_of, help="With --replay: captures at or before this. " + AS_OF_HELP)
@click.option("--strict", is_flag=True, help="With --replay: a request the archive cannot answer is an error, not fetched live.")
@_distributed_options
@SHARD_OPTION
def crawl(sources: str, source: str | None, data_dir: str, as_json: bool, replay_dir: str | None, as_of, strict: bool,
          redis_url: str | None, workers: int, shard: str | None) -> None:
    """Crawl the 年报 columns of every source in a registry into WARC and the catalog."""
    from crawler.replay import replay_settings

    if replay_dir is None and (as_of is not None or strict):
        raise click.UsageError("--as-of and --strict go with --replay")
    _check_distributed(redis_url, workers)
    if replay_dir and redis_url:
        raise click.UsageError("--replay crawls in one process: it does not go with --redis")
    replay = replay_settings(replay_dir, as_of, strict) if replay_dir else None
    stats = _crawl_and_summarize(sources, data_dir, source, as_json, replay, redis_url, workers, shard)
    missed = stats.get("nianbao/replay/miss", 0)
    if replay and strict and missed:
        raise click.ClickException(
            f"strict replay: {missed} request(s) not in the archive {replay_dir}"
            + (f" as of {as_of.isoformat()}" if as_of else "") + " (each is logged as 'replay miss')"
        )


@main.command()
@DATA_OPTION
@click.option("--night", default=0, show_default=True, help="Which night of the sample web to serve.")
@click.option("--json", "as_json", is_flag=True, help="Print the per-site summary as JSON.")
@_distributed_options
def demo(data_dir: str, night: int, as_json: bool, redis_url: str | None, workers: int) -> None:
    """Start the sample government web, crawl all of it, extract, and summarize.

    The web is served at its fixed default addresses, which the bundled ``sample`` registry
    describes; running the demo again crawls it again into the same data directory. With
    ``--redis``, the crawl runs on the distributed engine.
    """
    from pathlib import Path

    from sampleweb.server import SampleWeb

    _check_distributed(redis_url, workers)
    with SampleWeb(night=night) as web:
        if not as_json:
            click.echo(f"sample web (night {night}): {len(web.sites)} sites; crawling into {Path(data_dir).resolve()}")
        _crawl_and_summarize("sample", data_dir, None, as_json, redis_url=redis_url, workers=workers)


def _catalog_path(data_dir: str):
    from pathlib import Path

    path = Path(data_dir) / "catalog.db"
    if not path.is_file():
        raise click.ClickException(f"no catalog at {path}: crawl first, or point --data at a data directory")
    return path


@main.command()
@click.argument("query")
@DATA_OPTION
@click.option("--limit", default=20, show_default=True, help="Most documents to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search(query: str, data_dir: str, limit: int, as_json: bool) -> None:
    """Full-text search of the documents' clean text; simplified and traditional queries find both."""
    import json

    from archive.search import SearchError, format_results
    from archive.search import search as search_catalog

    try:
        results = search_catalog(_catalog_path(data_dir), query, limit=limit)
    except SearchError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(results, ensure_ascii=False, indent=2) if as_json else format_results(results))


@main.command()
@DATA_OPTION
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "jsonl", "parquet"]), help="Output format.")
@click.option("--output", "-o", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write; - for standard output.")
@click.option("--agency", multiple=True, help="Only this agency (exact name; repeatable).")
@click.option("--region", default=None, help="Only region codes starting with this prefix (35: Fujian).")
@click.option("--year-from", type=int, default=None, help="Only reports covering this year or later.")
@click.option("--year-to", type=int, default=None, help="Only reports covering this year or earlier.")
@click.option("--doc-type", multiple=True, help="Only this doc_type (annual_report, other; repeatable).")
@click.option("--template", multiple=True, help="Only this template (free, 2019, 2021; repeatable).")
@click.option("--include-stats", is_flag=True, help="Statistics too: joined long rows (CSV) or nested (JSONL, Parquet).")
def export(data_dir: str, fmt: str, output: str, agency: tuple[str, ...], region: str | None,
           year_from: int | None, year_to: int | None, doc_type: tuple[str, ...], template: tuple[str, ...],
           include_stats: bool) -> None:
    """Export documents (and statistics) from the catalog as CSV, JSON Lines or Parquet."""
    import sys

    from archive.export import ExportFilter, export_file
    from archive.export import export as export_rows

    filters = ExportFilter(agency, region, year_from, year_to, doc_type, template)
    catalog = _catalog_path(data_dir)
    try:
        if output == "-":
            export_rows(catalog, sys.stdout.buffer, fmt, filters=filters, include_stats=include_stats)
        else:
            count = export_file(catalog, output, fmt, filters=filters, include_stats=include_stats)
            click.echo(f"{count} rows written to {output}", err=True)
    except ValueError as exc:  # a value the format cannot hold (Parquet's typed columns)
        raise click.ClickException(f"export failed: {exc}") from exc


@main.command()
@DATA_OPTION
def verify(data_dir: str) -> None:
    """Check every catalog capture against its WARC record, and every WARC file; exit 1 on any fault."""
    from archive.verify import Verifier

    verifier = Verifier(data_dir)
    faults = 0
    for problem in verifier.problems():
        faults += 1
        click.echo(str(problem))
    click.echo(
        f"{verifier.captures_checked} captures, {verifier.files_checked} WARC files "
        f"({verifier.good_records} good records): {faults or 'no'} problems",
        err=True,
    )
    if faults:
        raise SystemExit(1)


@main.command()
@DATA_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, help="Port to listen on (0: any free port).")
def serve(data_dir: str, host: str, port: int) -> None:
    """Browse and search the catalog in datasette, with each document's archived page from the WARC."""
    from archive.serve import serve as serve_catalog

    catalog = _catalog_path(data_dir)
    serve_catalog(catalog.parent, host=host, port=port, announce=lambda url: click.echo(f"serving {catalog} at {url}"))


@main.command()
@click.option("--url", default=None, help="The URL the file was fetched from (default: its file: URL).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def extract(url: str | None, files: tuple[str, ...]) -> None:
    """Extract clean text and keys from HTML, PDF/DOCX/XLS(X) or WARC files: one JSON object per line."""
    import json

    from archive.warcextract import extract_path
    from pipelines.files import UnreadableFile

    failed = 0
    for path in files:
        try:
            for record in extract_path(path, url):
                click.echo(json.dumps(record, ensure_ascii=False))
        except UnreadableFile as exc:
            failed += 1
            click.echo(f"nianbao extract: {exc}", err=True)
    if failed:
        raise SystemExit(1)


@main.command("sample-web")
@click.option("--night", default=0, show_default=True, type=click.IntRange(0, 3), help="Which night to serve.")
@click.option("--manifest", is_flag=True, help="Print that night's truth (the manifest) as JSON and exit.")
def sample_web(night: int, manifest: bool) -> None:
    """Serve the sample government web on its fixed loopback addresses until interrupted."""
    from sampleweb.server import serve

    serve(night, manifest=manifest)


@main.command()
@click.option("--as-of", "as_of", required=True, callback=_as_of, help=AS_OF_HELP)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="New data directory for the snapshot (must not exist, or be empty).")
@DATA_OPTION
def snapshot(as_of, out_dir: str, data_dir: str) -> None:
    """Rebuild the archive as it stood at a moment, from the WARC files alone: catalog, WARC, WACZ."""
    from archive.rebuild import RebuildError
    from archive.snapshot import WACZ_NAME, SnapshotError, make_snapshot

    try:
        made = make_snapshot(data_dir, out_dir, as_of)
    except (RebuildError, SnapshotError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"snapshot as of {as_of.isoformat()} in {made.path}: {made.warc_files} WARC files, "
               f"{made.captures} captures, {made.documents} documents, {made.pages} pages in {WACZ_NAME}")


@main.command()
@DATA_OPTION
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
def merge(data_dir: str, sources: tuple[str, ...]) -> None:
    """Merge other machines' data directories (catalog and digest index) or catalog files
    into this data directory's.

    Copy their WARC files into this data directory's warc/ as well (docs/distributed.md).
    """
    from archive.merge import merge_data_dirs

    merged = merge_data_dirs(sources, data_dir)
    click.echo(f"merged {merged.catalogs} catalog(s) into {data_dir}: {merged.rows} rows written, "
               f"{merged.digests} digest index rows")


@main.command()
@DATA_OPTION
def rebuild(data_dir: str) -> None:
    """Rebuild the catalog from the WARC files alone (the old catalog is replaced at the end)."""
    import os
    from pathlib import Path

    from archive.rebuild import RebuildError, rebuild_catalog

    target = Path(data_dir) / "catalog.db"
    fresh = target.with_name("catalog.rebuild.db")
    for leftover in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        stats = rebuild_catalog(Path(data_dir) / "warc", fresh)
    except RebuildError as exc:
        raise click.ClickException(str(exc)) from exc
    # The old catalog's WAL must go first, or SQLite would replay it over the new file.
    for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    os.replace(fresh, target)
    click.echo(f"rebuilt {target}: {stats.files} WARC files, {stats.records} records, "
               f"{stats.captures} captures, {stats.documents} documents")


@main.command()
@click.option("--sources", default="sample", show_default=True,
              help="Registry: a bundled name (sample, real) or a YAML file.")
@DATA_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@_distributed_options
@SHARD_OPTION
def nightly(sources: str, data_dir: str, as_json: bool, redis_url: str | None, workers: int, shard: str | None) -> None:
    """Crawl every source again, incrementally: revisits for what is unchanged, new versions
    for what changed, gone pages marked; resumes a run that was interrupted. Exits 1 unless
    the run finished. With --redis, the crawl runs on this machine's workers of the run's own
    shared crawl; with --shard, on this machine's share of the registry."""
    import json

    from archive.runs import format_report
    from crawler.nightly import NightlyLocked, run_nightly
    from settings.registry import RegistryError

    _check_distributed(redis_url, workers)
    try:
        outcome = run_nightly(sources, data_dir, redis_url=redis_url, workers=workers, shard=shard)
    except NightlyLocked as exc:
        raise click.ClickException(str(exc)) from exc
    except (RegistryError, ValueError, ConnectionError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(outcome.report, ensure_ascii=False, indent=2))
    else:
        if outcome.repaired:
            click.echo(f"repaired after an interrupted crawl: {', '.join(outcome.repaired)}")
        if outcome.resumed:
            click.echo(f"resumed run {outcome.report['run_id']}")
        click.echo(format_report(outcome.report))
        if outcome.report_file is not None:
            click.echo(f"report: {outcome.report_file.resolve()}")
    for problem in outcome.problems:
        click.echo(f"nianbao nightly: {problem}", err=True)
    if outcome.report["finish_reason"] != "finished":
        raise SystemExit(1)


@main.command()
@click.option("--quick", is_flag=True, help="The small version (under three minutes).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Also write the results as JSON to this file.")
@click.option("--only", default=None, help="Run one benchmark: throughput, cpu, extraction, stats, rebuild, many_hosts or memory.")
def bench(quick: bool, out: str | None, only: str | None) -> None:
    """Benchmarks against peers in the same run (wget, bare Scrapy, trafilatura): one table."""
    from pathlib import Path

    from bench.results import BenchError
    from bench.runner import main as run_benchmarks

    try:
        run_benchmarks(quick, Path(out) if out else None, only)
    except BenchError as exc:
        raise click.ClickException(str(exc)) from exc
