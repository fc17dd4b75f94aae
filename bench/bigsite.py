"""A generated agency site of any size, served by its own process: ``python -m bench.bigsite``.

One TRS-like site on 127.0.0.1 whose 政府信息公开年报 column (``/zwgk/zfxxgk/zfxxgknb/``) lists
``documents`` report pages, ``per_page`` to a list page. Every list page calls
``createPageHTML(pages, current, "index", "html")``, so the column page alone names every list
page ``index_K.html``: the ``reports`` spider queues them all at once, and its frontier holds a
request per list page at its peak. Report pages are ``./YYYYMM/tYYYYMMDD_ID.html``, small but
shaped like the real ones (TRS meta tags, ``div.TRS_Editor``, the statistics table).

Pages are made from their path when asked: nothing is on disk and nothing is kept, so the
server's memory does not grow with the site. ``SiteProcess`` starts the server as a context
manager; closing its standard input stops it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bench.measure import READY, start_server, stop_server

HOST = "127.0.0.1"
COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
PER_PAGE = 10  # what TRS list templates show (fuzhou-czj in the sample web too)
SOURCE = {"name": "bigsite", "agency": "福州市人民政府", "region_code": "350100", "cms": "trs", "level": "prefecture"}
# The city's departments publish their reports in the city's column, year after year.
DEPARTMENTS = (
    "福州市发展和改革委员会", "福州市教育局", "福州市科学技术局", "福州市工业和信息化局", "福州市公安局", "福州市民政局",
    "福州市司法局", "福州市财政局", "福州市人力资源和社会保障局", "福州市自然资源和规划局", "福州市生态环境局",
    "福州市城乡建设局", "福州市交通运输局", "福州市水利局", "福州市农业农村局", "福州市商务局", "福州市文化和旅游局",
    "福州市卫生健康委员会", "福州市应急管理局", "福州市审计局", "福州市市场监督管理局", "福州市统计局",
    "福州市医疗保障局", "福州市城市管理委员会",
)
FIRST_YEAR, YEARS = 2008, 18  # report years 2008-2025, published early the next year
FIRST_DOC_ID = 1_000_000
DETAIL_RE = re.compile(rf"^{COLUMN}(\d{{6}})/t(\d{{8}})_(\d+)\.html$")
LIST_RE = re.compile(rf"^{COLUMN}index_(\d+)\.html$")
ROBOTS = "User-agent: *\nDisallow: /dyb/\n"

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8" />
<meta name="SiteName" content="{agency}" />
{meta}
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="/images/trt_ui_v2.css">
</head>
<body>
<div class="header"><a href="/"><img src="/images/site_logo.png" alt="{agency}" /></a>
<ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="javascript:;">办事服务</a></li></ul></div>
<div class="main">{main}</div>
<div class="footer"><p>主办单位：{agency}</p><p>网站标识码：3501000001 闽ICP备05001234号</p></div>
</body>
</html>
"""
ROOT = '<ul><li><a href="{column}">政府信息公开年报</a></li><li><a href="javascript:;">政府信息公开指南</a></li></ul>'
LIST = """<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<div class="list">
{items}
</div>
<script type="text/javascript">createPageHTML({pages}, {page}, "index", "html");</script>
"""
ITEM = '<dl><dd><a href="./{href}" target="_blank" title="{title}">{title}</a></dd><dd>{date}</dd></dl>'
DETAIL = """<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<div class="article_title">{title}</div>
<div class="article_extend"><span>来源：{department}</span><span>时间：{date} 09:30</span></div>
<div class="article_content"><div class=TRS_Editor>
<p>根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息公开办公室有关要求，{department}编制{year}年政府信息公开工作年度报告。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。</p>
<p>一、总体情况</p>
<p>{year}年，{department}坚持以公开为常态、不公开为例外，围绕中心工作做好主动公开、依申请公开和政策解读，全年主动公开政府信息{published}条。</p>
<p>二、主动公开政府信息情况</p>
<table border="1"><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td>{issued}</td><td>{repealed}</td><td>{valid}</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p>
<p>本年度共收到政府信息公开申请{requests}件，均在法定期限内答复。</p>
<p>四、存在的主要问题及改进情况</p>
<p>一是公开内容的规范性有待提高；二是政策解读形式较为单一。下一步将加强培训，丰富解读形式。</p>
<p style="text-align:right">{department}</p>
<p style="text-align:right">{published_date}</p>
</div></div>
"""


@dataclass(frozen=True)
class Report:
    """Report page ``index`` of the column (0 = newest), all from its index."""

    index: int
    department: str
    year: int
    published: str  # YYYY-MM-DD
    doc_id: int

    @classmethod
    def of(cls, index: int) -> Report:
        year = FIRST_YEAR + YEARS - 1 - (index // len(DEPARTMENTS)) % YEARS
        month, day = 1 + index % 3, 1 + index // 3 % 28
        return cls(index, DEPARTMENTS[index % len(DEPARTMENTS)], year, f"{year + 1}-{month:02d}-{day:02d}",
                   FIRST_DOC_ID + index)

    @property
    def title(self) -> str:
        return f"{self.department}{self.year}年政府信息公开工作年度报告"

    @property
    def href(self) -> str:
        """The page's path in the column directory."""
        stamp = self.published.replace("-", "")
        return f"{stamp[:6]}/t{stamp}_{self.doc_id}.html"


@dataclass(frozen=True)
class BigSite:
    """The generated column: ``documents`` report pages, ``per_page`` to a list page."""

    documents: int
    per_page: int = PER_PAGE

    @classmethod
    def of_urls(cls, urls: int, per_page: int = PER_PAGE) -> BigSite:
        """The site whose list and report pages number ``urls`` (rounded)."""
        return cls(max(1, urls * per_page // (per_page + 1)), per_page)

    @property
    def pages(self) -> int:
        return -(-self.documents // self.per_page)

    @property
    def urls(self) -> int:
        """List and report pages: what the spider fetches besides robots.txt."""
        return self.pages + self.documents

    def list_path(self, page: int) -> str:
        return COLUMN if page == 0 else f"{COLUMN}index_{page}.html"

    def detail_path(self, index: int) -> str:
        return COLUMN + Report.of(index).href

    def page(self, path: str) -> str | None:
        """The HTML at ``path``, or None when the site has no such page."""
        if path in ("/", "/index.html"):
            main = ROOT.format(column=COLUMN)
            return PAGE.format(agency=SOURCE["agency"], meta="", title=SOURCE["agency"], main=main)
        if path in (COLUMN, f"{COLUMN}index.html"):
            return self._list(0)
        if (match := LIST_RE.match(path)) and 0 < int(match.group(1)) < self.pages:
            return self._list(int(match.group(1)))
        if (match := DETAIL_RE.match(path)) and 0 <= (index := int(match.group(3)) - FIRST_DOC_ID) < self.documents:
            report = Report.of(index)
            return self._detail(report) if COLUMN + report.href == path else None
        return None

    def _list(self, page: int) -> str:
        first = page * self.per_page
        reports = map(Report.of, range(first, min(first + self.per_page, self.documents)))
        items = "\n".join(ITEM.format(href=r.href, title=r.title, date=r.published) for r in reports)
        main = LIST.format(items=items, pages=self.pages, page=page)
        return PAGE.format(agency=SOURCE["agency"], meta='<meta name="ColumnName" content="政府信息公开年报" />',
                           title=f"政府信息公开年报_{SOURCE['agency']}", main=main)

    def _detail(self, report: Report) -> str:
        n = report.doc_id
        meta = (f'<meta name="ArticleTitle" content="{report.title}" />\n'
                f'<meta name="PubDate" content="{report.published} 09:30" />\n'
                f'<meta name="ContentSource" content="{report.department}" />')
        main = DETAIL.format(title=report.title, department=report.department, date=report.published,
                             year=report.year, published=40 + n % 360, issued=n % 7, repealed=n % 3,
                             valid=10 + n % 40, requests=n % 25, published_date=report.published)
        return PAGE.format(agency=SOURCE["agency"], meta=meta, title=report.title, main=main)


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the site's pages; keep-alive, like the servers crawlers meet."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    # Head and body are two writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK of the head, tens of milliseconds per page.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == "/robots.txt":
            status, content_type, text = 200, "text/plain", ROBOTS
        else:
            html = self.server.site.page(path)
            status, content_type, text = (200, "text/html", html) if html is not None else (404, "text/html", "")
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a hundred thousand requests are not worth a line each."""


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: BigSite, port: int = 0) -> None:
        super().__init__((HOST, port), Handler)
        self.site = site

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"


def registry_entry(origin: str) -> dict:
    """The site's registry entry (settings/registry.py), starting at its column."""
    return {**SOURCE, "root": f"{origin}/", "columns": [f"{origin}{COLUMN}"]}


class SiteProcess:
    """``BigSite`` served by a child process, as a context manager: ``.origin``, ``.site``."""

    def __init__(self, site: BigSite) -> None:
        self.site = site
        self.origin = ""
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> SiteProcess:
        command = [sys.executable, "-m", "bench.bigsite", "--documents", str(self.site.documents),
                   "--per-page", str(self.site.per_page)]
        self._process, origin = start_server(command, "the generated site")
        self.origin = origin
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            stop_server(self._process)
            self._process = None

    def write_registry(self, path: Path) -> Path:
        text = yaml.safe_dump({"sources": [registry_entry(self.origin)]}, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path


def serve(site: BigSite, port: int = 0) -> None:
    """Serve ``site`` until standard input closes; say ``ready <origin>`` first."""
    with SiteServer(site, port) as server:
        thread = threading.Thread(target=server.serve_forever, name="bigsite", daemon=True)
        thread.start()
        print(READY, server.origin, flush=True)
        sys.stdin.read()
        server.shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a generated 年报 column of any size (bench).")
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--per-page", type=int, default=PER_PAGE)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    serve(BigSite(args.documents, args.per_page), args.port)


if __name__ == "__main__":
    main()
