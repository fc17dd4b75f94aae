"""The source registry: one entry per agency site, loaded and validated into ``Source`` records.

A registry is a YAML file with a top-level ``sources`` list. Bundled registries live in
``settings/sources/<name>.yaml`` and are named by ``<name>`` (``sample``, ``real``); any other
argument is read as a path. This module imports nothing from Scrapy.

A crawl takes the whole registry, one entry (``--source``) or a machine's shard of it
(``--shard K/N``, ``shard_of``): entries grouped by the hosts they may fetch from, so a host
is never crawled by two machines and its history stays in one data directory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
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
SHARD_RE = re.compile(r"^(\d+)/(\d+)$")


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


def crawl_entries(name_or_path: str | Path, source: str | None = None, shard: str | None = None) -> list[Source]:
    """The entries a crawl takes: the registry's, or the one named ``source``, of the shard
    ``shard`` (``"K/N"``; empty or None: all). ``RegistryError`` for a malformed registry, an
    unknown ``source`` or a malformed shard."""
    entries = load_registry(name_or_path)
    if shard:
        k, n = parse_shard(shard)
        entries = shard_of(entries, k, n)
    if source is not None:
        entries = [entry for entry in entries if entry.name == source]
        if not entries:
            where = f" in shard {shard}" if shard else ""
            raise RegistryError(f"registry {name_or_path}: no entry named {source!r}{where}")
    return entries


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` → ``(K, N)``: shard K of N, 1 ≤ K ≤ N."""
    match = SHARD_RE.match(text.strip())
    if match is None:
        raise RegistryError(f"shard {text!r}: expected K/N, as in 1/2 (this machine takes share K of N)")
    k, n = int(match[1]), int(match[2])
    if not 1 <= k <= n:
        raise RegistryError(f"shard {text!r}: K must be between 1 and N")
    return k, n


def shard_of(entries: Sequence[Source], k: int, n: int) -> list[Source]:
    """The entries of shard ``k`` of ``n`` (1-based), in registry order.

    Entries sharing a host (any of their ``hosts``, directly or through other entries) form
    one group, and a group goes to the shard its first host (in sorted order) hashes to
    (SHA-1, stable across processes and machines). So one host is crawled by one shard, the
    shards cover every entry once, and an entry stays in its shard as long as its group's
    first host does.
    """
    if not 1 <= k <= n:
        raise RegistryError(f"shard {k}/{n}: K must be between 1 and N")
    group = host_groups(entries)
    return [entry for entry in entries if _shard_index(group[entry.name], n) == k - 1]


def host_groups(entries: Sequence[Source]) -> dict[str, str]:
    """Entry name → the first host (sorted) of its group: entries linked by shared hosts."""
    parent: dict[str, str] = {}

    def root(host: str) -> str:
        while parent[host] != host:
            parent[host] = parent[parent[host]]
            host = parent[host]
        return host

    for entry in entries:
        hosts = [host.lower() for host in entry.hosts]
        for host in hosts:
            parent.setdefault(host, host)
        for host in hosts[1:]:
            first, other = sorted((root(hosts[0]), root(host)))
            parent[other] = first  # the smaller host stays the root: the group's key
    return {entry.name: root(entry.hosts[0].lower()) for entry in entries}


def _shard_index(key: str, n: int) -> int:
    return int.from_bytes(hashlib.sha1(key.encode("utf-8")).digest()[:8], "big") % n


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
