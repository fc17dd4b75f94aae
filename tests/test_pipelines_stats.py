"""Report statistics from table grids (pipelines.stats), against hand-transcribed gold and
the sample web's truth."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from pipelines import tables
from pipelines.checks import run_checks
from pipelines.extract import extract
from pipelines.stats import parse_stats, parse_value
from pipelines.statlabels import APPLICANT_COLUMNS, REVIEW_COLUMN_ORDER, fold
from sampleweb.content import (
    VARIANTS, Table, generate_report, render_docx, render_html, render_image_only, render_pdf, render_xls,
    render_xlsx, seed_documents, to_mirror,
)
from sampleweb_http import fetch

GOLD = Path(__file__).parent / "data" / "gold" / "stats"
APPLICATION_COLUMNS = APPLICANT_COLUMNS + ("total",)
READERS = {"pdf": tables.pdf_grids, "docx": tables.docx_grids, "xlsx": tables.xlsx_grids, "xls": tables.xls_grids}
MAGIC = {b"%PDF": "pdf", b"PK\x03\x04": "zip", b"\xd0\xcf\x11\xe0": "ole"}


def corpus_document(corpus_dir: Path, name: str) -> tuple[list, str]:
    """A saved page's table grids and its body paragraphs (tables left out) as text."""
    raw = (corpus_dir / name).read_bytes()
    root = lxml.html.document_fromstring(tables.decode_html(raw))
    body = (root.xpath("//div[contains(@class, 'TRS_Editor')]") or root.xpath("//div[@class='content']"))[0]
    for table in body.xpath(".//table"):
        table.drop_tree()
    return tables.html_grids(raw), "\n".join(p.text_content() for p in body.xpath(".//p"))


def gold_cells(gold: dict) -> dict[tuple[str, str, str], dict]:
    """The gold file's cells as {(table, row, column): {"value", "raw" | "sentence"}}."""
    def cell(entry) -> dict:
        if isinstance(entry, dict):
            return entry
        return {"raw": entry, "value": int(entry)}  # gold writes plain integers as printed

    cells = {}
    for row, values in gold.get("applications", {}).items():
        cells |= {("applications", row, c): cell(v) for c, v in zip(APPLICATION_COLUMNS, values, strict=True)}
    for row, values in gold.get("review_litigation", {}).items():
        cells |= {("review_litigation", row, c): cell(v) for c, v in zip(REVIEW_COLUMN_ORDER, values, strict=True)}
    for table in ("active", "legacy"):
        for row, columns in gold.get(table, {}).items():
            cells |= {(table, row, c): cell(v) for c, v in columns.items()}
    return cells


def by_key(stats: list[dict]) -> dict[tuple[str, str, str], dict]:
    return {(s["table"], s["row"], s["column"]): s for s in stats}


def same_raw(truth: str, got: str) -> bool:
    """Table cells keep their text exactly (script aside); a sentence contains its phrase."""
    return fold(truth) == fold(got)


# --- values -------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("23", (23, True)), ("+1036", (1036, True)), ("-5", (-5, True)), ("－3", (-3, True)),
    ("75394432.52元", (75394432.52, True)), ("32.52 万元", (32.52, True)), ("1,234", (1234, True)),
    ("５９", (59, True)), ("0.00", (0.0, True)), ("3件", (3, True)),
    ("/", (None, True)), ("", (None, True)), ("无", (None, True)), ("無", (None, True)), ("—", (None, True)),
    ("-", (None, True)), ("不适用", (None, True)),
    ("3（其中2件转办）", (None, False)), ("约5", (None, False)), ("2016年度", (None, False)),
])
def test_parse_value(raw, expected):
    value, ok = parse_value(raw)
    assert (value, ok) == expected and type(value) is type(expected[0])


# --- the real corpus (gold transcribed by hand) -----------------------------------------------

@pytest.mark.parametrize("gold_file", sorted(p.name for p in GOLD.glob("*.json")))
def test_corpus_pages_match_the_hand_transcribed_gold(corpus_dir, gold_file):
    gold = json.loads((GOLD / gold_file).read_text("utf-8"))
    grids, text = corpus_document(corpus_dir, gold["page"])
    result = parse_stats(grids, text)
    expected, got = gold_cells(gold), by_key(result.stats)
    assert result.template == gold["template"]
    assert set(got) == set(expected)
    for key, truth in expected.items():
        assert got[key]["value"] == truth["value"], key
        if "sentence" in truth:
            assert truth["sentence"] in got[key]["raw"], key
        else:
            assert got[key]["raw"] == truth["raw"], key
    assert [f for f in result.flags if f != "ambiguous_narrative"] == []
    statuses = {str(c["rule"]): c["status"] for c in run_checks(result.stats, text, result.template)}
    assert statuses == gold.get("checks", {})


def _corpus_grid(corpus_dir: Path, page: str, index: int) -> list[list[str]]:
    return corpus_document(corpus_dir, page)[0][index]


def test_transposed_tables_read_the_same(corpus_dir):
    applications = _corpus_grid(corpus_dir, "2023-pingtan-report.html", 1)
    review = _corpus_grid(corpus_dir, "2023-pingtan-report.html", 2)
    transposed = [[list(column) for column in zip(*grid)] for grid in (applications, review)]
    assert by_key(parse_stats(transposed).stats) == by_key(parse_stats([applications, review]).stats)
    assert len(parse_stats(transposed).stats) == 175 + 15


def test_labels_joined_in_one_cell_or_split_over_cells():
    joined = [["行政复议结果维持", "行政复议总计", "行政诉讼未经复议直接起诉总计", "行政诉讼复议后起诉结果纠正"],
              ["1", "2", "3", "4"]]
    split = [["", "申请人情况", "申请人情况", "申请人情况"], ["", "自然人", "商业", "总计"],
             ["", "自然人", "企业", "总计"], ["一、本年新收政府信息公开申请数量", "4", "1", "5"]]
    cells = {(s["row"], s["column"]): s["value"] for s in parse_stats([joined, split]).stats}
    assert cells == {("review", "upheld"): 1, ("review", "total"): 2, ("litigation_direct", "total"): 3,
                     ("litigation_after_review", "corrected"): 4,
                     ("new_received", "natural_person"): 4, ("new_received", "commercial"): 1,
                     ("new_received", "total"): 5}


def test_partial_table_is_flagged_and_what_is_there_is_right(corpus_dir):
    applications = _corpus_grid(corpus_dir, "2019-pingtan-report.html", 1)
    partial = applications[:5] + applications[-2:]  # header, 一, 二, （七）总计, 四
    result = parse_stats([partial])
    assert "partial_table" in result.flags and result.template is None
    got = {(s["row"], s["column"]): s["value"] for s in result.stats}
    assert got[("new_received", "total")] == 23 and got[("total_processed", "natural_person")] == 23
    assert {row for row, _ in got} == {"new_received", "carried_over", "total_processed", "carried_forward"}


def test_table_broken_over_pages_continues_with_the_headers_columns(corpus_dir):
    applications = _corpus_grid(corpus_dir, "2023-pingtan-report.html", 1)
    first, rest = applications[:6], applications[6:]
    # on the next page the two label columns of 三、本年度办理结果 merged into one
    rest = [[row[0] + row[1] if row[1] != row[2] else row[0], *row[2:]] for row in rest]
    whole = by_key(parse_stats([applications]).stats)
    assert by_key(parse_stats([first, rest]).stats) == whole
    assert len(whole) == 175


def test_stray_columns_and_unknown_cells_keep_raw_and_give_no_number():
    grid = [["信息内容", "", "本年制发件数", "本年废止件数", "现行有效件数", "备注"],
            ["规章", "", "/", "无", "", "x"], ["行政规范性文件", "", "3（含转发）", "+2", "12件", ""]]
    result = parse_stats([grid])
    got = {(s["row"], s["column"]): (s["value"], s["raw"]) for s in result.stats}
    assert got == {("rules", "issued"): (None, "/"), ("rules", "repealed"): (None, "无"), ("rules", "in_force"): (None, ""),
                   ("normative_docs", "issued"): (None, "3（含转发）"), ("normative_docs", "repealed"): (2, "+2"),
                   ("normative_docs", "in_force"): (12, "12件")}
    assert "unparsed_values" in result.flags


@pytest.mark.parametrize("grids", [[[]], [[[]]], [[["行政复议"], ["0", "1", "2"]]], [[["", ""], [""]]],
                                   [[["x"] * 300] * 300]])
def test_odd_grids_give_no_error(grids):
    result = parse_stats(grids)
    assert result.stats == [] and set(result.flags) <= {"oversized_table"}


def test_flattened_tables_are_never_read_from_text(seeds_dir):
    for name in ("002_22aab187490cdc1c.txt", "004_81c06934ecf83b01.txt"):
        result = parse_stats([], (seeds_dir / name).read_text("utf-8"))
        assert result.stats == [] and result.template == "2019"
        assert result.flags == ["tables_missing"]


def test_image_only_documents_need_ocr_and_invent_nothing():
    report = generate_report("青山镇人民政府", "350128", 2022, seed=3)
    scanned = render_image_only(report)
    result = parse_stats(tables.pdf_grids(scanned), "")
    assert result.stats == [] and result.flags == ["needs_ocr"] and result.template is None
    assert "needs_ocr" not in parse_stats([], "（详见附件）").flags


# --- narrative counts of the free-form era ----------------------------------------------------

@pytest.mark.parametrize("key", ["000", "001"])
def test_seed_narratives_give_their_counts(seeds_dir, key):
    report = seed_documents()[key]
    text = next(seeds_dir.glob(f"{key}_*.txt")).read_text("utf-8")
    result = parse_stats([], text)
    got = by_key(result.stats)
    truth = {(s.table, s.row, s.column): s for s in report.stats}
    assert result.template == "free" and set(got) == set(truth)
    for cell_key, cell in truth.items():
        assert got[cell_key]["value"] == cell.value
        assert cell.raw in got[cell_key]["raw"]


def test_conflicting_narrative_counts_are_left_out():
    text = ("2015年，本局主动公开政府信息120条。全年受理政府信息公开申请3件。"
            "本局共受理政府信息公开申请5件。全年未收取任何费用。")
    result = parse_stats([], text)
    assert {s["row"]: s["value"] for s in result.stats} == {"proactive_items": 120, "fees_yuan": 0}
    assert "ambiguous_narrative" in result.flags


def test_a_total_and_its_breakdown_give_the_total():
    text = "全区主动公开政府信息3460条。其中区直各部门主动公开政府信息1822条，各乡镇主动公开政府信息1638条。"
    (cell,) = parse_stats([], text).stats
    assert cell["value"] == 3460 and cell["raw"].startswith("全区")


# --- the sample web's generated reports and attachments -----------------------------------------

def _assert_matches(report, result) -> None:
    truth = {(s.table, s.row, s.column): s for s in report.stats}
    got = by_key(result.stats)
    assert result.template == report.template
    assert set(got) == set(truth)
    for key, cell in truth.items():
        assert got[key]["value"] == cell.value, key
        if cell.table == "legacy" and not cell.raw.strip().isdigit():
            assert cell.raw.rstrip("。") in got[key]["raw"] or got[key]["raw"].rstrip("。") in cell.raw
        else:
            assert same_raw(cell.raw, got[key]["raw"]), key


def _body_text(html: str) -> str:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for table in root.xpath(".//table"):
        table.drop_tree()
    return root.text_content()


@pytest.mark.parametrize("year", range(2010, 2025, 2))
@pytest.mark.parametrize("variant", VARIANTS)
def test_generated_reports_in_every_markup(year, variant):
    for seed, agency in enumerate(("某某县人民政府", "青山镇人民政府")):
        report = generate_report(agency, "350128", year, seed=seed)
        for document in (report, to_mirror(report, seed=seed)):
            html = render_html(document, variant=variant, seed=seed)
            _assert_matches(document, parse_stats(tables.html_grids(html.encode()), _body_text(html)))


@pytest.mark.parametrize("render", [render_pdf, render_docx, render_xlsx, render_xls])
def test_generated_report_attachments(render):
    readers = {render_pdf: tables.pdf_grids, render_docx: tables.docx_grids,
               render_xlsx: tables.xlsx_grids, render_xls: tables.xls_grids}
    for seed, year in enumerate((2012, 2013, 2014, 2020, 2023, 2024)):
        report = generate_report("某某县人民政府", "350128", year, seed=seed)
        if render in (render_xlsx, render_xls) and not any(isinstance(b, Table) for b in report.blocks):
            continue  # a free-form report without 统计表 has nothing to put in a spreadsheet
        text = "\n".join(block for block in report.blocks if isinstance(block, str))
        _assert_matches(report, parse_stats(readers[render](render(report)), text))


def test_seed_tables_rendered_as_html():
    for key in ("002", "004"):
        report = seed_documents()[key]
        html = render_html(report, variant="word", seed=1)
        _assert_matches(report, parse_stats(tables.html_grids(html), _body_text(html)))


# --- the sample web served over HTTP, nights 0–3 (truth from the manifest) ---------------------

@dataclass
class Reading:
    """One reading of a report on the sample web: its page or one of its attachments."""

    document: dict  # the manifest's entry: truth stats and violations
    where: str  # "page", an attachment format, or "scan" for an image-only attachment
    body: bytes
    grids: list
    text: str
    stats: list[dict]
    checks: list[dict]


def _get(url: str) -> tuple[dict, bytes]:
    for _ in range(6):  # the sample web answers some requests with transient 5xx faults
        status, headers, body = fetch(url)
        if status < 500:
            return dict(headers), body
    raise AssertionError(f"{url} kept failing")


def _grids(body: bytes, declared: str) -> list:
    kind = MAGIC.get(body[:4])
    reader = {"pdf": tables.pdf_grids, "ole": tables.xls_grids}.get(kind) or READERS.get(declared)
    return reader(body) if kind and reader else []  # images have no tables to read


def sample_web_readings(web) -> Iterator[Reading]:
    """Every live report of a night: its page as ``extract`` records it (HTML reports) and
    each attachment that is not a stub, read with ``pipelines.tables`` and the text
    ``extract`` finds in it. The benchmark (bench/stats.py) counts what the tests assert."""
    for document in web.manifest()["documents"]:
        if document["status"] != "live" or document["doc_type"] != "annual_report":
            continue
        if document["format"] == "html":
            headers, body = _get(document["url"])
            record = extract(body, document["url"], headers)
            yield Reading(document, "page", body, tables.html_grids(body), record["text"],
                          record["stats"], record["checks"])
        for attachment in document["attachments"]:
            if attachment["stub"]:
                continue
            headers, body = _get(attachment["url"])
            text = extract(body, attachment["url"], headers)["text"]
            grids = _grids(body, attachment["format"])
            result = parse_stats(grids, text)
            yield Reading(document, "scan" if attachment["needs_ocr"] else attachment["format"], body, grids,
                          text, result.stats, run_checks(result.stats, text, result.template))


@pytest.mark.parametrize("night", [0, 1, 2, 3])
def test_every_report_on_the_sample_web_matches_its_truth(night):
    from sampleweb.server import SampleWeb

    compared, read = 0, set()
    with SampleWeb(night=night, port=0) as web:
        for reading in sample_web_readings(web):
            document, where = reading.document, reading.where
            if where == "scan":
                assert reading.stats == [], f"numbers invented for a scan: {document['key']}"
                continue
            truth, got = by_key(document["stats"]), by_key(reading.stats)
            assert set(got) == set(truth), (document["key"], where)
            assert [k for k in truth if got[k]["value"] != truth[k]["value"]] == [], (document["key"], where)
            failed = {c["rule"] for c in reading.checks if c["status"] == "fail"}
            assert failed == set(document["violations"]) - {5}, (document["key"], where, reading.checks)
            compared += len(truth)
            read.add(document["key"])
    assert compared > 25000 and len(read) > 150
