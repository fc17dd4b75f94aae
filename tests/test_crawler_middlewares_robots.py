"""robots.txt is obeyed for every request, including those queued while it downloads."""

from __future__ import annotations

import yaml

from crawlrun import run_spider
from fidelityserver import FidelityServer


def test_requests_waiting_for_robots_txt_are_all_checked(tmp_path):
    with FidelityServer() as server:
        private = [f"{server.base}/private/{name}" for name in "abcdef"]
        registry = tmp_path / "registry.yaml"
        registry.write_text(yaml.safe_dump({"sources": [{
            "name": "fidelity", "agency": "测试局", "region_code": "110000",
            "root": f"{server.base}/", "columns": [*private, f"{server.base}/plain"],
        }]}, allow_unicode=True), encoding="utf-8")
        result = run_spider(registry, tmp_path / "data", {"NIANBAO_CAPTURE_ENABLED": False})
    fetched = {request["url"] for request in result["requests"]}
    assert f"{server.base}/robots.txt" in fetched
    assert f"{server.base}/plain" in fetched
    assert not fetched & set(private)
    assert result["stats"]["robotstxt/forbidden"] == len(private)
