"""Non-report items that sit in 年报 columns: a 工作要点 letter, a task notice, a guide."""

from __future__ import annotations

import datetime as dt
import random

from .model import Report, Table
from .narrative import Writer, chinese_date

SUPERIORS = ("省政府办公厅", "市政府办公室", "市政务公开办公室", "县政府办公室")
LETTER = (
    "{superior}：",
    "根据《关于做好{year}年政府信息公开工作要点落实情况督查及政府信息公开工作年度报告有关事项的通知》要求，"
    "现将{we}{year}年政府信息公开工作要点落实情况函告如下：",
    "一、{year}年政府信息公开工作要点落实情况",
    "（一）扎实推进政府信息主动公开。对照工作要点逐项分解任务，明确责任科室和完成时限，"
    "重点领域信息公开按要求全部落实到位。",
    "（二）加强政策解读和回应关切。围绕重要政策文件开展解读，及时回应社会关切。",
    "（三）规范依申请公开工作。完善受理、审查、答复等环节的工作流程，做到依法依规办理。",
    "二、下一步工作打算",
    "{next}年，{we}将继续按照上级部署要求，进一步加大政府信息公开力度，认真编制并按时发布"
    "政府信息公开工作年度报告。",
    "特此函告。",
)
TASK_NOTICE = (
    "各科室、各下属单位：",
    "为深入贯彻落实《{year}年政务公开工作要点》，经研究，现将《{agency}{year}年度政务公开工作任务分工》"
    "印发给你们，并就有关事项通知如下：",
    "一、提高思想认识。各科室要把政务公开工作摆上重要位置，主要负责人亲自过问，确保各项任务落实到位。",
    "二、强化责任落实。对照任务分工，细化工作措施，明确完成时限，按要求及时公开相关信息。",
    "三、加强督促检查。办公室将定期对任务落实情况进行检查，检查结果纳入年度考核。",
    "附件：{year}年度政务公开工作任务分工",
)
TASKS = (
    ("加强政策解读", "重要政策文件出台后同步发布解读材料", "办公室"),
    ("做好依申请公开", "在法定期限内依法答复政府信息公开申请", "办公室、法规科"),
    ("细化财政资金公开", "按时公开部门预决算和“三公”经费", "财务科"),
    ("编制年度报告", "在规定时限前发布上一年度政府信息公开工作年度报告", "办公室"),
    ("加强平台建设", "规范政府信息公开专栏栏目设置，及时更新内容", "信息中心"),
)
GUIDE = (
    "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
    "一、主动公开",
    "（一）公开范围。{agency}主动公开的政府信息包括机构职能、政策文件、规划计划、财政资金、"
    "政府信息公开工作年度报告等。",
    "（二）公开方式。通过政府门户网站政府信息公开专栏、政府信息公开查阅点等方式公开。",
    "二、依申请公开",
    "公民、法人或者其他组织可以通过网上申请、信函申请、当面申请等方式向{agency}申请获取政府信息。",
    "三、监督方式",
    "公民、法人或者其他组织认为{agency}在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。",
)
NOTICE_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "workpoints_letter": ("关于{year}年政府信息公开工作要点落实情况的函", LETTER),
    "task_notice": ("{agency}关于印发{year}年度政务公开工作任务分工的通知", TASK_NOTICE),
    "guide": ("{agency}政府信息公开指南（{year}年版）", GUIDE),
}
# Month range in which each kind is usually posted.
POSTED_MONTHS = {"workpoints_letter": (11, 12), "task_notice": (3, 7), "guide": (1, 6)}


def generate_notice(agency: str, region_code: str, year: int, kind: str, seed: int = 0) -> Report:
    """A non-report item of a 年报 column (doc_type "other", template None).

    ``report_year`` is None; ``body_year`` is the year the item speaks of.
    """
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}; one of {sorted(NOTICE_KINDS)}")
    rng = random.Random(f"notice:{agency}:{year}:{kind}:{seed}")
    w = Writer(rng, agency, year)
    title, lines = NOTICE_KINDS[kind]
    fields = dict(w.fields, superior=rng.choice(SUPERIORS))
    blocks: list[str | Table] = [line.format(**fields) for line in lines]
    if kind == "task_notice":
        rows = [(("序号", 1, 1), ("工作任务", 1, 1), ("具体要求", 1, 1), ("责任科室", 1, 1))]
        rows += [((str(i), 1, 1), (task, 1, 1), (detail, 1, 1), (owner, 1, 1))
                 for i, (task, detail, owner) in enumerate(rng.sample(TASKS, rng.randint(3, len(TASKS))), 1)]
        blocks.append(Table("", tuple(rows)))
    low, high = POSTED_MONTHS[kind]
    posted = dt.date(year, rng.randint(low, high), rng.randint(1, 28))
    blocks += [agency, chinese_date(posted.year, posted.month, posted.day)]
    return Report(title=title.format(**fields), agency=agency, region_code=region_code, report_year=None,
                  template=None, doc_type="other", blocks=tuple(blocks), body_year=year,
                  publish_date=posted.isoformat())
