"""What the desk's tests share: a stand-in translation engine (word by word, tags kept, as
tests/standins.py's dictionary) that crashes on any segment naming Wile, so that a release's
Spanish version has one flagged segment held for review, as in tests/test_translation_desk.py."""

from __future__ import annotations

from standins import dictionary_translate

from newswire.translation.engines.base import EngineError
from newswire.translation.memory import SqlMemory
from newswire.translation.pipeline import Pipeline
from newswire.translation.registry import Registry


class CrashesOnWile:
    """An HTML-carrying engine en → es that fails on one sentence, as a real engine might."""

    name, html = "standin", True

    def pairs(self):
        return {("en", "es")}

    def translate(self, segments, source, target, glossary=None):
        if any("Wile" in s for s in segments):
            raise EngineError("segmentation fault")
        return [dictionary_translate(s, glossary.forced_for(target) if glossary else None) for s in segments]


def use_standin(wire):
    wire.translations.use_pipeline(Pipeline(Registry([CrashesOnWile()], {}, (), {}),
                                            SqlMemory(wire.engine, wire.clock)))
    return wire


def translate_all(wire, worker_id="translator") -> list:
    worker, done = wire.translation_worker(worker_id), []
    while (row := worker.run_once()) is not None:
        done.append(row)
    return done


def flagged_release(wire, editor, sample, **fields):
    """A release published by the desk whose Spanish version waits in review with one flagged segment."""
    use_standin(wire)
    r = wire.releases.create(editor, {**sample, "issuer": "acme", "target_languages": ["es"], **fields})
    wire.releases.publish(editor, r.id)
    [row] = translate_all(wire)
    assert row.status == "review" and row.flagged == 1, row
    return r.id, next(s for s in row.segments if s["status"] == "flagged")


def submitted_release(wire, keys, sample, **fields) -> int:
    """The sample release created and submitted by its issuer, acme."""
    acme = wire.accounts.authenticate(keys["acme"])
    r = wire.releases.create(acme, {**sample, **fields})
    return wire.releases.submit(acme, r.id).id
