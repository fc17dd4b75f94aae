"""Signals of the archive side (Scrapy sentinel objects); each is documented in docs/signals.md.

capture_written(capture): a WARC response, revisit or failure record is on disk; ``capture`` is
    an ``archive.records.Capture`` with its file, offset and length. Sent on the reactor thread.
"""

capture_written = object()
