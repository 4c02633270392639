"""Prometheus metrics (``prometheus-client``), one registry per built wire (a test builds many).

Two kinds. What this process saw, observed where it happens: each delivery's outcome, how long
its send took and how long after its release event it was recorded (``DeliveryWorker``), each
translation job with its words and seconds (``TranslationWorker``), the live-stream readers
connected here (the ``LiveHub``), the page cache's hits and misses (any cache that registers:
``register_cache``). And what the database says, read at scrape time by ``LedgerCollector``:
the ledger's rows by channel and status, the queue of due deliveries and the age of the oldest,
the translation jobs by status; those are the same on every process, and the per-status counts
(a scan of the ledger) are cached for ``LEDGER_TTL`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .ops import OpsService

CONTENT_TYPE = CONTENT_TYPE_LATEST
LEDGER_TTL = 15.0
SEND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30)
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600)


class CacheStats(Protocol):
    hits: int
    misses: int


class Metrics:
    def __init__(self, ops: OpsService, ledger_ttl: float = LEDGER_TTL):
        self.ledger_ttl = ledger_ttl  # how long the ledger's per-status counts are reused
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.deliveries = Counter("newswire_deliveries_total", "Delivery attempts this process recorded, by "
                                  "channel and outcome (delivered, retry, dead, gone)", ["channel", "outcome"],
                                  registry=r)
        self.send_seconds = Histogram("newswire_delivery_send_seconds", "How long one send took, by channel",
                                      ["channel"], buckets=SEND_BUCKETS, registry=r)
        self.latency = Histogram("newswire_delivery_latency_seconds", "From the release event (publish, "
                                 "correction, withdrawal) to the delivery recorded, first attempts, by channel",
                                 ["channel"], buckets=LATENCY_BUCKETS, registry=r)
        self.translations = Counter("newswire_translation_jobs_total", "Translation jobs this process ran, by "
                                    "result (review, ready, failed)", ["result"], registry=r)
        self.translated_words = Counter("newswire_translation_words_total", "Source words this process "
                                        "translated", registry=r)
        self.translation_seconds = Histogram("newswire_translation_seconds", "How long one translation job took",
                                             buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600), registry=r)
        self.live = _Live()
        self.caches: dict[str, CacheStats] = {}
        r.register(_Collector(ops, self))

    def register_cache(self, name: str, cache: CacheStats) -> None:
        """A cache with ``hits`` and ``misses`` counts (``PageCache``) reported as
        ``newswire_cache_requests_total{cache=name,result=hit|miss}`` and ``newswire_cache_hit_ratio``."""
        self.caches[name] = cache

    def live_readers(self, count: Callable[[], int]) -> None:
        """The live hub's reader count, read at scrape time (``serve``; none in a worker)."""
        self.live.count = count

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Live:
    count: Callable[[], int] | None = None


class _Collector:
    """The gauges read at scrape time: the database's, the live hub's, the caches'."""

    def __init__(self, ops: OpsService, metrics: Metrics):
        self.ops, self.metrics = ops, metrics
        self._lock = threading.Lock()
        self._counts: tuple[float, dict, dict] = (0.0, {}, {})

    def describe(self):
        return []  # described on collect: the registry must not read the database at registration

    def collect(self):
        yield from self._ledger()
        readers = GaugeMetricFamily("newswire_live_readers", "Live-stream (SSE) readers connected to this process")
        readers.add_metric([], self.metrics.live.count() if self.metrics.live.count else 0)
        yield readers
        yield from self._caches()

    def _ledger(self):
        counts, jobs = self._cached_counts()
        rows = GaugeMetricFamily("newswire_ledger_deliveries", "Rows in the delivery ledger by channel and "
                                 f"status (cached {LEDGER_TTL:g} s)", labels=["channel", "status"])
        for (channel, status), n in sorted(counts.items()):
            rows.add_metric([channel, status], n)
        yield rows
        due = self.ops.due()
        depth = GaugeMetricFamily("newswire_delivery_queue_depth", "Pending deliveries whose time has come")
        depth.add_metric([], due.depth)
        yield depth
        age = GaugeMetricFamily("newswire_delivery_oldest_due_age_seconds",
                                "How long the oldest due delivery has waited (0: none waiting)")
        age.add_metric([], due.age)
        yield age
        tj = GaugeMetricFamily("newswire_translation_queue", "Translation jobs by status", labels=["status"])
        for status, n in sorted(jobs.items()):
            tj.add_metric([status], n)
        yield tj

    def _cached_counts(self) -> tuple[dict, dict]:
        with self._lock:
            at, counts, jobs = self._counts
            if time.monotonic() - at >= self.metrics.ledger_ttl:
                counts, jobs = self.ops.delivery_counts(), self.ops.translation_counts()
                self._counts = (time.monotonic(), counts, jobs)
            return counts, jobs

    def _caches(self):
        requests = CounterMetricFamily("newswire_cache_requests", "Cache lookups by cache and result",
                                       labels=["cache", "result"])
        ratio = GaugeMetricFamily("newswire_cache_hit_ratio", "Hits over lookups since the process started",
                                  labels=["cache"])
        for name, cache in sorted(self.metrics.caches.items()):
            hits, misses = cache.hits, cache.misses
            requests.add_metric([name, "hit"], hits)
            requests.add_metric([name, "miss"], misses)
            ratio.add_metric([name], hits / (hits + misses) if hits + misses else 0.0)
        yield requests
        yield ratio
