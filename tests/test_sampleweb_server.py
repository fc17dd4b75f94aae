"""The server: addresses, keep-alive, HEAD, unknown URLs, and the sample-web command."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from urllib.parse import urlsplit

from click.testing import CliRunner
from sampleweb_http import fetch, header

from nianbao.cli import main
from sampleweb.plan import DEFAULT_PORT, SITES


def test_each_site_on_its_own_loopback_address(sample_web):
    addresses = [s["address"] for s in sample_web.sites]
    assert len(set(addresses)) == len(addresses) and all(a.startswith("127.") for a in addresses)
    for site in sample_web.sites:
        assert urlsplit(site["root"]).netloc == f"{site['address']}:{site['port']}"
        status, headers, _ = fetch(site["root"])
        assert status == 200 and header(headers, "Server") and header(headers, "Date")


def test_keep_alive_serves_several_requests_on_one_connection(sample_web):
    site = sample_web.sites[1]
    conn = http.client.HTTPConnection(site["address"], site["port"], timeout=10)
    try:
        conn.request("GET", "/")
        first = conn.getresponse()
        first.read()
        sock = conn.sock
        conn.request("GET", urlsplit(site["landing"]).path)
        second = conn.getresponse()
        second.read()
        assert (first.status, second.status) == (200, 200) and conn.sock is sock is not None
    finally:
        conn.close()


def test_head_sends_the_get_headers_without_body(sample_web):
    url = sample_web.sites[2]["root"]
    get_status, get_headers, body = fetch(url)
    head_status, head_headers, nothing = fetch(url, method="HEAD")
    assert head_status == get_status == 200 and nothing == b"" and body
    assert header(head_headers, "ETag") == header(get_headers, "ETag")
    assert header(head_headers, "Content-Length") == str(len(body))


def test_unknown_urls_are_404(sample_web):
    root = sample_web.sites[0]["root"]
    assert fetch(root + "no/such/page.html")[0] == 404
    assert fetch(root, method="POST", body=b"x=1")[0] == 404


def test_registry_entries_describe_the_in_scope_sites(sample_web):
    from settings.registry import parse_entry

    entries = sample_web.registry()
    sites = {s["name"]: s for s in sample_web.sites if s["in_scope"]}
    assert [e["name"] for e in entries] == list(sites)
    for entry in entries:
        source = parse_entry(entry, 0)
        assert source.columns == tuple(sites[entry["name"]]["columns"]) and source.cms == entry["cms"]
        assert f"{sites[entry['name']]['address']}:{sites[entry['name']]['port']}" in source.hosts


def test_manifest_command_prints_the_default_addresses():
    result = CliRunner().invoke(main, ["sample-web", "--night", "2", "--manifest"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.output)
    assert manifest["night"] == 2
    assert {s["port"] for s in manifest["sites"]} == {DEFAULT_PORT}
    assert manifest["changes"]["defaced"]


def test_serve_prints_sites_then_stops_cleanly_on_sigterm():
    code = "from sampleweb.server import serve; serve(1, port=0)"
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as process:
        try:
            lines = [json.loads(process.stdout.readline()) for _ in SITES]
            assert {line["cms"] for line in lines} == {"hanweb", "trs", "anhui", "gkmlpt", "legacy", "mirror", "portal"}
            assert all({"name", "cms", "root", "columns", "address"} <= set(line) for line in lines)
            assert fetch(lines[0]["columns"][0])[0] == 200
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


def test_pages_load_their_platform_styles_and_scripts(sample_web):
    """A browser gets the stylesheet and the list scripts each platform's pages ask for."""
    import re

    from sampleweb.sites import site_class

    for site in sample_web.sites:
        assets = site_class(site["cms"]).assets
        pages = [fetch(url)[2] for url in [site["root"], *site["columns"]]]
        referenced = {path for page in pages for path in re.findall(rb'(?:href|src)="(/[^"]+\.(?:css|js))"', page)}
        for path, (_, content_type) in assets.items():
            assert path.encode() in referenced, (site["name"], path)
            status, headers, body = fetch(site["root"].rstrip("/") + path)
            assert status == 200 and header(headers, "Content-Type") == content_type and body


def test_latency_delays_each_answer_but_not_the_others():
    """Every answer waits ``latency``; connections are served concurrently, so a parallel batch
    takes about one latency, not the sum."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from sampleweb.server import SampleWeb

    latency, batch = 0.4, 8
    with SampleWeb(night=0, port=0, latency=latency) as web:
        urls = [site["root"] for site in web.sites] * 2
        urls = urls[:batch]

        def timed(url: str) -> tuple[int, float]:
            began = time.monotonic()
            status = fetch(url)[0]
            return status, time.monotonic() - began

        began = time.monotonic()
        with ThreadPoolExecutor(batch) as pool:
            answers = list(pool.map(timed, urls))
        elapsed = time.monotonic() - began
    assert [status for status, _ in answers] == [200] * batch
    assert all(took >= latency for _, took in answers)
    assert elapsed < batch * latency / 3, f"{batch} parallel requests took {elapsed:.2f}s"


def test_a_subnet_serves_every_site_on_its_own_addresses():
    """``subnet`` k moves every site to 127.k.0.x: another instance is other hosts, not other ports."""
    from sampleweb.server import SampleWeb

    with SampleWeb(night=0, port=0, subnet=7) as web:
        for site, spec in zip(web.sites, SITES):
            assert site["address"] == "127.7.0." + spec.address.rsplit(".", 1)[1]
            assert urlsplit(site["root"]).hostname == site["address"]
        assert all(urlsplit(doc["url"]).hostname.startswith("127.7.0.") for doc in web.manifest()["documents"])
        assert all(entry["hosts"][0].startswith("127.7.0.") for entry in web.registry())
        assert fetch(web.sites[0]["root"])[0] == 200
