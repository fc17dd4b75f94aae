"""The digest index: which record first archived each payload, for revisit records across runs.

An SQLite file of its own (``<data>/state/digests.db``): payload digest → the original record's
id, URL and date, which an ``identical-payload-digest`` revisit names. The payloads of the
current run are held in memory beside it and committed — from the catalog, so only records
that are on disk — only when the run completes: a failed run cannot leave the index naming
records that a repair cut off or a resumed run never wrote.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlite_utils

from archive.records import Original, digest_of

SCHEMA = "create table if not exists digests (digest text primary key, record_id text, url text, date text)"
EMPTY = digest_of(b"")  # nothing to save by referring to an empty payload

# The records of a run that hold payloads of their own, oldest first.
RUN_ORIGINALS_SQL = """
select record_id, url, fetched_at, payload_digest from captures
where run_id = ? and record_type = 'response' and truncated is null
  and payload_digest is not null and payload_digest != ?
order by fetched_at, record_id
"""

# "where true": an upsert's SELECT needs a WHERE clause to be parsed as one.
MERGE_SQL = """
insert into main.digests (digest, record_id, url, date)
select digest, record_id, url, date from other.digests where true
on conflict (digest) do update set record_id = excluded.record_id, url = excluded.url, date = excluded.date
where excluded.date < main.digests.date
"""


class DigestIndex:
    """Lookups for the crawl (one thread), commits by the nightly run when it has completed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute(SCHEMA)
        self.db.commit()
        self._run: dict[str, Original] = {}

    def original(self, candidate: Original) -> Original | None:
        """The record already holding ``candidate``'s payload; if there is none, None, and
        ``candidate`` holds it for the rest of the run."""
        digest = candidate.payload_digest
        if digest is None or digest == EMPTY:
            return None
        found = self._run.get(digest)
        if found is not None:
            return found
        row = self.db.execute("select record_id, url, date from digests where digest = ?", (digest,)).fetchone()
        if row is not None:
            return Original(*row, digest)
        self._run[digest] = candidate
        return None

    def remember(self, originals: Iterable[Original]) -> None:
        """Hold payloads the current run archived before (a resumed run's earlier part)."""
        for original in originals:
            self._run.setdefault(original.payload_digest, original)

    def commit(self, originals: Iterable[Original]) -> int:
        """Add originals (a completed run's, ``run_originals``); the first of a digest stays."""
        with self.db:
            before = self.db.total_changes
            self.db.executemany(
                "insert or ignore into digests (digest, record_id, url, date) values (?, ?, ?, ?)",
                ((o.payload_digest, o.record_id, o.url, o.date) for o in originals),
            )
            return self.db.total_changes - before

    def merge(self, other: str | Path) -> int:
        """Add another machine's index (its ``state/digests.db``); of two originals of a
        digest the earlier stays, so merging in any order gives one index. Rows changed."""
        self.db.execute("attach database ? as other", (str(other),))
        try:
            with self.db:
                before = self.db.total_changes
                self.db.execute(MERGE_SQL)
                return self.db.total_changes - before
        finally:
            self.db.execute("detach database other")

    def __len__(self) -> int:
        return self.db.execute("select count(*) from digests").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def run_originals(db: sqlite_utils.Database, run_id: str) -> Iterator[Original]:
    """The payload-holding records a run wrote, as its catalog rows describe them."""
    for record_id, url, fetched_at, digest in db.execute(RUN_ORIGINALS_SQL, [run_id, EMPTY]):
        yield Original(record_id, url, fetched_at, digest)
