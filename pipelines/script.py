"""Traditional or simplified script, and the simplified form used for search, keys and spam.

Mirror sites republish government pages in traditional script; the original text is kept,
and a simplified copy (OpenCC ``t2s``) is what everything else matches on.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import opencc

# Share of CJK characters that t2s changes above which a text is traditional. Simplified
# text keeps a few traditional forms (names, 於), far below this.
TRADITIONAL_SHARE = 0.04
MIN_CHANGED = 3
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# Full-width ASCII (！…～) and the ideographic space, folded as NFKC folds them.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


_local = threading.local()  # one converter per thread: extraction runs in worker threads


def _t2s() -> opencc.OpenCC:
    converter = getattr(_local, "t2s", None)
    if converter is None:
        converter = _local.t2s = opencc.OpenCC("t2s")
    return converter


def to_simplified(text: str) -> str:
    """``text`` in simplified script (OpenCC t2s; simplified text passes through)."""
    return _t2s().convert(text) if text else text


def detect_script(text: str, simplified: str | None = None) -> str:
    """``"traditional"`` or ``"simplified"``: the share of CJK characters t2s changes."""
    simplified = to_simplified(text) if simplified is None else simplified
    if simplified == text:
        return "simplified"
    changed = sum(a != b for a, b in zip(text, simplified))
    cjk = len(CJK_RE.findall(text))
    if not cjk or changed < MIN_CHANGED:
        return "simplified"
    return "traditional" if changed / cjk > TRADITIONAL_SHARE else "simplified"


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """The matching form of a text: simplified, full-width folded to ASCII, lower case.

    Length-preserving per character, so offsets in the result are offsets in ``text``
    (characters whose normal form has another length are kept as they are).
    """
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        simplified = "".join(_char_simplified(c) for c in text)
    folded = simplified.translate(FULL_WIDTH).lower()
    if len(folded) != len(text):
        folded = "".join(_fold(c) for c in simplified)
    return folded


@lru_cache(maxsize=8192)
def _char_simplified(char: str) -> str:
    out = to_simplified(char)
    return out if len(out) == 1 else char


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    out = unicodedata.normalize("NFKC", char).lower()
    return out if len(out) == 1 else char
