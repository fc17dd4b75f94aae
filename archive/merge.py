"""Merge catalogs: those of the machines of a distributed crawl, collected in one place.

Every table of the catalog is keyed by WARC record ids (or by a URL or run id), and the same
key always stands for the same record, so merging is copying rows with INSERT OR REPLACE:
merging a catalog twice, or two catalogs that share rows, leaves no duplicate. Tables the
target lacks are created as the source has them; full-text indexes (virtual tables and their
shadow tables) are left out, as ``archive.search`` builds its index from ``documents``. The
history (``archive.history``) is derived again over the merged rows.

``merge_data_dirs`` merges whole data directories: their catalogs, and their digest indexes
(``archive.digests``), so the next nightly run on the merged directory writes revisits for
payloads any machine archived.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from archive.digests import DigestIndex
from archive.history import derive

SKIPPED_TABLES = frozenset({"_nianbao_schema"})
CATALOG = Path("catalog.db")
DIGEST_INDEX = Path("state") / "digests.db"


@dataclass(frozen=True)
class Merged:
    catalogs: int
    rows: int
    digests: int  # digest index rows added or replaced by earlier originals


def merge_data_dirs(sources: Iterable[str | Path], target: str | Path) -> Merged:
    """Merge other machines' data directories (or bare catalog files) into ``target``'s
    catalog and digest index. Their WARC files are copied by the operator (docs/distributed.md)."""
    sources = [Path(source) for source in sources]
    catalogs = [source / CATALOG if source.is_dir() else source for source in sources]
    rows = merge_catalogs(catalogs, Path(target) / CATALOG)
    indexes = [source / DIGEST_INDEX for source in sources if (source / DIGEST_INDEX).is_file()]
    digests = 0
    if indexes:
        index = DigestIndex(Path(target) / DIGEST_INDEX)
        try:
            digests = sum(index.merge(path) for path in indexes)
        finally:
            index.close()
    return Merged(len(catalogs), rows, digests)


def merge_catalogs(sources: Iterable[str | Path], target: str | Path) -> int:
    """Copy every row of the catalogs ``sources`` into the catalog ``target``; rows written."""
    sources = [Path(source) for source in sources]
    missing = [str(source) for source in sources if not source.is_file()]
    if missing:
        raise FileNotFoundError(f"no catalog at {', '.join(missing)}")
    written = 0
    with Catalog(target) as catalog:
        db = catalog.db
        for source in sources:
            written += _merge(db, source)
        derive(db)
    return written


def _merge(db, source: Path) -> int:
    written = 0
    db.execute("ATTACH DATABASE ? AS merged", [str(source)])
    try:
        with db.conn:
            for name, create in _tables(db):
                if name not in db.table_names():
                    db.execute(create)
                columns = [c.name for c in db[name].columns]
                theirs = {row[1] for row in db.execute(f"PRAGMA merged.table_info([{name}])")}
                shared = ", ".join(f"[{c}]" for c in columns if c in theirs)
                cursor = db.execute(f"INSERT OR REPLACE INTO main.[{name}] ({shared}) SELECT {shared} FROM merged.[{name}]")
                written += cursor.rowcount
    finally:
        db.execute("DETACH DATABASE merged")
    return written


def _tables(db) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the ordinary tables of the attached catalog."""
    rows = db.execute("SELECT name, sql FROM merged.sqlite_master WHERE type = 'table'").fetchall()
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL")]
    return [
        (name, sql)
        for name, sql in rows
        if name not in SKIPPED_TABLES
        and not name.startswith("sqlite_")
        and not any(name == v or name.startswith(f"{v}_") for v in virtual)
    ]
