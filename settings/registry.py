"""The source registry: one entry per agency site, loaded and validated into ``Source`` records.

A registry is a YAML file with a top-level ``sources`` list. Bundled registries live in
``settings/sources/<name>.yaml`` and are named by ``<name>`` (``sample``, ``real``); any other
argument is read as a path. This module imports nothing from Scrapy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

BUNDLED_DIR = Path(__file__).resolve().parent / "sources"

CMS_NAMES = frozenset({"hanweb", "trs", "anhui", "gkmlpt", "legacy", "generic"})
REQUIRED = ("name", "agency", "region_code", "root")
OPTIONAL = ("columns", "cms", "hosts", "verified", "notes", "level")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
REGION_RE = re.compile(r"^(\d{6}|bm\d{2,})$")


class RegistryError(ValueError):
    """Raised by ``load_registry`` for an unreadable registry or a malformed entry."""


@dataclass(frozen=True)
class Source:
    """One agency site to crawl.

    ``hosts`` are the ``host[:port]`` authorities in scope: the root's, the columns', and any
    listed explicitly. Nothing outside them is ever fetched.
    """

    name: str
    agency: str
    region_code: str
    root: str
    columns: tuple[str, ...] = ()
    cms: str | None = None
    hosts: tuple[str, ...] = ()
    verified: bool = True
    level: str | None = None
    notes: str = field(default="", compare=False)


def registry_path(name_or_path: str | Path) -> Path:
    """The file behind a registry argument: a bundled name or a path."""
    text = str(name_or_path)
    bundled = BUNDLED_DIR / f"{text}.yaml"
    if "/" not in text and not text.endswith((".yaml", ".yml")) and bundled.is_file():
        return bundled
    path = Path(text)
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml")))
        raise RegistryError(f"registry {text!r}: no such file, and not a bundled registry ({names})")
    return path


def load_registry(name_or_path: str | Path) -> list[Source]:
    """Read and validate a registry; raise ``RegistryError`` naming the first bad entry."""
    path = registry_path(name_or_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"registry {path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise RegistryError(f"registry {path}: expected a mapping with a 'sources' list")
    sources = [parse_entry(entry, index, path) for index, entry in enumerate(data["sources"])]
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise RegistryError(f"registry {path}: entry {source.name!r}: duplicate name")
        seen.add(source.name)
    return sources


def parse_entry(entry: object, index: int, path: Path | str = "<registry>") -> Source:
    """Validate one registry entry (a mapping) into a ``Source``."""
    label = f"registry {path}: entry #{index + 1}"
    if not isinstance(entry, dict):
        raise RegistryError(f"{label}: expected a mapping, got {type(entry).__name__}")
    if isinstance(entry.get("name"), str):
        label = f"registry {path}: entry {entry['name']!r}"

    def fail(message: str) -> RegistryError:
        return RegistryError(f"{label}: {message}")

    missing = [key for key in REQUIRED if not entry.get(key)]
    if missing:
        raise fail(f"missing {', '.join(missing)}")
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}")
    name = str(entry["name"])
    if not NAME_RE.match(name):
        raise fail("name must be lowercase letters, digits, '.', '_' or '-'")
    region = str(entry["region_code"])
    if not REGION_RE.match(region):
        raise fail(f"region_code {region!r} is not a 6-digit 行政区划代码 (or bmNN for ministries)")
    root = _http_url(entry["root"], "root", fail)
    columns = entry.get("columns") or []
    if not isinstance(columns, list):
        raise fail("columns must be a list of URLs")
    columns = tuple(_http_url(url, "column", fail) for url in columns)
    cms = entry.get("cms")
    if cms is not None and cms not in CMS_NAMES:
        raise fail(f"cms {cms!r} is not one of {', '.join(sorted(CMS_NAMES))}")
    extra_hosts = entry.get("hosts") or []
    if not isinstance(extra_hosts, list) or not all(isinstance(h, str) for h in extra_hosts):
        raise fail("hosts must be a list of host[:port] strings")
    hosts = tuple(dict.fromkeys([_authority(root), *map(_authority, columns), *extra_hosts]))
    return Source(
        name=name,
        agency=str(entry["agency"]),
        region_code=region,
        root=root,
        columns=columns,
        cms=cms,
        hosts=hosts,
        verified=bool(entry.get("verified", True)),
        level=entry.get("level"),
        notes=str(entry.get("notes") or ""),
    )


def _http_url(value: object, what: str, fail) -> str:
    text = str(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail(f"{what} {text!r} is not an http(s) URL")
    return text


def _authority(url: str) -> str:
    return urlsplit(url).netloc.lower()
