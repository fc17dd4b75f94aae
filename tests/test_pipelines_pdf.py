"""One pass over a PDF (pipelines.pdf) reads what pdfminer and pdfplumber read in two."""

from __future__ import annotations

import io
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextContainer

from pipelines.pdf import read_pdf
from pipelines.tables import pdf_grids
from sampleweb.content import generate_report, render_pdf, to_mirror
from sampleweb.items import attachments, plan_items
from sampleweb.web import RENDERERS

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def pdfs() -> dict[str, bytes]:
    """Every PDF of the sample web (text layers and 图片版 scans), reports of every template
    era (one a traditional-script mirror with spam), and the shared material's PDFs if any."""
    found = {a.filename: RENDERERS[a.format](item.report) for item in plan_items().values()
             for a in attachments(item) if a.extension == "pdf" and not a.stub}
    for seed, year in enumerate((2012, 2018, 2020, 2023)):
        report = generate_report("某某县人民政府", "350128", year, seed=seed)
        found[f"generated {year}"] = render_pdf(report)
    found["mirror with spam"] = render_pdf(to_mirror(report, seed=1), with_spam=True)
    for folder in ("corpus", "seeds"):
        found |= {path.name: path.read_bytes() for path in sorted((SHARED / folder).glob("**/*.pdf"))}
    return found


def two_passes(body: bytes) -> tuple[list[str], list, int]:
    """What extraction read before the single pass: pdfminer's pages for the text, a second
    interpretation by pdfplumber for the grids."""
    lines, images = [], 0
    for page in extract_pages(io.BytesIO(body), laparams=LAParams(boxes_flow=None)):
        for element in page:
            if isinstance(element, LTTextContainer):
                lines.extend(element.get_text().splitlines())
            elif isinstance(element, (LTFigure, LTImage)):
                images += 1
    return lines, pdf_grids(body), images


def typed(grids: list) -> list:
    """Grids with each cell's type: a span copy must stay one."""
    return [[[(type(cell).__name__, cell) for cell in row] for row in grid] for grid in grids]


def test_one_pass_reads_the_same_lines_grids_and_images_as_two():
    found = pdfs()
    assert len(found) >= 11 and any(b"/DCTDecode" in body for body in found.values())  # scans included
    differing = []
    for name, body in found.items():
        lines, grids, images = two_passes(body)
        content = read_pdf(body)
        if (content.lines, typed(content.grids), content.images) != (lines, typed(grids), images):
            differing.append(name)
    assert differing == []


def test_tables_and_text_of_a_report_come_out_of_one_read():
    content = read_pdf(render_pdf(generate_report("某某县人民政府", "350128", 2020, seed=0)))
    assert content.lines[0] == "某某县人民政府2020年政府信息公开工作年度报告" and content.images == 0
    assert len(content.grids) == 4 and content.grids[0][1][:2] == ["信息内容", "本年新制作数量"]
