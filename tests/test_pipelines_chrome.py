"""Chrome lines of unknown layouts: dropped whole; report content never."""

from __future__ import annotations

import pytest

from pipelines.chrome import is_chrome, strip_chrome


@pytest.mark.parametrize("line", [
    "浏览次数：1234", "阅读次数:", "点击数：56", "【字号：大 中 小】", "字号：[大 中 小]", "【打印本页】【关闭窗口】",
    "打印 | 关闭", "分享到：微信 微博 QQ空间", "扫一扫在手机打开当前页", "扫一扫在手机上查看当前页面",
    "当前位置：首页 > 政务公开 > 政府信息公开年报", "首页>政府信息公开>政府信息公开年报", ">政府信息公开>政府信息公开年报>2016",
    "索 引 号：12620600MB0523338C/2020-06557 公开方式：主动公开", "发布机构: 信息公开办 组配分类: 政府信息公开年报",
    "信息来源: 信息公开办 作者:信息公开2 发布日期: 2020-09-29 16:12 浏览次数:", "來源:中國電子政務網 更新時間:2019-07-17",
    "Produced By 大汉网络 大汉版通发布系统", "文件下载", "政策咨询", "解读",
    "如果您对该政策文件有疑问,可以点击“我要问”在线咨询,也可以拨打上方的电话咨询相关部门,或者拨打市长热线:0564-12345。",
    "版权所有：铜陵市郊区人民政府　主办：铜陵市郊区人民政府办公室", "皖ICP备06001796号 网站标识码：3407110001",
    "安徽省机关事务管理局 2018-12-29",
])
def test_chrome_lines(line):
    assert is_chrome(line)


@pytest.mark.parametrize("line", [
    "如对本报告有任何疑问,请与六安市数据资源管理局联系(地址:六安市佛子岭中路168号5楼504室;邮编:237000;联系电话:0564-3382618)。",
    "联系地址：平潭综合实验区北厝金井湾片区管委会大楼主楼14层；邮编：350400；电话：0591-23165250",
    "一、总体情况",
    "2016年，我区加强政府网站、政务微博微信等平台建设，政策解读信息及时发布。",
    "本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3",
    "2019年7月15日",
])
def test_report_content_is_not_chrome(line):
    assert not is_chrome(line)


def test_header_block_before_the_title_of_a_text_capture():
    lines = ["凉州区", "凉州区2016年政府信息公开工作年度报告", "一、概述", "凉州区"]
    assert strip_chrome(lines, "凉州区2016年政府信息公开工作年度报告") == lines[1:]
    long_intro = ["根据《中华人民共和国政府信息公开条例》" * 5, "凉州区2016年政府信息公开工作年度报告"]
    assert strip_chrome(long_intro, "凉州区2016年政府信息公开工作年度报告") == long_intro
