"""Bytes to text: pick the charset of a government page the way the page means it.

Order of evidence: a byte-order mark; bytes that are valid UTF-8 (random GBK text almost
never is); the HTTP ``Content-Type`` charset; ``<meta charset>`` / ``<meta http-equiv>``;
GB18030 (a superset of GB2312 and GBK, the usual undeclared charset). A page no candidate
decodes cleanly is decoded with replacement characters and reported as such.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declared labels that mean "some GB charset": decode them all as the superset.
GB_ALIASES = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"})
# Server defaults that decode any byte: on a Chinese page they are never what was meant.
WESTERN_DEFAULTS = frozenset({"iso8859-1", "cp1252", "ascii"})
FALLBACK = "gb18030"
SNIFF_BYTES = 4096

CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
META_RE = re.compile(rb"<meta\b[^>]*>", re.I)


def header_charset(headers: Mapping[str, bytes | str] | None) -> str | None:
    """The charset named by a ``Content-Type`` header, if any."""
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            raw = value if isinstance(value, bytes) else str(value).encode("latin-1", "replace")
            match = CHARSET_RE.search(raw)
            return match.group(1).decode("ascii").lower() if match else None
    return None


def meta_charset(body: bytes) -> str | None:
    """The charset declared by the first ``<meta>`` that declares one (HTML5 or http-equiv)."""
    for tag in META_RE.findall(body[:SNIFF_BYTES]):
        match = CHARSET_RE.search(tag)
        if match:
            return match.group(1).decode("ascii").lower()
    return None


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a declared label, or None for an unknown label."""
    if not label:
        return None
    label = label.strip().lower()
    if label in GB_ALIASES:
        return FALLBACK
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_body(body: bytes, headers: Mapping[str, bytes | str] | None = None) -> tuple[str, str, bool]:
    """Decode ``body``; return ``(text, charset, clean)``.

    ``clean`` is False when no candidate decoded every byte and replacement characters
    were used.
    """
    for bom, charset in BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(charset, errors="replace"), charset, True
    try:
        return body.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        pass
    declared = [normalize_charset(header_charset(headers)), normalize_charset(meta_charset(body))]
    candidates = [
        c for c in dict.fromkeys([*declared, FALLBACK])
        if c and c != "utf-8" and c not in WESTERN_DEFAULTS
    ]
    for charset in candidates:
        try:
            return body.decode(charset), charset, True
        except UnicodeDecodeError:
            continue
    charset = candidates[0] if candidates else FALLBACK
    return body.decode(charset, errors="replace"), charset, False
