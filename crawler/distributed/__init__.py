"""Distributed crawling: several workers, on one or more machines, sharing one crawl on Redis.

scrapy-redis provides the scheduler, the serialisation of requests and the shared duplicate
filter; the modules here add what a crawl of government sites needs on top of it: a frontier
of per-host queues that hands a worker requests only for hosts that may start now
(``scheduler``); a request popped by a worker is leased until its outcome is durable, so a worker that
dies loses nothing (``scheduler``, ``leases``, ``heartbeat``); politeness per host holds
across all workers (``politeness``, ``robots``); the spider's own column set is shared
(``spider``). ``worker`` runs one worker, ``pool`` starts several and merges what they wrote.
See docs/distributed.md. Nothing here is imported unless a Redis URL is given.
"""
