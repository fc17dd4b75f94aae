"""Export the catalog's documents, and optionally their statistics, as CSV, JSON Lines or Parquet.

Rows are streamed from SQLite straight to the output, a batch at a time, so an export never
holds the catalog in memory. Every column of ``documents`` is exported, including columns the
catalog gains later. With statistics, CSV gets one long-format row per statistic joined to its
document's columns (the text columns left out, since they would repeat on every row); JSON
Lines and Parquet get the statistics nested in each document as a list.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import sqlite_utils

FORMATS = ("csv", "jsonl", "parquet")
STAT_COLUMNS = ("table_id", "row_id", "column_id", "value", "raw")
# Not repeated on every joined statistics row of a CSV export.
TEXT_COLUMNS = ("text", "text_simplified")
# Columns holding JSON lists: decoded to lists in JSON Lines and Parquet, kept as text in CSV.
JSON_LIST_COLUMNS = ("flags", "removed")
ORDER_BY = ("region_code", "agency", "report_year", "id")
# A Parquet batch is written once its rows hold this many characters of text (bounds memory).
PARQUET_BATCH_CHARS = 2_000_000
STATS_OF_DOCUMENT_SQL = f"""
select {", ".join(STAT_COLUMNS)} from stats where document_id = :id order by table_id, row_id, column_id
"""


@dataclass(frozen=True)
class ExportFilter:
    """Which documents to export; empty fields do not filter."""

    agencies: tuple[str, ...] = ()
    region: str | None = None  # region code prefix: "35" Fujian, "3501" Fuzhou
    year_from: int | None = None
    year_to: int | None = None
    doc_types: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()

    def where(self) -> tuple[str, dict[str, Any]]:
        """The SQL condition over ``documents d`` and its parameters."""
        conditions, params = ["1"], {}
        for column, values in (("agency", self.agencies), ("doc_type", self.doc_types), ("template", self.templates)):
            if values:
                names = [f"{column}{i}" for i in range(len(values))]
                conditions.append(f"d.[{column}] in ({', '.join(':' + n for n in names)})")
                params.update(zip(names, values, strict=True))
        if self.region:
            conditions.append("substr(d.region_code, 1, :region_len) = :region")
            params.update(region=self.region, region_len=len(self.region))
        if self.year_from is not None:
            conditions.append("d.report_year >= :year_from")
            params["year_from"] = self.year_from
        if self.year_to is not None:
            conditions.append("d.report_year <= :year_to")
            params["year_to"] = self.year_to
        return " and ".join(conditions), params


def export(
    db: sqlite_utils.Database | str | Path,
    out: BinaryIO,
    fmt: str,
    filters: ExportFilter = ExportFilter(),
    include_stats: bool = False,
) -> int:
    """Write the selected documents to ``out`` in ``fmt``; returns the number of rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    db = db if isinstance(db, sqlite_utils.Database) else sqlite_utils.Database(db)
    if fmt == "csv":
        if include_stats:
            return _write_csv(joined_stat_rows(db, filters), _joined_columns(db) + list(STAT_COLUMNS), out)
        return _write_csv(document_rows(db, filters), list(db["documents"].columns_dict), out)
    rows = (_decode_lists(row) for row in document_rows(db, filters, nested_stats=include_stats))
    if fmt == "jsonl":
        return _write_jsonl(rows, out)
    return _write_parquet(rows, _arrow_schema(db, include_stats), out)


def export_file(db: sqlite_utils.Database | str | Path, path: str | Path, fmt: str, **options: Any) -> int:
    """``export`` to a file, written beside it first and renamed, so a failed export leaves none."""
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as out:
            count = export(db, out, fmt, **options)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def document_rows(
    db: sqlite_utils.Database, filters: ExportFilter, nested_stats: bool = False
) -> Iterator[dict[str, Any]]:
    """The selected ``documents`` rows in a stable order, with their ``stats`` list if asked."""
    where, params = filters.where()
    sql = f"select d.* from documents d where {where} order by {_order('d')}"
    for row in db.query(sql, params):
        if nested_stats:
            row["stats"] = list(db.query(STATS_OF_DOCUMENT_SQL, {"id": row["id"]}))
        yield row



def joined_stat_rows(db: sqlite_utils.Database, filters: ExportFilter) -> Iterator[dict[str, Any]]:
    """One row per statistic of each selected document, its document's columns first.

    A document without statistics still gets one row, with empty statistics columns, so the
    export shows which reports have none.
    """
    where, params = filters.where()
    sql = f"""
        select {", ".join(f"d.[{c}]" for c in _joined_columns(db))}, {", ".join(f"s.{c}" for c in STAT_COLUMNS)}
        from documents d left join stats s on s.document_id = d.id
        where {where}
        order by {_order('d')}, s.table_id, s.row_id, s.column_id
    """
    yield from db.query(sql, params)


def _joined_columns(db: sqlite_utils.Database) -> list[str]:
    return [c for c in db["documents"].columns_dict if c not in TEXT_COLUMNS]


def _order(alias: str) -> str:
    return ", ".join(f"{alias}.[{column}]" for column in ORDER_BY)


def _decode_lists(row: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_LIST_COLUMNS:
        if isinstance(row.get(column), str):
            row[column] = json.loads(row[column])
    return row


def _write_csv(rows: Iterator[dict[str, Any]], columns: list[str], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    count = 0
    try:
        writer = csv.DictWriter(text, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count


def _write_jsonl(rows: Iterator[dict[str, Any]], out: BinaryIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        count += 1
    return count


def _write_parquet(rows: Iterator[dict[str, Any]], schema, out: BinaryIO) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        chars = 0
        for row in rows:
            batch.append(row)
            chars += sum(len(value) for value in row.values() if isinstance(value, str))
            if chars >= PARQUET_BATCH_CHARS:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count, batch, chars = count + len(batch), [], 0
        if batch:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _arrow_schema(db: sqlite_utils.Database, include_stats: bool):
    """The Parquet schema from the declared column types, so every batch has the same one."""
    import pyarrow as pa

    def arrow_type(name: str, declared: str):
        if name in JSON_LIST_COLUMNS:
            return pa.list_(pa.string())
        declared = declared.upper()
        if "INT" in declared:
            return pa.int64()
        if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
            return pa.float64()
        return pa.string()

    fields = [pa.field(c.name, arrow_type(c.name, c.type or "")) for c in db["documents"].columns]
    if include_stats:
        stat = pa.struct(
            [pa.field(c, pa.float64() if c == "value" else pa.string()) for c in STAT_COLUMNS]
        )
        fields.append(pa.field("stats", pa.list_(stat)))
    return pa.schema(fields)
