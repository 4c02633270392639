"""A release's pictures in its language versions (issue 9): each picture's alt text and caption
are translated with the release's other fields (the same pipeline, memory and segment review),
the credit and files stay; a media change after translation re-queues it. Real Apertium en→es."""

from __future__ import annotations

import email
import email.policy
import re

import media_files as files
import pytest
from conftest import auth
from helpers import headline, use_apertium
import sqlalchemy as sa
from alembic import command
from lxml import html as lhtml
from sqlalchemy import update
from test_format_ninjs import assert_valid
from translation_flow import submit_and_approve, translate_all

from newswire.formats import email as mail
from newswire.storage.db import alembic_config, upgrade
from newswire.storage.tables import translations

ALT, ALT_ES = "A red car in the snow", "Un coche rojo en la nieve"
CAPTION, CAPTION_ES = "The new factory opens today", "La fábrica nueva abre hoy"
CREDIT = "Photo: Acme Corp"


@pytest.fixture
def wire(wire):
    return use_apertium(wire)


def create(client, keys, sample) -> int:
    r = client.post("/api/v1/releases", json={**sample, "target_languages": ["es"]}, headers=auth(keys["acme"]))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(client, token, rid, alt=ALT, caption=CAPTION, media_id=None) -> dict:
    form = {"alt_text": alt, "caption": caption, "credit": CREDIT}
    path = f"/api/v1/releases/{rid}/media" + (f"/{media_id}" if media_id else "")
    send = client.put if media_id else client.post
    r = send(path, files={"file": ("car.jpg", files.jpeg_with_gps())}, data=form, headers=auth(token))
    assert r.status_code in (200, 201), r.text
    return r.json()


def key(item: dict, name: str) -> str:
    """A media text's field in a translation: by the item's random token (its file URLs' secret)."""
    token = item["renditions"][0]["href"].split("/media/", 1)[1].split("/", 1)[0]
    return f"media.{token}.{name}"


def picture(doc: dict) -> dict:
    [item] = [a for a in doc["associations"] if a["name"].startswith("picture-")]
    return item


def texts(item: dict) -> tuple[str, str]:
    d = {x["role"]: x["value"] for x in item["descriptions"]}
    return d["alt"], d["caption"]


def figure(client, rid, lang) -> tuple[str, str, str]:
    r = client.get(f"/releases/{rid}?lang={lang}", follow_redirects=True)
    assert r.status_code == 200, r.text
    tree = lhtml.fromstring(r.text)
    assert tree.get("lang") == lang
    [img] = tree.xpath('//figure[@class="picture"]/img')
    caption = tree.xpath('//figure[@class="picture"]//span[@class="caption"]')[0].text_content()
    credit = tree.xpath('//figure[@class="picture"]//small[@class="credit"]')[0].text_content()
    return img.get("alt"), caption, credit


def state(client, keys, rid) -> str:
    return client.get(f"/api/v1/releases/{rid}/translations/es", headers=auth(keys["editor"])).json()["status"]


def test_alt_text_and_caption_are_translated_and_reviewable(client, wire, keys, sample):
    rid = create(client, keys, sample)
    item = upload(client, keys["acme"], rid)
    submit_and_approve(client, keys, rid)
    [row] = translate_all(wire)
    assert row.status == "ready"
    assert row.fields[key(item, "alt_text")] == ALT_ES
    assert row.fields[key(item, "caption")] == CAPTION_ES
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200

    es = assert_valid(client.get(f"/api/v1/releases/{rid}?lang=es").json())
    en = assert_valid(client.get(f"/api/v1/releases/{rid}").json())
    assert es["language"] == "es" and texts(picture(es)) == (ALT_ES, CAPTION_ES)
    assert picture(es)["headlines"] == [{"role": "main", "value": CAPTION_ES}]
    assert texts(picture(en)) == (ALT, CAPTION)  # the original keeps its own
    assert picture(es)["by"] == CREDIT and picture(es)["renditions"] == picture(en)["renditions"]  # same files
    assert figure(client, rid, "es") == (ALT_ES, CAPTION_ES, CREDIT)
    assert figure(client, rid, "en") == (ALT, CAPTION, CREDIT)
    spanish = wire.listings.public(rid, "es")
    msg = email.message_from_bytes(mail.render(spanish, "published", wire.site, "wire@example.org"),
                                   policy=email.policy.default)
    assert f'alt="{ALT_ES}"' in msg.get_body(("html",)).get_content()
    assert f"[{ALT_ES}]" in msg.get_body(("plain",)).get_content()
    assert CAPTION_ES in msg.get_body(("plain",)).get_content()

    # an editor fixes the caption in the same review as the other fields
    detail = client.get(f"/api/v1/releases/{rid}/translations/es", headers=auth(keys["editor"])).json()
    [seg] = [s for s in detail["segments"] if s["field"] == key(item, "caption")]
    assert CAPTION in seg["source"] and seg["status"] == "ok" and seg["engine"] == "apertium"
    fixed = "La nueva fábrica abre sus puertas hoy"
    r = client.patch(f"/api/v1/releases/{rid}/translations/es", headers=auth(keys["editor"]),
                     json={"segments": [{"id": seg["id"], "text": fixed}]})
    assert r.status_code == 200 and r.json()["status"] == "queued", r.text
    [done] = translate_all(wire)
    assert done.status == "ready" and done.fields[key(item, "caption")] == fixed
    by_field = {s["field"]: s for s in done.segments}
    assert by_field[key(item, "caption")]["status"] == "human"
    assert by_field[key(item, "alt_text")]["strategy"] == "memory"
    es = client.get(f"/api/v1/releases/{rid}?lang=es").json()
    assert texts(picture(es)) == (ALT_ES, fixed)
    assert figure(client, rid, "es") == (ALT_ES, fixed, CREDIT)
    assert texts(picture(client.get(f"/api/v1/releases/{rid}").json())) == (ALT, CAPTION)


def test_a_media_change_after_translation_translates_again(client, wire, keys, sample):
    rid = create(client, keys, sample)
    first = upload(client, keys["acme"], rid)
    submit_and_approve(client, keys, rid)
    translate_all(wire)
    assert state(client, keys, rid) == "ready"

    # a new caption (a replaced picture): queued again, the unchanged text comes from memory
    replaced = upload(client, keys["editor"], rid, caption="The workers at the new factory", media_id=first["id"])
    assert state(client, keys, rid) == "queued"
    [row] = translate_all(wire)
    assert row.fields[key(replaced, "caption")] == "Los trabajadores en la fábrica nueva"
    assert {s["strategy"] for s in row.segments if s["field"] == "headline"} == {"memory"}

    # a second picture, then a new order: each re-queues the translation
    second = upload(client, keys["editor"], rid, alt="A blue car", caption=CAPTION)
    assert state(client, keys, rid) == "queued"
    [row] = translate_all(wire)
    assert row.fields[key(second, "alt_text")] == "Un coche azul"
    r = client.put(f"/api/v1/releases/{rid}/media/order", json={"ids": [second["id"], first["id"]]},
                   headers=auth(keys["editor"]))
    assert r.status_code == 200, r.text
    assert state(client, keys, rid) == "queued"
    translate_all(wire)
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    es = client.get(f"/api/v1/releases/{rid}?lang=es").json()
    pictures = [a for a in es["associations"] if a["name"].startswith("picture-")]
    assert [texts(p) for p in pictures] == [("Un coche azul", CAPTION_ES),
                                            (ALT_ES, "Los trabajadores en la fábrica nueva")]


def test_a_draft_media_change_queues_nothing(client, wire, keys, sample):
    rid = create(client, keys, sample)
    upload(client, keys["acme"], rid)
    assert client.get(f"/api/v1/releases/{rid}/translations", headers=auth(keys["acme"])).json()["items"] == []


def test_an_older_translation_without_media_texts_still_loads(client, wire, keys, sample):
    rid = create(client, keys, sample)
    upload(client, keys["acme"], rid)
    submit_and_approve(client, keys, rid)
    [row] = translate_all(wire)
    older = {k: v for k, v in row.fields.items() if not k.startswith("media.")}
    with wire.engine.begin() as conn:  # as a row written before media texts were translated
        conn.execute(update(translations).where(translations.c.id == row.id).values(fields=older))
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    es = client.get(f"/api/v1/releases/{rid}?lang=es").json()
    assert es["language"] == "es" and headline(es) == row.fields["headline"]
    assert texts(picture(es)) == (ALT, CAPTION)  # the original's, as before
    assert figure(client, rid, "es") == (ALT, CAPTION, CREDIT)


MEDIA_ROW_KEY = re.compile(r"media\.[0-9]+\.")  # a media text keyed by the item's row id


def test_no_translation_output_carries_a_media_row_id(client, wire, keys, sample, signed_in):
    """Row ids count every picture on the wire, embargoed ones too: a translation's media texts are
    keyed by the item's random token in every output that shows them (the API, the desk), and the
    public language version still finds them."""
    rid = create(client, keys, sample)
    item = upload(client, keys["acme"], rid)
    submit_and_approve(client, keys, rid)
    [row] = translate_all(wire)
    assert key(item, "caption") in row.fields and not any(MEDIA_ROW_KEY.match(k) for k in row.fields)
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    number = wire.releases.get(wire.accounts.authenticate(keys["editor"]), rid).id
    outputs = {who: client.get(f"/api/v1/releases/{rid}/translations/es", headers=auth(keys[who])).text
               for who in ("acme", "editor")}
    outputs["list"] = client.get(f"/api/v1/releases/{rid}/translations", headers=auth(keys["acme"])).text
    outputs["ninjs"] = client.get(f"/api/v1/releases/{rid}?lang=es").text
    outputs["page"] = client.get(f"/releases/{rid}?lang=es", follow_redirects=True).text
    outputs["desk"] = signed_in("editor").get(f"/desk/releases/{number}/translations/es").text
    assert key(item, "caption") in outputs["acme"] and key(item, "caption") in outputs["desk"]
    assert {name: MEDIA_ROW_KEY.findall(text) for name, text in outputs.items() if MEDIA_ROW_KEY.search(text)} == {}
    assert figure(client, rid, "es") == (ALT_ES, CAPTION_ES, CREDIT)


def test_0015_keys_stored_media_texts_by_token(client, wire, keys, sample, database_url):
    """A translation stored before 0015 (row-id keys, as the downgrade writes them back) is read
    by token after the upgrade: the language version keeps its translated caption."""
    rid = create(client, keys, sample)
    item = upload(client, keys["acme"], rid)
    submit_and_approve(client, keys, rid)
    [row] = translate_all(wire)
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    number = wire.releases.get(wire.accounts.authenticate(keys["editor"]), rid).id
    wire.engine.dispose()
    command.downgrade(alembic_config(database_url), "0014")
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(translations.c.fields, translations.c.segments)).one()
    media_id = int(MEDIA_ROW_KEY.search(next(k for k in stored.fields if k.startswith("media."))).group(0)[6:-1])
    assert stored.fields[f"media.{media_id}.caption"] == CAPTION_ES and key(item, "caption") not in stored.fields
    assert f"media.{media_id}.alt_text" in {s["field"] for s in stored.segments}
    upgrade(database_url)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(translations.c.fields, translations.c.segments)).one()
    engine.dispose()
    assert stored.fields == row.fields and [s["field"] for s in stored.segments] == [s["field"] for s in row.segments]
    assert figure(client, str(number), "es") == (ALT_ES, CAPTION_ES, CREDIT)  # (its old URL: a new public id)
