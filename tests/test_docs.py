"""Docs checked against code: every setting and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import settings
from nianbao.cli import main

REPO = Path(__file__).resolve().parent.parent
CODE_DIRS = ("crawler", "archive", "pipelines", "nianbao", "settings")


def setting_names() -> list[str]:
    return [name for name in vars(settings) if name.isupper()]


def test_every_setting_is_documented():
    doc = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [name for name in setting_names() if f"`{name}`" not in doc]
    assert missing == []


def test_every_nianbao_setting_read_by_code_has_a_default():
    read = set()
    for folder in CODE_DIRS:
        for path in (REPO / folder).rglob("*.py"):
            read |= set(re.findall(r"[\"'](NIANBAO_[A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    assert sorted(read - set(setting_names())) == []


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"`nianbao {name}" not in readme]
    assert missing == []
