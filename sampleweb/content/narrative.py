"""Report narrative from the phrase banks, quoting the report's own numbers (rule 6)."""

from __future__ import annotations

import random
from collections.abc import Mapping

from . import phrases as P
from .schema import REVIEW_ROWS

DIGITS = "〇一二三四五六七八九"


def self_reference(agency: str) -> tuple[str, str]:
    """How a report names its own body and its whole: ("我局", "全局")."""
    for suffix, we, scope in P.SELF_REFERENCE:
        if agency.endswith(suffix):
            return we, scope
    return "我单位", "全单位"


def chinese_date(year: int, month: int, day: int, zero: str = "〇") -> str:
    """二〇一二年二月二十日 (``zero`` may be ○ as some sites type it)."""
    def number(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ("" if tens < 2 else DIGITS[tens]) + ("十" if tens else "") + (DIGITS[ones] if ones else "")

    digits = "".join(DIGITS[int(d)] for d in str(year)).replace("〇", zero)
    return f"{digits}年{number(month)}月{number(day)}日"


class Writer:
    """Fills phrase-bank sentences for one report, picking variants with its own rng."""

    def __init__(self, rng: random.Random, agency: str, year: int) -> None:
        self.rng = rng
        we, scope = self_reference(agency)
        self.fields = {"agency": agency, "we": we, "scope": scope, "year": year, "next": year + 1}

    def pick(self, bank: tuple[str, ...], **extra: object) -> str:
        return self.rng.choice(bank).format(**self.fields, **extra)

    def some(self, bank: tuple[str, ...], low: int, high: int) -> str:
        """Several sentences of a bank joined into one paragraph."""
        chosen = self.rng.sample(bank, self.rng.randint(low, min(high, len(bank))))
        return "".join(s.format(**self.fields) for s in chosen)

    def overview(self) -> str:
        """The opening sentence; the 新时代 wording only from 2018 on."""
        modern = P.OVERVIEW_SINCE_2018 if self.fields["year"] >= 2018 else ()
        return self.pick(P.OVERVIEW + modern)

    def intro(self, parts: list[str]) -> str:
        rng = self.rng
        return self.pick(
            P.INTRO, parts="、".join(parts),
            address=f"{rng.choice(P.STREETS)}{rng.randint(1, 299)}号",
            postcode=f"{rng.randint(100, 850)}{rng.randint(0, 999):03d}",
            phone=f"0{rng.randint(310, 939)}-{rng.randint(2000000, 8999999)}")


def application_claims(w: Writer, apps: Mapping[tuple[str, str], int], *, misquote: int = 0) -> str:
    """The 依申请公开 paragraph of a template report; ``misquote`` shifts the 新收 number (rule 6)."""
    def total(*rows: str) -> int:
        return sum(apps[row, "total"] for row in rows)

    year, we = w.fields["year"], w.fields["we"]
    verb = w.rng.choice(["收到", "新收", "受理"])
    text = f"{year}年，{we}共{verb}政府信息公开申请{apps['new_received', 'total'] + misquote}件"
    if apps["carried_over", "total"]:
        text += f"，上年结转{apps['carried_over', 'total']}件"
    rows = {row for row, column in apps if column == "total"}
    denied = total(*(r for r in rows if r.startswith("denied_")))
    unavailable = total(*(r for r in rows if r.startswith("unavailable_")))
    rejected = total(*(r for r in rows if r.startswith("rejected_")))
    other = total(*(r for r in rows if r == "other" or r.startswith("other_")))
    text += (f"。办结{apps['total_processed', 'total']}件，其中予以公开{apps['granted', 'total']}件，"
             f"部分公开{apps['partially_granted', 'total']}件，不予公开{denied}件，无法提供{unavailable}件，"
             f"不予处理{rejected}件，其他处理{other}件；结转下年度继续办理{apps['carried_forward', 'total']}件。")
    return text + w.pick(P.APPLICATION_PRACTICE)


def review_claims(w: Writer, review: Mapping[tuple[str, str], int]) -> str:
    """The 复议/诉讼 sentence: quotes the printed 总计 cells."""
    year, we = w.fields["year"], w.fields["we"]
    reviews = review[REVIEW_ROWS[0][0], "total"]
    lawsuits = review[REVIEW_ROWS[1][0], "total"] + review[REVIEW_ROWS[2][0], "total"]
    if not reviews and not lawsuits:
        return f"{year}年，{we}未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    return f"{year}年，{we}因政府信息公开被申请行政复议{reviews}件，被提起行政诉讼{lawsuits}件。"


def template_overview(w: Writer, apps, review, proactive: int, *, misquote: int = 0) -> list[str]:
    """一、总体情况 of a 2019/2021 template report, five sub-parts."""
    sub = [w.rng.choice(v) for v in P.SUBHEADINGS_TEMPLATE]
    year, we = w.fields["year"], w.fields["we"]
    return [
        w.overview() + w.pick(P.ORGANIZATION),
        sub[0],
        f"{year}年，{we}通过政府门户网站、政府信息公开专栏等渠道主动公开政府信息{proactive}条。"
        + w.some(P.PROACTIVE, 2, 3),
        sub[1],
        application_claims(w, apps, misquote=misquote) + review_claims(w, review),
        sub[2], w.some(P.MANAGEMENT, 1, 3),
        sub[3], w.some(P.PLATFORM, 1, 2),
        sub[4], w.some(P.SUPERVISION, 1, 3),
    ]


def closing(w: Writer, template: str) -> tuple[list[str], list[str]]:
    """五、problems and improvements; 六、other matters (2021: 信息处理费 too)."""
    problems = [w.pick(P.PROBLEMS), w.pick(P.IMPROVEMENTS)]
    other = [w.pick(P.OTHER_MATTERS)]
    if template == "2021":
        other.insert(0, w.pick(P.FEES_2021))
    return problems, other


def free_sections(w: Writer, legacy: Mapping[str, tuple[int, int]], *, misquote: int = 0
                  ) -> tuple[list[tuple[str, list[str]]], dict[str, str]]:
    """The free-form parts as (heading key, paragraphs), and {legacy row id: quoting sentence}."""
    year, we = w.fields["year"], w.fields["we"]
    value = {label: v[0] for label, v in legacy.items()}
    proactive_sentence = (f"{year}年，{we}共主动公开政府信息{value['主动公开信息数']}条，其中通过政府网站公开"
                          f"{value['其中：1.网站公开']}条，通过政府公报公开{value['2.政府公报公开']}条。")
    received = value["受理依申请公开信息总数"]
    if received:
        application_sentence = (
            f"{year}年，{we}共受理政府信息公开申请{received + misquote}件，其中当面申请"
            f"{value['其中：1.当面申请数']}件，网上申请{value['2.网上申请数']}件，信函申请{value['3.信函申请数']}件。"
            f"已答复{value['对申请的答复数']}件，其中同意公开{value['其中：1.同意公开答复数']}件，"
            f"同意部分公开{value['2.同意部分公开答复数']}件，不予公开{value['3.否决公开答复数']}件。")
    else:
        application_sentence = f"{year}年，{we}未收到政府信息公开申请。"
    reviews, lawsuits = value["行政复议数"], value["行政诉讼数"]
    review_sentence = (f"{year}年，{we}因政府信息公开申请行政复议{reviews}件，提起行政诉讼{lawsuits}件。"
                       if reviews or lawsuits else
                       f"{year}年，{we}未发生因政府信息公开申请行政复议、提起行政诉讼的情况。")
    fees_sentence = w.pick(P.FEES_FREE)
    quotes = {"proactive_items": proactive_sentence, "reviews": review_sentence, "lawsuits": review_sentence,
              "fees_yuan": fees_sentence}
    if received:
        quotes.update(applications_received=application_sentence, applications_granted=application_sentence,
                      applications_partial=application_sentence, applications_denied=application_sentence)
    else:
        quotes["applications_received"] = application_sentence
    sections = [
        ("overview", [w.overview(), w.pick(P.ORGANIZATION)]),
        ("proactive", [proactive_sentence + w.some(P.PROACTIVE, 1, 3)]),
        ("applications", [application_sentence + w.pick(P.APPLICATION_PRACTICE)]),
    ]
    if w.rng.random() < 0.3:  # five-part reports fold fees and reviews into one part
        sections.append(("fees_review", [fees_sentence + review_sentence]))
    else:
        sections += [("fees", [fees_sentence]), ("review", [review_sentence])]
    sections.append(("problems", [w.pick(P.PROBLEMS), w.pick(P.IMPROVEMENTS)]))
    if w.rng.random() < 0.3:
        sections.append(("other", [w.pick(P.OTHER_MATTERS)]))
    return sections, quotes
