"""Scrapy settings for nianbao: assignments only, NIANBAO_* grouped by prefix.

Every setting here is documented in docs/settings.md.
"""

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "nianbao/0.1 (+archive of government information-disclosure annual reports)"

# Politeness: real government servers are slow and fragile.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# A request waiting out its host's delay holds one of CONCURRENT_REQUESTS' places; Scrapy's
# broad-crawl queue hands the downloader requests of the hosts with the fewest in flight, so
# those places spread over many hosts (bench: many_hosts).
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# Items processed at once per response; a callback yields one at most (a document). Scrapy's
# 100 sets up 100 cooperative tasks per response: a quarter of the crawl's CPU per page, and
# 23 KB held by each response waiting for extraction (docs/benchmarks.md, memory).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0
# A host's delay as AutoThrottle sets it, not randomized: Scrapy draws the ±50% afresh at every
# check of a waiting slot, so a request waits until a draw falls below the time elapsed, on
# average longer than the delay, and a latency-bound host got 3.3 requests in flight, not 4.
DOWNLOAD_DELAY_JITTER = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Scrapy 2.19's asyncio reactor starts downloads before it counts a slot's free places, so
# CONCURRENT_REQUESTS_PER_DOMAIN is exceeded; the epoll reactor keeps the per-host limit.
TWISTED_REACTOR = "twisted.internet.epollreactor.EPollReactor"
FEED_EXPORT_ENCODING = "utf-8"

# Where everything goes: NIANBAO_DATA_DIR holds warc/, catalog.db and run state.
NIANBAO_DATA_DIR = "data"
# Catalog file; empty means <NIANBAO_DATA_DIR>/catalog.db.
NIANBAO_CATALOG = ""
NIANBAO_SOURCES = "sample"
# This machine's share of the registry, "K/N" (settings/registry.py shard_of); empty: all of it.
NIANBAO_SHARD = ""
NIANBAO_CAPTURE_ENABLED = True
# Worker processes extracting documents beside the crawl (0: threads of the crawl process).
NIANBAO_EXTRACT_PROCESSES = 2
NIANBAO_WARC_MAX_SIZE = 1_000_000_000
NIANBAO_WARC_PREFIX = "nianbao"
NIANBAO_WARC_GZIP_LEVEL = 1  # zlib level per record: 1 is ~15% larger than 6 at half the CPU
NIANBAO_WARC_QUEUE_SIZE = 64
# Exchanges go to the writer thread 16 at a time, or after 0.25 s: one wake-up per exchange
# cost 6 context switches (writer thread 750 -> 300 µs per page in a zero-latency crawl).
NIANBAO_WARC_WRITE_BATCH = 16
NIANBAO_WARC_WRITE_DELAY = 0.25
# Longest pause a Retry-After header can impose on a host, in seconds.
NIANBAO_RETRY_AFTER_MAX = 300
# Distributed crawl (docs/distributed.md): empty URL means the embedded single-process crawl.
# Replay (nianbao crawl --replay): the data directory whose WARC files answer, and as of when.
NIANBAO_REPLAY_DIR = ""
NIANBAO_REPLAY_AS_OF = ""
NIANBAO_REDIS_URL = ""
NIANBAO_REDIS_CRAWL = ""  # key prefix of the shared crawl; empty: derived from the registry
NIANBAO_REDIS_WORKER_TTL = 30  # seconds without a heartbeat before a worker's requests are reclaimed
NIANBAO_WORKER_ID = ""  # set per worker process (<hostname>-<pid>)
# Derive the catalog's history (archive.history) when the crawl ends; off in distributed workers.
NIANBAO_DERIVE_HISTORY = True
# The archive over time, turned on by `nianbao nightly`: a payload archived already becomes a
# revisit record (digest index in state/digests.db); detail pages and attachments are asked for
# with their validators; documents no list names any more are asked for again. Also set by it:
# its run id (in every capture) and the interrupted run it resumes from its WARC files.
NIANBAO_DEDUP = False
NIANBAO_CONDITIONAL_GET = False
NIANBAO_RUN_ID = None
NIANBAO_RESUME_RUN = None
NIANBAO_RECHECK_KNOWN = False

EXTENSIONS = {
    "crawler.capture.WarcCapture": 100,
    # Pauses a host on 429/503 with Retry-After (a response_downloaded listener, like AutoThrottle).
    "crawler.middlewares.retryafter.RetryAfter": 200,
    "crawler.recheck.RecheckKnown": 300,
}
# Above RetryMiddleware (550): failures must be seen before a retry consumes them.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.failures.FailureSignalMiddleware": 950,
    # Before the robots.txt middleware (100): an off-scope URL never costs a robots.txt fetch.
    "crawler.middlewares.scope.ScopeMiddleware": 50,
    # Scrapy's own lets requests through unchecked while robots.txt is still downloading.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.WaitingRobotsTxtMiddleware": 100,
    # Above HttpCompressionMiddleware (590), below RedirectMiddleware (600): validators, versions.
    "crawler.middlewares.conditional.ConditionalGet": 595,
    # Last before the download: a resumed run's archived answers (NIANBAO_RESUME_RUN).
    "crawler.middlewares.resume.ResumeFromWarc": 900,
}

# Extraction is pure and runs first; the catalog writer is last.
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 300,
    "archive.catalogpipeline.CatalogPipeline": 900,
}
