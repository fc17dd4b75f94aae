from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from settings.registry import (
    RegistryError,
    Source,
    crawl_entries,
    host_groups,
    load_registry,
    parse_entry,
    parse_shard,
    shard_of,
)


def write(tmp_path, text: str):
    path = tmp_path / "reg.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_real_registry_loads_with_scope_hosts():
    sources = {s.name: s for s in load_registry("real")}
    pingtan = sources["pingtan"]
    assert isinstance(pingtan, Source)
    assert pingtan.verified is True
    assert pingtan.hosts == ("www.pingtan.gov.cn",)
    assert pingtan.columns == ("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/",)
    assert any(not s.verified for s in sources.values())


def test_hosts_include_columns_and_explicit_hosts(tmp_path):
    path = write(tmp_path, """
sources:
  - name: a
    agency: 某县人民政府
    region_code: "620602"
    root: http://127.0.0.11:8800/
    columns: [http://127.0.0.12:8800/col/col1/index.html]
    hosts: [files.example.gov.cn]
""")
    (source,) = load_registry(path)
    assert source.hosts == ("127.0.0.11:8800", "127.0.0.12:8800", "files.example.gov.cn")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("name: bad\n    agency: x\n    region_code: '62'\n    root: http://a/", "entry 'bad': region_code"),
        ("name: bad\n    agency: x\n    region_code: '620602'\n    root: ftp://a/", "entry 'bad': root"),
        ("name: bad\n    agency: x\n    region_code: '620602'", "entry 'bad': missing root"),
        ("name: bad\n    agency: x\n    region_code: '620602'\n    root: http://a/\n    cms: joomla", "entry 'bad': cms"),
        ("name: bad\n    agency: x\n    region_code: '620602'\n    root: http://a/\n    colums: []", "entry 'bad': unknown field(s) colums"),
        ("agency: x\n    region_code: '620602'\n    root: http://a/", "entry #1: missing name"),
    ],
)
def test_malformed_entry_names_the_entry(tmp_path, entry, message):
    path = write(tmp_path, f"sources:\n  - {entry}\n")
    with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_registry(path)


def test_duplicate_names_and_bad_files(tmp_path):
    entry = "  - {name: a, agency: x, region_code: '620602', root: 'http://a/'}\n"
    with pytest.raises(RegistryError, match="entry 'a': duplicate name"):
        load_registry(write(tmp_path, "sources:\n" + entry + entry))
    with pytest.raises(RegistryError, match="expected a mapping with a 'sources' list"):
        load_registry(write(tmp_path, "- 1\n"))
    with pytest.raises(RegistryError, match="not a bundled registry"):
        load_registry("no-such-registry")


def entry(name: str, root: str, columns: tuple[str, ...] = (), hosts: tuple[str, ...] = ()) -> dict:
    return {"name": name, "agency": "某县人民政府", "region_code": "620602", "root": root,
            "columns": list(columns), "hosts": list(hosts)}


def many_entries(count: int) -> list[Source]:
    """``count`` entries on hosts of their own, and some sharing hosts: a department's column on
    its government's portal, a file server named by two entries."""
    entries = [entry(f"site{i}", f"http://www{i}.example.gov.cn/") for i in range(count)]
    entries += [
        entry("dept-a", "http://dept-a.example.gov.cn/", columns=("http://www3.example.gov.cn/dept-a/ndbg/",)),
        entry("dept-b", "http://dept-b.example.gov.cn/", hosts=("files.example.gov.cn",)),
        entry("dept-c", "http://dept-c.example.gov.cn/", hosts=("FILES.example.gov.cn", "www7.example.gov.cn")),
    ]
    return [parse_entry(raw, index) for index, raw in enumerate(entries)]


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_shards_cover_every_entry_once_and_never_split_a_host(n):
    entries = many_entries(40)
    shards = [shard_of(entries, k, n) for k in range(1, n + 1)]
    names = [source.name for shard in shards for source in shard]
    assert sorted(names) == sorted(source.name for source in entries)  # every entry, once
    owner: dict[str, int] = {}
    for k, shard in enumerate(shards):
        for source in shard:
            for host in source.hosts:
                assert owner.setdefault(host.lower(), k) == k, f"{host} in shards {owner[host.lower()]} and {k}"
    assert all(shard == [s for s in entries if s in shard] for shard in shards)  # registry order kept
    if n > 1:
        assert all(len(shard) >= 40 // n // 3 for shard in shards), [len(shard) for shard in shards]  # spread


def test_entries_sharing_a_host_go_to_one_shard_with_it():
    entries = {source.name: source for source in many_entries(10)}
    groups = host_groups(list(entries.values()))
    assert groups["dept-a"] == groups["site3"]  # its column is on www3's portal
    assert groups["dept-b"] == groups["dept-c"] == groups["site7"]  # through the file server, any case
    assert len({groups[f"site{i}"] for i in range(10)}) == 10  # no two sites share a host


def test_shards_are_stable_across_processes_and_registry_order(tmp_path):
    entries = many_entries(30)
    path = tmp_path / "reg.yaml"
    path.write_text(yaml.safe_dump({"sources": [entry(s.name, s.root, s.columns, s.hosts) for s in entries]}),
                    encoding="utf-8")
    code = ("import sys; from settings.registry import crawl_entries; "
            "print(' '.join(e.name for e in crawl_entries(sys.argv[1], shard='2/3')))")
    # Another interpreter with another string-hash seed picks the same entries.
    other = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert other.stdout.split() == [source.name for source in shard_of(entries, 2, 3)]
    # Entries added or reordered do not move the others.
    grown = list(reversed(entries)) + many_entries(45)[30:40]
    assert {s.name for s in shard_of(entries, 2, 3)} <= {s.name for s in shard_of(grown, 2, 3)}


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", ""])
def test_a_malformed_shard_is_refused(text):
    with pytest.raises(RegistryError, match="shard"):
        parse_shard(text)


def test_crawl_entries_filters_by_source_within_the_shard(tmp_path):
    entries = many_entries(8)
    path = tmp_path / "reg.yaml"
    path.write_text(yaml.safe_dump({"sources": [entry(s.name, s.root, s.columns, s.hosts) for s in entries]}),
                    encoding="utf-8")
    assert parse_shard(" 2/3 ") == (2, 3)
    assert crawl_entries(path) == entries
    (first, *_), (second, *_) = shard_of(entries, 1, 2), shard_of(entries, 2, 2)
    assert crawl_entries(path, first.name, "1/2") == [first]
    with pytest.raises(RegistryError, match=f"no entry named '{second.name}' in shard 1/2"):
        crawl_entries(path, second.name, "1/2")
    with pytest.raises(RegistryError, match="no entry named 'nope'"):
        crawl_entries(path, "nope")
