"""The ``nianbao`` command: thin wrappers over the packages below it."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="nianbao")
def main() -> None:
    """nianbao: archive of government information-disclosure annual reports (政府信息公开工作年度报告)."""
