"""Injected keyword runs and lottery tokens are cut; legitimate words never are."""

from __future__ import annotations

import pytest

from pipelines.spam import clean_lines, cut_spam, strip_pinyin


def test_seed_004_injection_cut_without_restoring_anything():
    line = "2020年,我局认真落实省、市比分直播,篮球比分直播政务公开工作的决策部署"
    assert cut_spam(line) == ("2020年,我局认真落实省、市政务公开工作的决策部署", ["比分直播,篮球比分直播"])


def test_lottery_draw_token_line_disappears():
    lines, removed = clean_lines(["局機關各科室", "老时时2011081901"])
    assert lines == ["局機關各科室"] and removed == ["老时时2011081901"]


def test_traditional_and_full_width_injections_match_in_place():
    assert cut_spam("推進澳門新葡京,真人百家樂政務公開") == ("推進政務公開", ["澳門新葡京,真人百家樂"])
    assert cut_spam("公开ｂｅｔ３６５工作") == ("公开工作", ["ｂｅｔ３６５"])


def test_a_run_takes_its_weak_words_and_domain_along():
    assert cut_spam("详见澳门银河官网 www.amyh66.vip 欢迎") == ("详见 欢迎", ["澳门银河官网 www.amyh66.vip"])


@pytest.mark.parametrize("line", [
    "全年销售福利彩票和体育彩票共计3.2亿元。",
    "加强与香港、澳门特别行政区的交流合作。",
    "开展娱乐场所消防安全专项检查。",
    "发展成人教育和社区教育。",
    "依法查处六合彩赌博案件3起，打击赌球违法犯罪活动。",
    "规范棋牌室等经营场所管理。",
    "召开全省社会福利视频会议，推进平台建设和在线服务。",
    "加快三项重点工作。",
])
def test_legitimate_text_is_never_cut(line):
    assert cut_spam(line) == (line, [])


def test_mirror_pinyin_annotations_stripped():
    assert strip_pinyin("六安市印發(fā)2019年度政務(wù)公開，函数(a)") == ("六安市印發2019年度政務公開，函数(a)", 2)
