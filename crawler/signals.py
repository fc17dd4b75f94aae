"""nianbao's own crawler signals, sent with ``crawler.signals.send_catch_log``.

Receivers connect with ``crawler.signals.connect(handler, signal=...)``. The archive's
``capture_written`` lives in archive/signals.py, so the catalog need not import the crawler.
"""

from __future__ import annotations

download_failed = object()
"""A download ended without an answer (DNS error, refused connection, timeout, size limit,
lost data). Arguments: ``request``, ``exception``. Sent before RetryMiddleware decides on a
retry, so every attempt is reported.
"""
