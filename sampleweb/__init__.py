"""The sample government web: a faithful local model of how agencies publish annual reports.

Serve it with ``sampleweb.server.SampleWeb`` (tests, demo, benchmarks) or ``nianbao sample-web``;
``nianbao sample-web --night N --manifest`` prints the truth. Each site has its own loopback
address, all on port 8800 by default (``port=0`` in tests: free ports). A guide for exploring
it with curl or a browser: docs/sampleweb.md.

=========== ====== =========== ========================================================
site         cms    address     what it models
=========== ====== =========== ========================================================
liangzhou    hanweb 127.0.0.11  county portal; 年报 split into 区政府及部门 / 乡镇（街道）
                                columns; datastore lists, dataproxy.jsp POST paging
fuzhou-czj   trs    127.0.0.12  city department; index_N.html + createPageHTML; 全真版 PDFs;
                                直属单位 sub-column paged by createPageHTML('page_div', …)
luan-sjj     anhui  127.0.0.13  city bureau; /site/label/8888 fragments, pageCount:N
huizhou-…    gkmlpt 127.0.0.14  department; script-loaded column, JSON API with SID
tongling-…   legacy 127.0.0.15  GBK county site; ShowClass.asp pages and year folders
ah-jgswj     anhui  127.0.0.16  provincial bureau on the Anhui platform (seed 000)
mirror       mirror 127.0.0.21  non-government host: traditional copies (out of scope)
luan-gov     portal 127.0.0.22  a city portal in no registry, linked as 外链 (out of scope)
=========== ====== =========== ========================================================

Modules: ``plan`` (what is published where, as data), ``items`` (items and their state per
night), ``nights`` (what changes on nights 0–3), ``sites/`` (one CMS per module),
``hostile`` (link farms, cloaking), ``faults`` (transport faults, and the inventory the
manifest lists), ``web`` (one night's sites), ``wire`` (responses as bytes), ``server``,
``manifest``, ``registry`` (the bundled ``sample`` registry), ``content/`` (report truth and
rendering).

Manifest (``build_manifest(night, sites)``, ``SampleWeb.manifest()``)::

    {"night", "sites": [{name, cms, agency, region_code, root, address, port, domain,
                         site_code, columns, landing, in_scope, level}],
     "documents": [{key, url, list_url, site, column, title, agency, region_code,
                    report_year, publish_date, doc_type, template, format, attachments:
                    [{url, format, filename, stub, needs_ocr, copy, robots}], script,
                    defaced, spam, year_conflict, body_year, status, listed, version, etag,
                    stats, violations, robots}],
     "faults": {robots_disallowed, gzip, chunked, slow, flaky_500, set_cookie_multi,
                gbk_content_disposition, cloaked, redirect_chain, stub_attachment, deleted,
                meta_refresh, mirror, retry_after, offsite_links},
     "changes": {new, edited, deleted, defaced, cleaned}}

``url`` is the document's page; ``list_url`` where its column links it (the start of a
redirect chain differs). ``format`` says where the content lives: ``html`` or only an
attachment (``pdf``, ``docx``, ``xls``, ``xlsx``, ``image`` = a 图片版 PDF without text
layer). Attachments with ``copy`` duplicate an HTML report (TRS 全真版 原件, downloads).
``robots`` is ``disallowed`` when the site's robots.txt covers the page (or the attachment):
a crawler obeying it never fetches them, one ignoring it gets them like any other.
``status`` is ``live``, ``deleted`` (404; ``listed`` stays true while the column still links
it) or ``refresh`` (a meta refresh to the column). ``etag`` is the page's ETag that night
(None when gone; a gzip-encoded answer carries its weak form ``W/"…"``). ``violations``
lists the arithmetic rules (report-format.md 1–6) the report's numbers break.

Fault lists are URLs, except ``redirect_chain`` (lists of URLs from the linked address to
the final page) and ``offsite_links`` ([column URL, off-site URL] pairs: the column lists the
page on another host as a 外链, and the site's articles link it under 相关链接).
``gzip`` URLs are compressed only for clients sending ``Accept-Encoding: gzip``; the
``flaky_500`` URL answers 500 to every odd-numbered request of a night (per server
instance), so each crawl in turn sees 500 and then 200 on its retry; ``retry_after`` list
pages answer 429 (gkmlpt API) or 503 (IIS) with ``Retry-After: 2`` the same way;
``cloaked`` pages serve spam to a Baidu Referer or Baiduspider.
"""
