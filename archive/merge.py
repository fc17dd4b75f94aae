"""Merge catalogs: those of the machines of a distributed crawl, collected in one place.

Every table of the catalog is keyed by WARC record ids (or by a URL or run id), and the same
key always stands for the same record, so merging is copying rows with INSERT OR REPLACE:
merging a catalog twice, or two catalogs that share rows, leaves no duplicate. Tables the
target lacks are created as the source has them; full-text indexes (virtual tables and their
shadow tables) are left out, as ``archive.search`` builds its index from ``documents``. The
history (``archive.history``) is derived again over the merged rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archive.catalog import Catalog
from archive.history import derive

SKIPPED_TABLES = frozenset({"_nianbao_schema"})


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
