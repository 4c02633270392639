"""The translation desk, with the real Apertium: editors' segments (kept across corrections, two
editors at once), segments the machine got wrong held for review, glossaries, who may see and
change translations, and a crashed worker's job taken up again."""

from __future__ import annotations


from conftest import auth
from helpers import assert_problem, internal_id
from translation_flow import create, settings, submit_and_approve, translate_all, wire  # noqa: F401
from newswire.domain.subscriptions import Preferences
from newswire.translation.engines.apertium import ApertiumEngine
from newswire.translation.engines.base import EngineError
from newswire.translation.memory import SqlMemory
from newswire.translation.pipeline import Pipeline
from newswire.translation.registry import Registry
from newswire.workers.translation import LEASE
from newswire.services.translations import fields_of
from webhook_receiver import add_webhook, rows



def test_editors_segments_survive_a_correction_and_memory_spares_the_rest(client, wire, keys, sample):
    rid = create(client, keys, sample, target_languages=["es"])
    submit_and_approve(client, keys, rid)
    translate_all(wire)
    detail = client.get(f"/api/v1/releases/{rid}/translations/es", headers=auth(keys["editor"])).json()
    seg = next(s for s in detail["segments"] if s["field"] == "subheadline")
    r = client.patch(f"/api/v1/releases/{rid}/translations/es", headers=auth(keys["editor"]),
                     json={"segments": [{"id": seg["id"], "text": "Más rápido, más <b>seguro</b>, más verde"}]})
    assert r.status_code == 200 and r.json()["status"] == "queued"
    [done] = translate_all(wire)
    assert done.status == "ready" and done.fields["subheadline"] == "Más rápido, más seguro, más verde"

    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    r = client.post(f"/api/v1/releases/{rid}/correct", headers=auth(keys["editor"]),
                    json={"correction_note": "Lead fixed", "lead": "Acme today announced its newest skate."})
    assert r.status_code == 200
    assert client.get(f"/api/v1/releases/{rid}?lang=es").status_code == 404  # re-translating the correction
    [again] = translate_all(wire)
    by_field = {}
    for s in again.segments:
        by_field.setdefault(s["field"], []).append(s)
    assert [s["status"] for s in by_field["subheadline"]] == ["human"]
    assert again.fields["subheadline"] == "Más rápido, más seguro, más verde"
    assert {s["strategy"] for s in by_field["headline"]} == {"memory"}  # unchanged: not sent again
    assert {s["strategy"] for s in by_field["lead"]} == {"engine"}  # changed: translated afresh
    doc = client.get(f"/api/v1/releases/{rid}?lang=es").json()
    assert doc["version"] == "2" and "reviewed by the wire's editors" in doc["ednote"]


def test_two_editors_saving_segments_at_once_keep_both_edits(client, wire, keys, sample, monkeypatch):
    rid = create(client, keys, sample, target_languages=["es"])
    submit_and_approve(client, keys, rid)
    translate_all(wire)
    editor = wire.accounts.authenticate(keys["editor"])
    read, rid = wire.translations.translation, internal_id(wire, rid)  # the service takes the row id
    _, row = read(editor, rid, "es")
    a, b = (s["id"] for s in row.segments[:2])
    interleaved = []

    def reading(principal, release_id, language):
        """Editor A's request has read the translation; editor B's whole save happens before A writes."""
        found = read(principal, release_id, language)
        if not interleaved:
            interleaved.append(True)
            wire.translations.edit_translation(editor, rid, "es", [{"id": b, "text": "La frase de B"}])
        return found

    monkeypatch.setattr(wire.translations, "translation", reading)
    wire.translations.edit_translation(editor, rid, "es", [{"id": a, "text": "La frase de A"}])
    assert interleaved
    _, row = read(editor, rid, "es")
    assert row.human == {a: "La frase de A", b: "La frase de B"}


class Failing:
    """A real engine that crashes on one sentence, as an engine might on odd input."""

    name, html = "apertium", True

    def __init__(self):
        self.inner = ApertiumEngine()

    def pairs(self):
        return self.inner.pairs()

    def translate(self, segments, source, target, glossary=None):
        if any("Wile" in s for s in segments):
            raise EngineError("segmentation fault")
        return self.inner.translate(segments, source, target, glossary)


def test_a_crashing_segment_is_flagged_and_holds_the_version_for_review(client, wire, keys, sample, receiver):
    wire.translations.use_pipeline(Pipeline(Registry([Failing()], {}, (), {}), SqlMemory(wire.engine, wire.clock)))
    add_webhook(wire, receiver.url("/es"), Preferences(languages=("es",)))
    rid = create(client, keys, sample, target_languages=["es"])
    row_id = internal_id(wire, rid)  # the delivery ledger names it by its row
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    [row] = translate_all(wire)
    assert row.status == "review" and row.flagged == 1
    flagged = next(s for s in row.segments if s["status"] == "flagged")
    assert "Wile" in flagged["source"] and "segmentation fault" in " ".join(flagged["problems"])
    assert client.get(f"/api/v1/releases/{rid}?lang=es").status_code == 404  # not published broken
    assert rows(wire, release_id=row_id) == []

    r = client.patch(f"/api/v1/releases/{rid}/translations/es", headers=auth(keys["editor"]),
                     json={"segments": [{"id": flagged["id"], "text": "«Nuestro mejor», dijo <em>Wile E. Coyote</em>."}]})
    assert r.status_code == 200
    [fixed] = translate_all(wire)
    assert fixed.status == "ready"
    assert "<em>Wile E. Coyote</em>" in client.get(f"/api/v1/releases/{rid}?lang=es").text
    assert [(x.language, x.event) for x in rows(wire, release_id=row_id)] == [("es", "release.published")]


def test_a_crashed_worker_s_job_is_taken_up_after_its_lease(wire, editor, sample, clock):
    r = wire.releases.create(editor, {**sample, "issuer": "acme", "target_languages": ["es"]})
    wire.releases.publish(editor, r.id)
    claimed = wire.translations.claim("dead-worker", LEASE)  # ... and the worker dies here
    assert claimed is not None and claimed.status == "translating"
    assert wire.translation_worker("second").run_once() is None  # still leased
    clock.advance(seconds=LEASE + 1)
    row = wire.translation_worker("second").run_once()
    assert row.status == "ready" and row.attempts == 2
    late = wire.translations.pipeline.translate(fields_of(r.content), "en", "es")
    assert wire.translations.complete(claimed, "dead-worker", late) is None  # the late one cannot overwrite it


def test_issuer_glossary_keeps_brands_and_forces_terms(client, wire, keys, sample):
    r = client.put("/api/v1/issuers/acme/glossary", headers=auth(keys["acme"]),
                   json={"keep": ["Rocket Skate"], "forced": {"skate": {"es": "patín"}}})
    assert r.status_code == 200 and r.json()["version"] == 1
    rid = create(client, keys, sample, target_languages=["es"],
                 headline="Acme unveils the Rocket Skate, a skate for everyone")
    submit_and_approve(client, keys, rid)
    [row] = translate_all(wire)
    assert "Rocket Skate" in row.fields["headline"] and "patín" in row.fields["headline"]


def test_who_may_see_and_change_translations(client, wire, keys, sample):
    rid = create(client, keys, sample, target_languages=["es"])
    submit_and_approve(client, keys, rid)
    base = f"/api/v1/releases/{rid}/translations"
    edit = {"segments": [{"id": "x", "text": "y"}]}
    missing = assert_problem(client.get("/api/v1/releases/aaaaaaaaaaaaaaaaa/translations"), 404)
    # not theirs (nor anyone's signed out: the id is checked first): as if it did not exist
    for who in ("anonymous", "subscriber", "globex"):
        headers = {} if who == "anonymous" else auth(keys[who])
        assert assert_problem(client.get(base, headers=headers), 404)["title"] == missing["title"]
        assert_problem(client.get(base + "/es", headers=headers), 404)
    for who in ("acme", "editor", "admin"):
        assert client.get(base, headers=auth(keys[who])).status_code == 200
    assert_problem(client.patch(base + "/es", json=edit), 401)  # a change asks who first
    assert_problem(client.patch(base + "/es", json=edit, headers=auth(keys["acme"])), 403)
    assert_problem(client.post(base + "/es/retry", headers=auth(keys["acme"])), 403)
    assert_problem(client.patch(base + "/es", json=edit, headers=auth(keys["editor"])), 422, "segments[0].id")
    assert client.post(base + "/es/retry", headers=auth(keys["admin"])).json()["status"] == "queued"
    assert_problem(client.get(base + "/fr", headers=auth(keys["editor"])), 404)
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    assert_problem(client.get(base), 401)  # once it is public, signing in is what is missing

    glossary = {"keep": ["Acme"]}
    assert_problem(client.get("/api/v1/issuers/acme/glossary"), 401)
    assert_problem(client.put("/api/v1/issuers/acme/glossary", json=glossary, headers=auth(keys["globex"])), 404)
    assert_problem(client.get("/api/v1/issuers/acme/glossary", headers=auth(keys["subscriber"])), 404)
    assert client.put("/api/v1/issuers/acme/glossary", json=glossary, headers=auth(keys["editor"])).status_code == 200
    assert client.get("/api/v1/issuers/acme/glossary", headers=auth(keys["acme"])).json()["keep"] == ["Acme"]
    assert_problem(client.put("/api/v1/issuers/acme/glossary", json={"forced": {"a": {"xx": "b"}}},
                              headers=auth(keys["acme"])), 422, "forced")
