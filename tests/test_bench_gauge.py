"""The memory gauge's own peak: the process's, not the peak of the process that started it."""

from __future__ import annotations

import subprocess
import sys

from bench.gauge import peak_rss_mb

PARENT_MB = 300


def test_peak_rss_is_the_process_own_not_its_parents():
    ballast = bytearray(PARENT_MB * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: resident
    assert peak_rss_mb() >= PARENT_MB
    child = subprocess.run([sys.executable, "-c", "from bench.gauge import peak_rss_mb; print(peak_rss_mb())"],
                           capture_output=True, text=True, check=True)
    assert float(child.stdout) < PARENT_MB / 2
    del ballast


def test_a_process_that_is_gone_has_no_peak():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert peak_rss_mb(child.pid) is None
