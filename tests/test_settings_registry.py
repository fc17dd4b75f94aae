from __future__ import annotations

import pytest

from settings.registry import RegistryError, Source, load_registry


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
