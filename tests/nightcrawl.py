"""Crawl the sample web night after night into one data directory, as the schedule does.

Each night is a real ``nianbao`` process (``nightly`` where the command exists, else
``crawl``) against a real ``SampleWeb`` moved to that night. After each night the time is
taken and the live catalog is copied with SQLite's backup API: what the catalog held then.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from nianbao.cli import main as cli

REPO = Path(__file__).resolve().parent.parent
# Tables derived from the others and refreshed on demand (the search index), left out of
# row-for-row comparisons.
DERIVED_PREFIXES = ("documents_search",)


@dataclass(frozen=True)
class Night:
    night: int
    after: datetime  # taken when the night's crawl had exited
    catalog: Path  # the live catalog as it was then


def write_registry(web, path: Path) -> Path:
    path.write_text(yaml.safe_dump({"sources": web.registry()}, allow_unicode=True), encoding="utf-8")
    return path


def nianbao(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def crawl_nights(web, root: Path, nights: range) -> list[Night]:
    """Crawl ``nights`` of ``web`` into ``root/data``; the registry is ``root/registry.yaml``."""
    registry = write_registry(web, root / "registry.yaml")
    command = "nightly" if "nightly" in cli.commands else "crawl"
    done = []
    for night in nights:
        web.set_night(night)
        result = nianbao(command, "--sources", str(registry), "--data", str(root / "data"))
        assert result.returncode == 0, result.stderr[-4000:]
        after = datetime.now(timezone.utc)
        copy = root / f"catalog-night{night}.db"
        backup(root / "data" / "catalog.db", copy)
        done.append(Night(night, after, copy))
    return done


def backup(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def catalog_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of a catalog but the derived ones: name → its rows, sorted."""
    db = sqlite3.connect(path)
    try:
        names = [name for (name,) in db.execute("select name from sqlite_master where type = 'table'")
                 if not name.startswith(("sqlite_", *DERIVED_PREFIXES))]
        return {name: sorted(db.execute(f"select * from [{name}]"), key=repr) for name in names}
    finally:
        db.close()


def table_differences(expected: Path, actual: Path, shown: int = 2) -> dict[str, object]:
    """What differs between two catalogs, table by table (empty when they are the same row for
    row): a table only one has, or up to ``shown`` rows only each has, cut short for reading."""
    want, got = catalog_tables(expected), catalog_tables(actual)
    found: dict[str, object] = {}
    for name in sorted(set(want) | set(got)):
        if name not in got or name not in want:
            found[name] = "missing in " + ("actual" if name not in got else "expected")
            continue
        want_rows, got_rows = set(want[name]), set(got[name])
        only_want = [row for row in want[name] if row not in got_rows]
        only_got = [row for row in got[name] if row not in want_rows]
        if only_want or only_got or len(want[name]) != len(got[name]):
            found[name] = {
                "rows": (len(want[name]), len(got[name])),
                "only expected": [repr(row)[:240] for row in only_want[:shown]],
                "only actual": [repr(row)[:240] for row in only_got[:shown]],
            }
    return found
