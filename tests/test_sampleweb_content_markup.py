"""HTML fragments: real tables that parse back (rowspan/colspan expanded) to the report's cells."""

from __future__ import annotations

import pytest
from lxml import html

from sampleweb.content import VARIANTS, generate_notice, generate_report, render_html, seed_documents

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]


def expand(rows):
    """A grid of texts from rows of (text, rowspan, colspan), spans copied into every slot."""
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in grid:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[r + dr, c + dc] = text
            c += colspan
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(width)] for r in range(height)]


def squash(text: str) -> str:
    return "".join(text.split()).replace("\xa0", "")


def html_tables(fragment: str):
    root = html.fromstring(f"<div>{fragment}</div>")
    for table in root.iter("table"):
        rows = [[(squash(td.text_content()), int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
                 for td in tr.xpath("./td|./th")] for tr in table.iter("tr")]
        yield expand(rows)


def model_tables(report):
    for block in report.blocks:
        if not isinstance(block, str):
            yield expand([[(squash(t), r, c) for t, r, c in row] for row in block.rows])


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("template,year", [("free", 2015), ("2019", 2019), ("2021", 2023)])
def test_tables_parse_back_to_the_same_cells(variant, template, year):
    for seed in range(4):
        report = generate_report("凉州区人民政府", "620602", year, template, seed,
                                 violate=6 if template == "free" else None)
        fragment = render_html(report, variant=variant, seed=seed)
        assert list(html_tables(fragment)) == list(model_tables(report))


@pytest.mark.parametrize("template,year,width,height", [("2019", 2020, 10, 26), ("2021", 2022, 10, 28)])
def test_applications_table_layout_and_values(template, year, width, height):
    report = generate_report("凉州区财政局", "620602", year, template, 5)
    fragment = render_html(report, variant="word", seed=1)
    applications = [g for g in html_tables(fragment) if "申请人情况" in g[0]][0]
    assert len(applications) == height and {len(r) for r in applications} == {width}
    assert applications[3][0] == applications[3][2] == "一、本年新收政府信息公开申请数量"
    assert applications[5][0] == "三、本年度办理结果" and applications[-2][0] == "三、本年度办理结果"
    assert applications[2][5] == "科研机构"  # split over two lines in the cell, joined back
    stats = {(s.row, s.column): s.raw for s in report.stats if s.table == "applications"}
    rows = ["new_received", "carried_over"] + [None] * (height - 7) + ["total_processed", "carried_forward"]
    for line, row in zip(applications[3:], rows):
        if row:
            assert line[3:] == [stats[row, c] for c in APPLICANTS]
    review = [g for g in html_tables(fragment) if g[0][0] == "行政复议"][0]
    assert len(review) == 4 and len(review[3]) == 15
    assert review[3][4] == str(next(s.value for s in report.stats
                                    if (s.table, s.row, s.column) == ("review_litigation", "review", "total")))


def test_split_labels_render_as_separate_lines():
    report = generate_report("凉州区人民政府", "620602", 2022, "2021", 0)
    fragments = [render_html(report, variant="editor", seed=s) for s in range(8)]
    assert any("<p" in f and "商业</span></p><p" in f for f in fragments)  # two <p> in one cell
    assert any("商业</span><span><br/></span><span>企业" in f for f in fragments)  # one <p> with <br/>


def test_variants_differ_and_seeds_vary_within_a_variant():
    report = generate_report("凉州区人民政府", "620602", 2020, "2019", 0)
    rendered = {v: render_html(report, variant=v) for v in VARIANTS}
    assert len(set(rendered.values())) == len(VARIANTS)
    assert len({render_html(report, variant="editor", seed=s) for s in range(6)}) > 1
    with pytest.raises(ValueError):
        render_html(report, variant="nonsense")


def test_legacy_variant_is_gbk_and_uses_font_tags():
    for template, year in (("free", 2011), ("2019", 2019)):
        fragment = render_html(generate_report("平潭县人民政府", "350128", year, template, 2), variant="legacy")
        fragment.encode("gbk")
        assert "<font" in fragment and 'bordercolor="#000000"' in fragment
    generate_notice("平潭县人民政府", "350128", 2012, "task_notice", 1)
    render_html(generate_notice("平潭县人民政府", "350128", 2012, "task_notice", 1), variant="legacy").encode("gbk")


def test_spam_is_rendered_only_when_published():
    seeds = seed_documents()
    published = render_html(seeds["004"], variant="plain")
    clean = render_html(seeds["004"], variant="plain", with_spam=False)
    assert published.count("比分直播,篮球比分直播") == 6 and "比分直播" not in clean
    assert "关于" in clean and "关于" not in published
    assert "老时时2011081901" in render_html(seeds["003"], variant="plain")
    assert "老时时2011081901" not in render_html(seeds["003"], variant="plain", with_spam=False)


@pytest.mark.parametrize("template,year", [("2019", 2019), ("2021", 2021)])
def test_active_table_cells_carry_the_stats(template, year):
    report = generate_report("凉州区人民政府", "620602", year, template, 9)
    active = next(g for g in html_tables(render_html(report, variant="plain")) if g[0][0] == "第二十条第（一）项")
    by_label = {row[0]: row[1:] for row in active}
    stats = {(s.row, s.column): s.raw for s in report.stats if s.table == "active"}
    if template == "2019":
        assert by_label["行政许可"] == [squash(stats["licensing", c]) for c in ("prev_year_items", "change", "decisions")]
        assert by_label["政府集中采购"][:2] == [stats["procurement", "procurement_items"],
                                             stats["procurement", "procurement_amount"]]
    else:
        assert by_label["行政规范性文件"] == [stats["normative_docs", c] for c in ("issued", "repealed", "in_force")]
        assert set(by_label["行政事业性收费"]) == {stats["fees", "amount_10k_yuan"]}  # one cell over three columns


def test_seed_tables_render_from_the_flattened_text():
    report = seed_documents()["004"]
    tables = list(html_tables(render_html(report, variant="word", seed=4)))
    assert len(tables) == 3
    applications = next(t for t in tables if "申请人情况" in t[0])
    assert applications[3][3:] == ["4", "0", "0", "0", "0", "0", "4"]
    assert applications[-2][3:] == ["4", "0", "0", "0", "0", "0", "4"]
    active = next(t for t in tables if t[0][0] == "第二十条第（一）项")
    assert ["行政许可", "0", "0", "0"] in active
    seed_002 = list(html_tables(render_html(seed_documents()["002"], variant="editor")))
    assert ["行政许可", "无", "无", "无"] in seed_002[0]


def test_legacy_paragraphs_vary_between_p_and_br():
    report = generate_report("平潭县人民政府", "350128", 2010, "free", 1)
    fragments = [render_html(report, variant="legacy", seed=s) for s in range(8)]
    assert any("</font><br>" in f for f in fragments) and any("</font></p>" in f for f in fragments)
