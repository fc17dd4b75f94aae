"""Site chrome left in text lines: the fallback after DOM regions, for unknown layouts.

Patterns are matched on the normalized line (simplified, NFKC, lower case), so the
traditional chrome of mirror sites (更新時間) matches too. A line is dropped only when all
of it is chrome; report content never matches (a preamble's 地址/电话 carry no chrome
label, and footer patterns need a footer marker such as 版权所有 or ICP备).
"""

from __future__ import annotations

import re

from .script import normalize

# Labels of the page's metadata block (Anhui table_suoyin, Hanweb 信息来源 line, TRS
# article_source/article_time): a line made of "label: value" pairs is chrome.
META_LABELS = (
    "索引号", "组配分类", "信息分类", "主题分类", "体裁分类", "服务对象", "发布机构", "发文机关",
    "公开方式", "公开范围", "公开时限", "文件编号", "文号", "发文字号", "发文日期", "成文日期", "生成日期",
    "发布日期", "发布时间", "更新时间", "有效性", "时效性", "信息来源", "来源", "作者", "编辑",
    "责任编辑", "浏览次数", "阅读次数", "点击数", "点击次数", "访问次数", "浏览量", "阅读量",
    "访问量", "阅读", "浏览", "字号", "字体", "时间", "日期", "名称", "主题词", "关键词", "分享到",
    "信息名称", "内容概述", "所属主题", "公开属性", "统一编号",
)
_LABELS = "|".join(" ?".join(map(re.escape, label)) for label in sorted(META_LABELS, key=len, reverse=True))
META_LINE_RE = re.compile(rf"^(?:{_LABELS})\s*[:：]")
MAX_META_LINE = 160

# Whole lines that are chrome (normalized form).
CHROME_LINE_RES: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in (
    # View counters and font-size switches.
    r"^[【\[(]?(浏览|阅读|访问|点击)(次数|量|数)?[:：]?\s*\d*\s*(次)?[】\])]?$",
    r"^[【\[(]?(字号|字体)[:：]?\s*([【\[]?\s*[大中小]\s*[】\]]?\s*)*[】\])]?$",
    r"^[【\[]?\s*[大中小]\s*[】\]]?(\s*[【\[]?\s*[大中小]\s*[】\]]?){2}$",
    # Print / close / favourites / back-to-top buttons, alone or in a row.
    r"^([【\[]?\s*(打印本页|打印此页|打印此文|打印文章|打印|关闭窗口|关闭本页|关闭|返回顶部|返回|收藏本页|收藏|"
    r"我要纠错|纠错|保存本页|分享)\s*[】\]]?\s*[|丨/]?\s*)+$",
    # Sharing and QR codes.
    r"^分享(到)?[:：]?\s*((微信|微博|qq空间|qq|朋友圈|新浪微博|腾讯微博|人人网|豆瓣)\s*)*$",
    r"^((微信|微博|qq空间|朋友圈|新浪微博)\s*)+$",
    r"^扫一扫",
    r"^(用)?手机扫(描|码)",
    # Breadcrumbs.
    r"^(当前位置|您的位置|你的位置|您现在的位置|您当前的位置|所在位置)",
    r"^首页\s*([>＞»›/]|$)",
    r"^[>＞»›]\s*\S",
    # Hanweb credit line.
    r"^produced by",
    # Download / consultation / reading boxes of the Anhui platform and TRS tabs.
    r"^(文件下载|附件下载|相关附件|政策咨询|解读|政策解读|相关解读|相关链接|相关文件|相关阅读|"
    r"全真版|文字版|图片版|上一篇|下一篇)[:：]?$",
    r"^如果您对该政策文件有疑问",
    r"^(上一篇|下一篇)[:：]",
    # Footers.
    r"版权所有",
    r"icp备",
    r"网站标识码",
    r"公网安备",
    r"^(主办单位|承办单位|主办|承办|技术支持|运行维护|维护单位)[:：]",
    r"^(网站地图|联系我们|关于我们|网站声明|隐私声明)(\s*[|丨]\s*(网站地图|联系我们|关于我们|网站声明|隐私声明))*$",
    r"^(长者模式|无障碍浏览|无障碍|繁体版|简体版|English)(\s+(长者模式|无障碍浏览|无障碍|繁体版|简体版|english))*$",
    # A byline: the posting body and an ISO date, alone on a line.
    r"^[\u4e00-\u9fff()（）]{2,30}\s+\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?$",
))


def is_chrome(line: str) -> bool:
    """True when the whole line is site chrome."""
    norm = normalize(line).strip()
    if not norm:
        return True
    if len(norm) <= MAX_META_LINE and META_LINE_RE.match(norm):
        return True
    return any(p.search(norm) for p in CHROME_LINE_RES)


def strip_chrome(lines: list[str], title: str | None = None) -> list[str]:
    """``lines`` without chrome lines.

    When the title appears as a line, a leading block of short lines before it (the page
    header, breadcrumb and metadata table of a text capture) is chrome too.
    """
    kept = [line for line in lines if not is_chrome(line)]
    if title:
        norm_title = normalize(title).replace(" ", "")
        for index, line in enumerate(kept[:20]):
            if normalize(line).replace(" ", "") == norm_title:
                if all(len(before) <= 60 for before in kept[:index]):
                    return kept[index:]
                break
    return kept
