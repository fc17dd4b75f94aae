"""nianbao's own crawler signals, sent with ``crawler.signals.send_catch_log``.

Receivers connect with ``crawler.signals.connect(handler, signal=...)``.
"""

from __future__ import annotations

capture_written = object()
"""A capture's records are on disk. Arguments: ``capture`` (``archive.records.Capture``).

Sent on the reactor thread, once per exchange, in the order the records were written; the
response record's id was stored in ``request.meta["warc_record_id"]`` when it was downloaded.
"""

download_failed = object()
"""A download ended without an answer (DNS error, refused connection, timeout, size limit,
lost data). Arguments: ``request``, ``exception``. Sent before RetryMiddleware decides on a
retry, so every attempt is reported.
"""
