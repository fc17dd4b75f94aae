"""Signals of the archive side (Scrapy sentinel objects); each is listed in docs/architecture.md.

capture_written(capture): a capture's records are on disk; ``capture`` is an
    ``archive.records.Capture`` (the response, revisit or failure record, with its file, offset
    and length). Sent on the reactor thread, once per exchange, in the order the records were
    written; the response record's id was stored in ``request.meta["warc_record_id"]`` when it
    was downloaded.
"""

capture_written = object()
