"""The translation worker: takes queued translation jobs, runs the pipeline, files the result.

Jobs are rows of the ``translations`` table under a lease, like deliveries: a worker that dies
mid-translation leaves its row to be taken up again once the lease has run out, and the
translation memory makes the second attempt cheap. While a job runs, a heartbeat extends its
lease (a long release on a neural engine may take minutes). The pipeline runs in a thread: the
engines block (Apertium is a subprocess, CTranslate2 a C++ call) and must not stall the event loop
that also sends deliveries.
"""

from __future__ import annotations

import asyncio
import logging
import time

from ..domain import text
from ..domain.errors import NewswireError
from ..domain.events import Event
from ..services.metrics import Metrics
from ..services.translations import TranslationService, source_fields
from ..storage import translations as tr
from ..translation.engines.base import UnsupportedPair
from .loop import OnLoop

log = logging.getLogger("newswire.translation")
LEASE = 120  # seconds; the heartbeat renews it every LEASE / 4


class TranslationWorker(OnLoop):
    def __init__(self, translations: TranslationService, worker_id: str, *, lease: int = LEASE, idle: float = 1.0,
                 metrics: Metrics | None = None):
        self.translations, self.id, self.lease, self.idle = translations, worker_id[:64], lease, idle
        self.metrics = metrics
        self.beat = time.monotonic()  # when the loop or the heartbeat last went round (readiness)
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self, _event: Event | None = None) -> None:
        """A bus handler: translation jobs were queued."""
        self.poke()

    def stop(self) -> None:
        self._stopping = True
        self.poke()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stopping:
            self.beat = time.monotonic()
            self._wake.clear()
            try:
                row = await asyncio.to_thread(self.translations.claim, self.id, self.lease)
            except Exception:  # the worker must outlive a database hiccup
                log.exception("claiming a translation job failed; retrying")
                row = None
            if row is None:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle)
                except TimeoutError:
                    pass
                continue
            work = asyncio.ensure_future(asyncio.to_thread(self.translate, row))
            while not work.done():  # the heartbeat: keep the lease while the engine works
                done, _ = await asyncio.wait({work}, timeout=self.lease / 4)
                self.beat = time.monotonic()
                if not done:
                    await asyncio.to_thread(self._heartbeat, row)
            try:
                work.result()
            except Exception:  # filing the result failed (a database hiccup): the lease runs out, it is retried
                log.exception("translation job %s could not be filed; it is taken up again after its lease", row.id)

    def run_once(self) -> tr.Row | None:
        """Claim and translate one job, synchronously (the CLI, tests). None if nothing was queued."""
        row = self.translations.claim(self.id, self.lease)
        return self.translate(row) if row is not None else None

    def _heartbeat(self, row: tr.Row) -> None:
        try:
            self.translations.progress(row, self.id, None, None, self.lease)
        except Exception:
            log.exception("could not renew the lease of translation %s", row.id)

    def translate(self, row: tr.Row) -> tr.Row | None:
        """Run one claimed job to its end: review/ready with the result, or failed with a reason."""
        job = self.translations.job(row)
        if job is None:
            return None  # re-queued meanwhile (a correction): the new job does the work
        release, glossary = job

        def progress(done: int, total: int) -> None:
            self.translations.progress(row, self.id, done, total, self.lease)

        fields, started = source_fields(release), time.perf_counter()
        try:
            result = self.translations.pipeline.translate(fields, release.language, row.language,
                                                    glossary, human=row.human, progress=progress)
        except UnsupportedPair as exc:  # the operator removed an engine after the job was queued
            self.translations.fail(row, self.id, str(exc))
            self._count("failed")
            return None
        except (NewswireError, OSError, ValueError, RuntimeError) as exc:
            log.exception("translating release %s into %s failed", row.release_id, row.language)
            self.translations.fail(row, self.id, f"{type(exc).__name__}: {exc}")
            self._count("failed")
            return None
        done = self.translations.complete(row, self.id, result)
        self._count(done.status if done is not None else "superseded", fields, time.perf_counter() - started)
        log.info("translation %s", done.status if done is not None else "superseded",
                 extra={"release_id": row.release_id, "language": row.language})
        return done

    def _count(self, result: str, fields: dict[str, str] | None = None, seconds: float | None = None) -> None:
        if self.metrics is None:
            return
        self.metrics.translations.labels(result).inc()
        if fields is not None:
            self.metrics.translated_words.inc(sum(len(text.html_to_text(v).split()) for v in fields.values()))
        if seconds is not None:
            self.metrics.translation_seconds.observe(seconds)
