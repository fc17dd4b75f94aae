"""Script detection and the simplified, offset-preserving normal form."""

from __future__ import annotations

from pipelines.script import detect_script, normalize, to_simplified


def test_traditional_detected_and_converted():
    text = "六安市審計局關于印發2019年度政務公開暨電子政務目標任務責任清單的通知"
    assert detect_script(text) == "traditional"
    assert to_simplified(text) == "六安市审计局关于印发2019年度政务公开暨电子政务目标任务责任清单的通知"


def test_simplified_text_with_a_few_traditional_forms_stays_simplified():
    assert detect_script("根据《中华人民共和国政府信息公开条例》，现将本局2019年工作情况報告如下。") == "simplified"
    assert detect_script("") == "simplified"


def test_normal_form_keeps_offsets():
    text = "更新時間：２０１９－０７－１７　ＢＥＴ３６５"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm == "更新时间:2019-07-17 bet365"
