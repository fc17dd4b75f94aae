"""Traditional script and pinyin glosses, as the mirror copies of gov pages show them."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache

import opencc

from .model import Report, Table

# Pinyin of characters frequent in 年报 text, keyed by both scripts; mirrors gloss only a
# few characters, machine-picked, so one reading per character is faithful enough.
PINYIN: dict[str, str] = {}
for chars, reading in (
    ("发發", "fā"), ("布", "bù"), ("政", "zhèng"), ("府", "fǔ"), ("信", "xìn"), ("息", "xī"),
    ("公", "gōng"), ("开開", "kāi"), ("工", "gōng"), ("作", "zuò"), ("年", "nián"), ("度", "dù"),
    ("报報", "bào"), ("告", "gào"), ("申", "shēn"), ("请請", "qǐng"), ("处處", "chǔ"), ("理", "lǐ"),
    ("情", "qíng"), ("况況", "kuàng"), ("主", "zhǔ"), ("动動", "dòng"), ("依", "yī"), ("行", "xíng"),
    ("复復", "fù"), ("议議", "yì"), ("诉訴", "sù"), ("讼訟", "sòng"), ("监監", "jiān"), ("督", "dū"),
    ("务務", "wù"), ("规規", "guī"), ("范範", "fàn"), ("文", "wén"), ("件", "jiàn"), ("数數", "shù"),
    ("量", "liàng"), ("总總", "zǒng"), ("计計", "jì"), ("关關", "guān"), ("于於", "yú"), ("市", "shì"),
    ("县縣", "xiàn"), ("区區", "qū"), ("局", "jú"), ("会會", "huì"), ("员員", "yuán"), ("民", "mín"),
    ("法", "fǎ"), ("律", "lǜ"), ("建", "jiàn"), ("设設", "shè"), ("平", "píng"), ("台臺", "tái"),
    ("网網", "wǎng"), ("站", "zhàn"), ("新", "xīn"), ("闻聞", "wén"), ("通", "tōng"), ("知", "zhī"),
    ("要", "yào"), ("点點", "diǎn"), ("落", "luò"), ("实實", "shí"), ("安", "ān"), ("全", "quán"),
    ("管", "guǎn"), ("机機", "jī"), ("构構", "gòu"), ("单單", "dān"), ("位", "wèi"), ("项項", "xiàng"),
):
    PINYIN.update(dict.fromkeys(chars, reading))


@cache
def _converter(config: str = "s2t") -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    """Simplified → traditional (OpenCC s2t)."""
    return _converter().convert(text)


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s): a mirror capture back in its original script."""
    return _converter("t2s").convert(text)


def add_pinyin(text: str, seed: int = 0, rate: float = 0.08) -> str:
    """Gloss about ``rate`` of the known characters with their pinyin: 發(fā)布."""
    rng = random.Random(f"pinyin:{seed}")
    return "".join(f"{ch}({PINYIN[ch]})" if ch in PINYIN and rng.random() < rate else ch for ch in text)


def to_mirror(report: Report, seed: int = 0) -> Report:
    """The copy a mirror site shows: traditional script, some characters glossed with pinyin.

    Numbers and statistics are unchanged; the mirror is still the same report.
    """
    def convert(text: str) -> str:
        return add_pinyin(to_traditional(text), seed)

    blocks = tuple(
        Table(convert(b.caption), tuple(tuple((convert(t), r, c) for t, r, c in row) for row in b.rows), b.kind)
        if isinstance(b, Table) else convert(b)
        for b in report.blocks)
    return replace(report, title=convert(report.title), blocks=blocks, script="traditional")
