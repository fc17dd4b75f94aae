"""Signals of the distributed mode (Scrapy sentinel objects, sent with ``send_catch_log``)."""

from __future__ import annotations

request_handled = object()
"""A request the scheduler handed out is finished with: its callback or errback output has
been scheduled, or it ended in a downloader exception that no middleware turned into a new
request. Argument: ``request``. The scheduler then releases its lease once its capture is on
disk (crawler/distributed/scheduler.py).
"""
