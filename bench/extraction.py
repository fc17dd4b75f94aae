"""Extraction benchmark: nianbao against plain trafilatura + htmldate, on the same pages.

Documents: the real 平潭 pages (../shared/corpus) and the five seeds (../shared/seeds) with
the hand-written gold of tests/data/gold, and every live page of the sample web (truth from
its manifest, gold body from the reports it renders). Printed side by side: per-field
accuracy, chrome and spam strings left in the text, body character F1 against the gold
body (sample web), and documents per second of extraction alone (one core).

    python bench/extraction.py [--night N] [--no-sample-web]

Tests import ``sample_web_documents``, ``char_f1`` and ``CHROME_PROBES`` from here, so the
numbers the tests hold the extractor to are the ones this benchmark prints.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
GOLD_DIR = REPO / "tests" / "data" / "gold"
KEYS = ("title", "agency", "region_code", "report_year", "publish_date", "doc_type", "template", "script")
# Site chrome that must never reach the text (counted only where the gold body lacks it).
CHROME_PROBES = (
    "浏览次数", "阅读次数", "点击数", "字号", "扫一扫", "当前位置", "您现在的位置", "打印本页", "打印此文",
    "关闭窗口", "Produced By", "大汉网络", "版权所有", "网站标识码", "ICP备", "公网安备", "文件下载", "政策咨询",
    "如果您对该政策文件有疑问", "分享到", "索引号", "发布机构", "长者模式", "无障碍", "附件下载", "QQ空间",
)


@dataclass
class Document:
    """A page with its truth: keys, the gold body when known, strings that must not remain."""

    name: str
    body: bytes
    url: str
    headers: dict = field(default_factory=dict)
    hints: dict = field(default_factory=dict)
    truth: dict = field(default_factory=dict)
    gold_body: str | None = None
    chrome: list[str] = field(default_factory=list)
    spam: list[str] = field(default_factory=list)


def gold_documents() -> list[Document]:
    """The corpus pages and seeds with their hand-written gold (empty when ../shared is absent)."""
    docs = []
    for path in sorted(GOLD_DIR.glob("*.json")):
        gold = json.loads(path.read_text("utf-8"))
        source = SHARED / gold["path"]
        if source.is_file():
            docs.append(Document(path.stem, source.read_bytes(), gold["url"], hints=gold["hints"],
                                 truth={k: gold[k] for k in KEYS}, chrome=gold["without"],
                                 spam=gold["removed"]))
    return docs


def gold_body(report) -> str:
    """A sample-web report's clean text as nianbao writes text: paragraphs as lines, tables as
    rows of cells (``pipelines.tables`` grids)."""
    from pipelines import tables
    from sampleweb.content.model import Table

    out = []
    for block in report.blocks:
        if isinstance(block, Table):
            out += [block.caption] if block.caption else []
            rows = [[(text.replace("\n", ""), rowspan, colspan) for text, rowspan, colspan in row]
                    for row in block.rows]
            out.append(tables.grid_text(tables.expand_spans(rows)))
        else:
            out.append(block)
    return "\n".join(out)


def _fetch(url: str) -> tuple[dict, bytes]:
    """GET ``url`` (retrying a 5xx once, as a crawler would), body decoded of gzip."""
    for _ in range(2):
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                headers, body, status = dict(response.headers.items()), response.read(), response.status
        except urllib.error.HTTPError as error:
            headers, body, status = dict(error.headers.items()), error.read(), error.code
        if status < 500:
            break
    if {k.lower(): v for k, v in headers.items()}.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return headers, body


def sample_web_documents(web, attachments: bool = False) -> list[Document]:
    """Every live page of the sample web's current night, fetched over HTTP, with the
    registry's hints; with ``attachments``, every attachment too (hinted with the title of
    the page linking it, as the crawler knows it).

    ``truth`` holds the manifest's keys, plus ``defaced``/``year_conflict`` for pages and
    ``needs_ocr``/``stub`` for attachments.
    """
    manifest = web.manifest()
    sites = {site["name"]: site for site in manifest["sites"]}
    wanted = []
    for doc in manifest["documents"]:
        if doc["status"] != "live":
            continue
        site = sites[doc["site"]]
        hints = {"agency": site["agency"], "region_code": site["region_code"]} if site["in_scope"] else {}
        keys = {k: doc[k] for k in KEYS}
        if not site["in_scope"]:
            keys.pop("region_code")  # a mirror off the registry: its region is not on the page
        page = {**keys, "defaced": doc["defaced"], "year_conflict": doc["year_conflict"]}
        body_text = None
        if doc["format"] == "html":
            body_text = gold_body(web.web.entry(doc["key"]).report)
        else:
            page.pop("template")  # the page only points to its attachment
        wanted.append((doc, doc["url"], hints, page, body_text))
        for attachment in doc["attachments"] if attachments else ():
            truth = {"stub": True} if attachment["stub"] else {
                **{k: v for k, v in keys.items() if k != "publish_date"},
                "needs_ocr": attachment["needs_ocr"], "stub": False}
            wanted.append((doc, attachment["url"], {**hints, "list_title": doc["title"]}, truth, None))
    with ThreadPoolExecutor(8) as pool:
        fetched = list(pool.map(lambda w: _fetch(w[1]), wanted))
    docs = []
    for (doc, url, hints, truth, body_text), (headers, body) in zip(wanted, fetched):
        chrome = [p for p in CHROME_PROBES if body_text is not None and p not in body_text]
        docs.append(Document(f"{doc['key']} {url}", body, url, headers, hints, truth,
                             body_text, chrome, list(doc["spam"]) if url == doc["url"] else []))
    return docs


def _fold(text: str) -> str:
    from pipelines.script import to_simplified
    from pipelines.spam import strip_pinyin

    return to_simplified(strip_pinyin(text)[0])


def char_f1(text: str, gold: str) -> float:
    """Bag-of-characters F1 of ``text`` against ``gold`` (simplified, pinyin, spaces and cell
    bars ignored)."""
    found, wanted = (Counter(c for c in _fold(t) if not c.isspace() and c != "|") for t in (text, gold))
    overlap = sum((found & wanted).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(found.values()), overlap / sum(wanted.values())
    return 2 * precision * recall / (precision + recall)


def same(field_name: str, found, truth) -> bool:
    """Field equality as researchers read it: titles compared in simplified script."""
    if field_name == "title" and found and truth:
        return _fold(found) == _fold(truth)
    return found == truth


def nianbao(doc: Document) -> dict:
    from pipelines.extract import extract

    return extract(doc.body, doc.url, doc.headers, doc.hints)


def baseline(doc: Document) -> dict:
    """Plain trafilatura (text, title) and htmldate (date); nothing else is produced."""
    import htmldate
    import trafilatura

    extracted = trafilatura.bare_extraction(doc.body, url=doc.url, with_metadata=True, include_tables=True,
                                            include_comments=False)
    result = extracted.as_dict() if extracted is not None else {}
    text = result.get("text") or (doc.body.decode("utf-8", "replace") if not doc.body.lstrip().startswith(b"<")
                                  else "")
    try:
        date = htmldate.find_date(doc.body.decode("utf-8", "replace"), original_date=True, url=doc.url)
    except ValueError:
        date = None
    return {"title": result.get("title"), "publish_date": date, "text": text}


def evaluate(docs: list[Document], system: Callable[[Document], dict]) -> dict:
    """Accuracy per field, strings left, body F1 and speed of one system over ``docs``.

    Speed is documents per second of this process's CPU time, after one warm-up document
    (imports), so other work on a shared machine does not count against it.
    """
    system(docs[0])
    started = time.process_time()
    records = [system(doc) for doc in docs]
    elapsed = time.process_time() - started
    right, produced = Counter(), Counter()
    chrome_left = spam_left = 0
    scores = []
    for doc, record in zip(docs, records):
        for key, truth in doc.truth.items():
            if key in KEYS:
                produced[key] += key in record
                right[key] += same(key, record.get(key), truth)
        text = record.get("text") or ""
        chrome_left += sum(probe in text for probe in doc.chrome)
        spam_left += sum(spam in text for spam in doc.spam)
        if doc.gold_body is not None:
            scores.append(char_f1(text, doc.gold_body))
    counted = Counter(key for doc in docs for key in doc.truth if key in KEYS)
    return {"right": right, "produced": produced, "counted": counted, "chrome_left": chrome_left,
            "spam_left": spam_left, "f1": scores, "docs_per_s": len(docs) / elapsed if elapsed else 0.0}


def _cell(result: dict, key: str) -> str:
    total = result["counted"][key]
    if not result["produced"][key]:
        return "— (not produced)"
    return f"{result['right'][key]}/{total} {100 * result['right'][key] / total:5.1f}%"


def report(docs: list[Document]) -> str:
    """The side-by-side table."""
    ours, theirs = evaluate(docs, nianbao), evaluate(docs, baseline)
    rows = [("field", "nianbao", "trafilatura + htmldate")]
    rows += [(key, _cell(ours, key), _cell(theirs, key)) for key in KEYS]
    rows.append(("chrome strings left", str(ours["chrome_left"]), str(theirs["chrome_left"])))
    rows.append(("spam strings left", str(ours["spam_left"]), str(theirs["spam_left"])))

    def f1(result: dict) -> str:
        scores = result["f1"]
        return f"mean {sum(scores) / len(scores):.4f}, min {min(scores):.4f}" if scores else "n/a"

    rows.append((f"body char F1 ({len(ours['f1'])} gold bodies)", f1(ours), f1(theirs)))
    rows.append(("docs/s (one core, CPU time)", f"{ours['docs_per_s']:.1f}", f"{theirs['docs_per_s']:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--night", type=int, default=0, help="sample web night (default 0)")
    parser.add_argument("--no-sample-web", action="store_true", help="only the real pages and seeds")
    args = parser.parse_args(argv)
    docs = gold_documents()
    if not args.no_sample_web:
        from sampleweb.server import SampleWeb

        with SampleWeb(night=args.night, port=0) as web:
            docs += sample_web_documents(web)
    print(f"{len(docs)} documents ({len(gold_documents())} real pages and seeds with hand-written gold)")
    print(report(docs))


if __name__ == "__main__":
    main()
