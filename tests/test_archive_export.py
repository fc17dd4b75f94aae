from __future__ import annotations

import csv
import io
import json
import sqlite3
import tracemalloc

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from datadir import LUAN, PINGTAN, build_data_dir

from archive.catalog import Catalog
from archive.export import ExportFilter, export, export_file
from nianbao.cli import main


@pytest.fixture
def data(tmp_path):
    return build_data_dir(tmp_path / "data")


def export_bytes(data, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    export(data.catalog, out, fmt, **options)
    return out.getvalue()


def csv_rows(payload: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(payload.decode("utf-8"))))


def jsonl_rows(payload: bytes) -> list[dict]:
    return [json.loads(line) for line in payload.decode("utf-8").splitlines()]


@pytest.mark.parametrize(
    ("filters", "titles_expected"),
    [
        (ExportFilter(), 3),
        (ExportFilter(agencies=(LUAN,)), 1),
        (ExportFilter(agencies=(LUAN, PINGTAN)), 3),
        (ExportFilter(region="34"), 1),
        (ExportFilter(region="350128"), 2),
        (ExportFilter(region="3502"), 0),
        (ExportFilter(year_from=2019, year_to=2020), 2),
        (ExportFilter(year_from=2020), 1),
        (ExportFilter(year_to=2013), 1),
        (ExportFilter(doc_types=("other",)), 1),
        (ExportFilter(templates=("2019",), region="35"), 1),
    ],
)
def test_filters_select_documents(data, filters, titles_expected):
    rows = jsonl_rows(export_bytes(data, "jsonl", filters=filters))
    assert len(rows) == titles_expected
    for row in rows:
        assert not filters.agencies or row["agency"] in filters.agencies
        assert not filters.region or row["region_code"].startswith(filters.region)


def test_csv_has_every_document_column_in_a_stable_order(data):
    rows = csv_rows(export_bytes(data, "csv"))
    columns = [c for c in sqlite3.connect(data.catalog).execute("select * from documents").description]
    assert list(rows[0]) == [c[0] for c in columns]
    assert [row["report_year"] for row in rows] == ["2019", "2013", "2020"]  # region code, agency, year
    assert json.loads(rows[0]["flags"]) == ["defaced"]
    assert rows[0]["text"].startswith("六安市審計局")
    empty = csv_rows(export_bytes(data, "csv", filters=ExportFilter(region="99")))
    assert empty == [] and export_bytes(data, "csv", filters=ExportFilter(region="99")).startswith(b"id,url,")


def test_csv_with_stats_is_long_format_joined_without_text(data):
    rows = csv_rows(export_bytes(data, "csv", include_stats=True))
    assert [(r["report_year"], r["table_id"], r["row_id"], r["value"]) for r in rows] == [
        ("2019", "applications", "new_received", "3.0"),
        ("2013", "", "", ""),  # the notice has no statistics but still appears
        ("2020", "applications", "new_received", "35.0"),
        ("2020", "proactive", "regulations", "2.0"),
    ]
    assert "text" not in rows[0] and "text_simplified" not in rows[0] and rows[0]["agency"] == LUAN


def test_jsonl_nests_stats_and_decodes_list_columns(data):
    rows = jsonl_rows(export_bytes(data, "jsonl", include_stats=True, filters=ExportFilter(region="35", year_from=2020)))
    (row,) = rows
    assert row["flags"] == [] and row["removed"] == []
    assert row["stats"] == [
        {"table_id": "applications", "row_id": "new_received", "column_id": "total", "value": 35.0, "raw": "35"},
        {"table_id": "proactive", "row_id": "regulations", "column_id": "new", "value": 2.0, "raw": "2"},
    ]


def test_parquet_keeps_types_nested_stats_and_extra_columns(data, tmp_path):
    db = sqlite3.connect(data.catalog)
    db.execute("alter table documents add column gone_at text")
    db.execute("update documents set gone_at = '2026-03-01' where agency = ?", (LUAN,))
    db.commit()
    path = tmp_path / "out.parquet"
    assert export_file(data.catalog, path, "parquet", include_stats=True) == 3
    table = pq.read_table(path)
    assert str(table.schema.field("report_year").type) == "int64"
    assert str(table.schema.field("flags").type) == "list<element: string>"
    rows = table.to_pylist()
    assert rows[0]["gone_at"] == "2026-03-01" and rows[0]["flags"] == ["defaced"]
    assert rows[0]["stats"][0]["value"] == 3.0 and rows[1]["stats"] == []


def test_failed_export_leaves_no_file(data, tmp_path):
    db = sqlite3.connect(data.catalog)
    db.execute("update documents set report_year = 'unknown' where agency = ?", (LUAN,))
    db.commit()
    path = tmp_path / "out.parquet"
    with pytest.raises(ValueError, match="Could not convert 'unknown'"):
        export_file(data.catalog, path, "parquet")
    assert list(tmp_path.glob("out.parquet*")) == []


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory):
    """1,000 documents of 18,000 characters, text and simplified text: 72 MB as Python strings."""
    path = tmp_path_factory.mktemp("big") / "catalog.db"
    text = "政府信息公开" * 3000
    with Catalog(path) as catalog:
        for i in range(1000):
            catalog.add_document({"url": f"http://x/{i}", "record_id": f"<urn:uuid:{i}>"},
                                 {"text": text, "text_simplified": text, "report_year": 2020})
    return path


@pytest.mark.parametrize(("fmt", "limit"), [("jsonl", 5_000_000), ("csv", 5_000_000), ("parquet", 25_000_000)])
def test_export_streams_rows_instead_of_loading_the_catalog(big_catalog, tmp_path, fmt, limit):
    tracemalloc.start()
    try:
        with open(tmp_path / "out", "wb") as out:
            assert export(big_catalog, out, fmt) == 1000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit, peak


def test_export_command_to_stdout_and_file(data, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--data", str(data.root), "--format", "csv", "--region", "34"])
    assert result.exit_code == 0, result.output
    assert [row["agency"] for row in csv_rows(result.stdout_bytes)] == [LUAN]
    out = tmp_path / "stats.jsonl"
    result = runner.invoke(main, ["export", "--data", str(data.root), "--format", "jsonl", "--include-stats",
                                  "--doc-type", "annual_report", "--template", "2019", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(len(row["stats"]) for row in jsonl_rows(out.read_bytes())) == [1, 2]
    result = runner.invoke(main, ["export", "--data", str(tmp_path / "nowhere"), "--format", "csv"])
    assert result.exit_code != 0 and "no catalog" in result.output
