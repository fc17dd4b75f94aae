"""Traditional script and pinyin glosses for mirror copies."""

from __future__ import annotations

import re

from sampleweb.content import add_pinyin, generate_report, render_html, to_mirror, to_traditional


def test_to_traditional():
    assert to_traditional("政府信息公开工作年度报告") == "政府信息公開工作年度報告"
    assert to_traditional("关于") == "關於"


def test_add_pinyin_glosses_known_characters_deterministically():
    text = to_traditional("关于政府信息公开工作年度报告的通知") * 5
    glossed = add_pinyin(text, seed=3, rate=0.3)
    assert glossed == add_pinyin(text, seed=3, rate=0.3)
    assert re.search(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", glossed)
    assert re.sub(r"\([^)]*\)", "", glossed) == text
    assert add_pinyin("開", rate=1.0) == "開(kāi)"


def test_mirror_keeps_numbers_and_stats():
    report = generate_report("凉州区人民政府", "620602", 2021, "2021", 1)
    mirror = to_mirror(report, seed=2)
    assert mirror.script == "traditional" and mirror.stats == report.stats
    assert "報告" in re.sub(r"\([^)]*\)", "", mirror.title)
    assert "(" in render_html(mirror)
    for original, copied in zip(report.blocks, mirror.blocks):
        if not isinstance(original, str):
            assert [c[1:] for row in original.rows for c in row] == [c[1:] for row in copied.rows for c in row]
