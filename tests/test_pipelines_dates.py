"""Dates only from strings already cut out of a field; Chinese numerals."""

from __future__ import annotations

import pytest

from pipelines.dates import parse_date, years_in


@pytest.mark.parametrize("text, date", [
    ("2020-09-29 16:12", "2020-09-29"),
    ("2019年7月15日", "2019-07-15"),
    ("2019.07.17", "2019-07-17"),
    ("20190717", "2019-07-17"),
    ("二○一二年二月二十日", "2012-02-20"),
    ("二〇一八年十二月三十一日", "2018-12-31"),
    ("1588262400", "2020-05-01"),  # gkmlpt timestamps, read in China time
    ("2019-02-30", None),  # no such day: nothing is guessed
    ("1949-10-01", None),  # out of range
    ("浏览次数：25", None),
    ("", None),
])
def test_parse_date(text, date):
    assert parse_date(text) == date


def test_years_in_arabic_and_chinese_numerals_in_order():
    assert years_in("平潭综合实验区2016年度…二〇一八年度报告") == [2016, 2018]
    assert years_in("12019年不是年份") == []
