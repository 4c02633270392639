"""Pictures and documents of a release (issue 9): upload, renditions without EXIF, every refusal
with nothing stored, the embargo on the files, withdrawal, and the formats that carry them."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import re

import feedparser
import pytest
from lxml import etree
from PIL import ExifTags, Image

import media_files as files
from conftest import auth
from helpers import assert_problem, snapshot
from newswire.domain.limits import LIMITS
from newswire.distribution import payloads
from newswire.formats import email as mail
from newswire.formats import ninjs
from test_format_newsml import schema  # noqa: F401  (the XSD, a fixture)
from test_format_ninjs import assert_envelope, assert_valid


def media_dir(wire):
    return wire.settings.data_dir / "media"


def stored(wire) -> list[str]:
    root = media_dir(wire)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def upload(client, token, release_id, data, name="photo.jpg", **fields):
    form = {"alt_text": "A red skate on a test bench", "caption": "The Rocket Skate 3000",
            "credit": "Photo: Acme Corp", **fields}
    return client.post(f"/api/v1/releases/{release_id}/media", files={"file": (name, data)},
                       data={k: v for k, v in form.items() if v is not None}, headers=auth(token))


@pytest.fixture
def draft(wire, keys, sample):
    return wire.releases.create(wire.accounts.authenticate(keys["acme"]), sample).id


def test_upload_makes_renditions_without_exif(client, wire, keys, draft):
    r = upload(client, keys["acme"], draft, files.jpeg_with_gps())
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["kind"] == "picture" and item["mime"] == "image/jpeg" and item["alt_text"]
    sizes = {x["name"]: (x["width"], x["height"]) for x in item["renditions"]}
    assert sizes == {"thumbnail": (400, 300), "large": (1200, 900), "original": (2000, 1500)}
    token = item["renditions"][0]["href"].split("/media/")[1].split("/")[0]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert stored(wire) == [token, f"{token}/large.jpg", f"{token}/original.jpg", f"{token}/thumbnail.jpg"]
    for path in (media_dir(wire) / token).iterdir():
        picture = Image.open(path)
        exif = picture.getexif()
        assert not exif and not exif.get_ifd(ExifTags.IFD.GPSInfo), path
        assert "comment" not in picture.info and b"secret lab" not in path.read_bytes()
    listed = client.get(f"/api/v1/releases/{draft}/media", headers=auth(keys["acme"])).json()["items"]
    assert listed == [item]
    preview = client.get(f"/api/v1/releases/{draft}/media/{item['id']}/large.jpg", headers=auth(keys["acme"]))
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(preview.content)).size == (1200, 900)
    assert preview.content == (media_dir(wire) / token / "large.jpg").read_bytes()
    assert_problem(client.get(f"/api/v1/releases/{draft}/media/{item['id']}/huge.jpg", headers=auth(keys["acme"])), 404)


def test_pictures_of_each_type_and_a_document(client, keys, draft):
    for fmt, name, mime in (("PNG", "a.png", "image/png"), ("WEBP", "b.webp", "image/webp"),
                            ("GIF", "c.gif", "image/gif"), ("JPEG", "no-extension", "image/jpeg")):
        r = upload(client, keys["acme"], draft, files.image(fmt), name)
        assert r.status_code == 201 and r.json()["mime"] == mime, r.text
    r = upload(client, keys["acme"], draft, files.pdf(), "annual-report.pdf", alt_text="")
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "document" and [x["name"] for x in r.json()["renditions"]] == ["original"]


REFUSALS = [
    ("decompression bomb", lambda: files.png_bomb(), "bomb.png", {}, 422, "file", "decompression bomb"),
    ("too many pixels", lambda: files.png_bomb(8000, 8000), "big.png", {}, 422, "file", "40,000,000 pixels"),
    ("svg with a script", lambda: files.SVG, "logo.svg", {}, 422, "file", "SVG"),
    ("svg named .png", lambda: files.SVG, "logo.png", {}, 422, "file", "SVG"),
    ("png named .pdf", lambda: files.image("PNG"), "report.pdf", {}, 422, "file", "name it .png"),
    ("not a picture", lambda: b"just some text\n" * 10, "notes.txt", {}, 422, "file", "Convert it"),
    ("truncated", lambda: files.image("PNG")[:300], "cut.png", {}, 422, "file", "cannot be decoded"),
    ("oversize", lambda: files.image("PNG") + b"\0" * LIMITS["media.image"].chars, "huge.png", {}, 413, "file",
     "at most 10,485,760 bytes"),
    ("missing alt text", lambda: files.image("PNG"), "a.png", {"alt_text": ""}, 422, "alt_text", "alt text"),
    ("blank alt text", lambda: files.image("PNG"), "a.png", {"alt_text": "   "}, 422, "alt_text", "alt text"),
    ("document oversize", lambda: files.pdf() + b"\0" * LIMITS["media.document"].chars, "big.pdf", {}, 413, "file",
     "at most 20,971,520 bytes"),
    ("caption too long", lambda: files.image("PNG"), "a.png", {"caption": "x" * 2001}, 422, "caption", "2,000"),
    ("alt text too long", lambda: files.image("PNG"), "a.png", {"alt_text": "x" * 501}, 422, "alt_text", "500"),
    ("credit too long", lambda: files.image("PNG"), "a.png", {"credit": "x" * 301}, 422, "credit", "300"),
    ("file name too long", lambda: files.image("PNG"), "a" * 252 + ".png", {}, 422, "filename", "255"),
    ("control character", lambda: files.image("PNG"), "a.png", {"credit": "Acme\x07"}, 422, "credit", ""),
    ("no file", lambda: b"", "a.png", {}, 422, "file", "multipart field 'file'"),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_refusals_store_nothing(client, wire, keys, draft, case):
    _, make, name, fields, status, field, said = case
    before, files_before = snapshot(wire.engine), stored(wire)
    r = upload(client, keys["acme"], draft, make(), name, **fields)
    body = assert_problem(r, status, field)
    assert said in body["detail"] or any(said in e["message"] for e in body.get("errors", [])), body
    assert snapshot(wire.engine) == before and stored(wire) == files_before


def test_an_upload_over_the_request_limit_is_refused_unread(client, wire, keys, draft):
    before = snapshot(wire.engine)
    r = upload(client, keys["acme"], draft, b"\0" * (LIMITS["media.document"].chars + 70_000), "big.pdf")
    assert_problem(r, 413)
    assert snapshot(wire.engine) == before and stored(wire) == []


def _publish_scheduled(wire, keys, draft, clock, seconds=3600):
    editor = wire.accounts.authenticate(keys["editor"])
    when = clock() + dt.timedelta(seconds=seconds)
    return wire.releases.publish(editor, draft, when.isoformat())


def test_media_are_embargoed_with_their_release_and_gone_after_withdrawal(client, wire, keys, draft, clock):
    clock.set(dt.datetime.now(dt.timezone.utc))
    item = upload(client, keys["acme"], draft, files.jpeg_with_gps()).json()
    doc = upload(client, keys["acme"], draft, files.pdf(), "report.pdf").json()
    hrefs = [x["href"].removeprefix("http://testserver") for m in (item, doc) for x in m["renditions"]]
    for href in hrefs:  # a draft's files: nobody sees them at their address
        assert client.get(href).status_code == 404
    assert _publish_scheduled(wire, keys, draft, clock).status.value == "scheduled"
    clock.advance(minutes=59)
    assert wire.releases.release_due() == []
    for href in hrefs:
        r = client.get(href)
        assert r.status_code == 404 and r.headers["cache-control"] == "no-store"
    clock.advance(minutes=1, seconds=1)
    assert wire.releases.release_due() == [draft]
    for href in hrefs:
        r = client.get(href)
        assert r.status_code == 200, href
        assert r.headers["x-content-type-options"] == "nosniff" and "max-age" in r.headers["cache-control"]
    r = client.get(hrefs[0])
    assert r.headers["content-type"] == "image/jpeg" and Image.open(io.BytesIO(r.content)).size == (400, 300)
    assert client.get(hrefs[-1]).headers["content-type"] == "application/pdf"
    assert client.get(hrefs[0].rsplit("/", 1)[0] + "/original.png").status_code == 404  # only its renditions
    assert client.get("/media/" + "0" * 32 + "/original.jpg").status_code == 404
    editor = wire.accounts.authenticate(keys["editor"])
    wire.releases.withdraw(editor, draft, "Recalled by the issuer")
    for href in hrefs:
        assert client.get(href).status_code == 410


def test_order_replace_delete_before_publication(client, wire, keys, draft, publish):
    h = auth(keys["acme"])
    a = upload(client, keys["acme"], draft, files.image("PNG"), "a.png").json()
    b = upload(client, keys["acme"], draft, files.image("JPEG"), "b.jpg").json()
    r = client.put(f"/api/v1/releases/{draft}/media/order", json={"ids": [b["id"], a["id"]]}, headers=h)
    assert r.status_code == 200 and [m["id"] for m in r.json()["items"]] == [b["id"], a["id"]]
    assert_problem(client.put(f"/api/v1/releases/{draft}/media/order", json={"ids": [a["id"]]}, headers=h),
                   422, "ids")
    old_token = a["renditions"][0]["href"].split("/")[-2]
    r = client.put(f"/api/v1/releases/{draft}/media/{a['id']}", files={"file": ("c.gif", files.image("GIF"))},
                   data={"alt_text": "A new picture"}, headers=h)
    assert r.status_code == 200 and r.json()["mime"] == "image/gif" and r.json()["position"] == 1, r.text
    assert old_token not in stored(wire) and r.json()["renditions"][0]["href"].split("/")[-2] in stored(wire)
    assert client.delete(f"/api/v1/releases/{draft}/media/{b['id']}", headers=h).status_code == 204
    assert [m["id"] for m in client.get(f"/api/v1/releases/{draft}/media", headers=h).json()["items"]] == [a["id"]]
    assert_problem(client.delete(f"/api/v1/releases/{draft}/media/{b['id']}", headers=h), 404)
    editor = wire.accounts.authenticate(keys["editor"])
    wire.releases.publish(editor, draft)
    before = snapshot(wire.engine)
    assert_problem(upload(client, keys["editor"], draft, files.image("PNG"), "late.png"), 409)
    assert_problem(client.delete(f"/api/v1/releases/{draft}/media/{a['id']}", headers=auth(keys["editor"])), 409)
    assert snapshot(wire.engine) == before


def test_a_release_carries_at_most_its_limit(client, wire, keys, draft):
    small = files.image("PNG", (20, 20))
    for _ in range(LIMITS["media.per_release"].items):
        assert upload(client, keys["acme"], draft, small, "s.png").status_code == 201
    before = snapshot(wire.engine)
    assert_problem(upload(client, keys["acme"], draft, small, "s.png"), 409)
    assert snapshot(wire.engine) == before


def test_issuer_logo(client, wire, keys):
    r = client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.png", files.image("PNG", (800, 200)))},
                   headers=auth(keys["acme"]))
    assert r.status_code == 200 and r.json()["kind"] == "logo" and r.json()["alt_text"] == "Acme Corporation", r.text
    first = r.json()["renditions"][-1]["href"].removeprefix("http://testserver")
    assert client.get(first).status_code == 200
    r = client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.webp", files.image("WEBP"))},
                   data={"alt_text": "Acme's anvil"}, headers=auth(keys["editor"]))
    assert r.status_code == 200 and r.json()["alt_text"] == "Acme's anvil"
    assert client.get(first).status_code == 404 and len(stored(wire)) == 3  # the old one gone: one folder, 2 files
    before = snapshot(wire.engine)
    assert_problem(client.put("/api/v1/issuers/acme/logo", files={"file": ("a.pdf", files.pdf())},
                              headers=auth(keys["acme"])), 422, "file")
    assert_problem(client.put("/api/v1/issuers/nobody/logo", files={"file": ("a.png", files.image())},
                              headers=auth(keys["editor"])), 404)
    assert snapshot(wire.engine) == before


def _published_with_media(client, wire, keys, draft):
    upload(client, keys["acme"], draft, files.jpeg_with_gps())
    upload(client, keys["acme"], draft, files.pdf(), "report.pdf", caption="Annual report 2026", alt_text="")
    wire.releases.publish(wire.accounts.authenticate(keys["editor"]), draft)
    return wire.listings.public(draft)


def test_ninjs_associations_are_valid(client, wire, keys, draft):
    release = _published_with_media(client, wire, keys, draft)
    doc = client.get(f"/api/v1/releases/{release.public_id}").json()  # anyone names it so
    assert_valid(doc)
    picture, document = [a for a in doc["associations"] if a["type"] in ("picture", "text")]
    assert picture["name"] == "picture-1" and picture["by"] == "Photo: Acme Corp"
    assert {r["name"] for r in picture["renditions"]} == {"thumbnail", "large", "original"}
    assert {"role": "alt", "contenttype": "text/plain", "value": "A red skate on a test bench"} in picture["descriptions"]
    assert document["renditions"][0]["contenttype"] == "application/pdf"
    assert ninjs.render(release, wire.site)["associations"] == doc["associations"]


def test_page_figure_and_social_cards(client, wire, keys, draft):
    release = _published_with_media(client, wire, keys, draft)
    page = client.get(wire.site.release_path(release)).text
    picture = release.pictures[0]
    large = wire.site.media_url(picture, picture.rendition("large"))
    assert '<figure class="picture">' in page and f'src="{large}"' in page
    assert re.search(r'srcset="[^"]*thumbnail\.jpg 400w, [^"]*large\.jpg 1200w, [^"]*original\.jpg 2000w"', page)
    assert 'alt="A red skate on a test bench"' in page and "Photo: Acme Corp" in page and "The Rocket Skate 3000" in page
    assert f'<meta property="og:image" content="{large}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert "Annual report 2026" in page and 'type="application/pdf"' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["image"][0]["url"] == large and ld["image"][0]["creditText"] == "Photo: Acme Corp"


def test_a_page_without_pictures_has_a_summary_card(client, wire, publish):
    release = publish()
    page = client.get(wire.site.release_path(release)).text
    assert '<meta name="twitter:card" content="summary">' in page and "og:image" not in page


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_feeds_carry_the_pictures(client, wire, keys, draft, kind):
    release = _published_with_media(client, wire, keys, draft)
    picture = release.pictures[0]
    large = wire.site.media_url(picture, picture.rendition("large"))
    body = client.get(f"/feeds/en.{kind}").content
    if kind == "json":
        item = json.loads(body)["items"][0]
        assert item["image"] == large
        assert {a["mime_type"] for a in item["attachments"]} == {"image/jpeg", "application/pdf"}
        return
    entry = feedparser.parse(body).entries[0]
    enclosures = {e["href"]: e["type"] for e in entry.enclosures}
    assert enclosures.get(large) == "image/jpeg", entry
    if kind == "rss":
        assert any(m["url"] == large for m in entry.media_content)


def test_newsml_remote_content_for_each_rendition(client, wire, keys, draft, schema):
    release = _published_with_media(client, wire, keys, draft)
    xml = client.get(f"/api/v1/releases/{release.public_id}.xml").content
    doc = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    assert schema.validate(doc), schema.error_log
    remote = doc.findall(".//{*}contentSet/{*}remoteContent")
    expected = [wire.site.media_url(m, r) for m in release.media for r in m.renditions]
    assert [r.get("href") for r in remote] == expected
    assert [r.get("rendition") for r in remote] == ["rnd:thumbnail", "rnd:web", "rnd:highRes", None]
    assert remote[0].get("width") == "400" and remote[-1].get("contenttype") == "application/pdf"


def test_email_links_the_pictures_and_attaches_nothing(client, wire, keys, draft):
    release = _published_with_media(client, wire, keys, draft)
    msg = email.message_from_bytes(mail.render(release, "published", wire.site, "wire@example.org"),
                                   policy=email.policy.default)
    assert [p.get_content_type() for p in msg.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    html = msg.get_body(("html",)).get_content()
    picture = release.pictures[0]
    large = wire.site.media_url(picture, picture.rendition("large"))
    assert f'<img src="{large}" alt="A red skate on a test bench"' in html
    assert wire.site.media_url(release.documents[0], release.documents[0].renditions[0]) in html
    assert large in msg.get_body(("plain",)).get_content()


def test_webhook_payload_carries_the_associations(client, wire, keys, draft):
    release = _published_with_media(client, wire, keys, draft)
    body = json.loads(payloads.webhook_body(release, "release.published", wire.site))
    data = assert_envelope(body)["data"]
    assert [a["type"] for a in data["associations"]] == ["picture", "text"]


def test_a_jpeg_is_turned_upright_by_its_exif_orientation(client, keys, draft):
    picture, exif = Image.new("RGB", (300, 100), (10, 200, 10)), Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    buf = io.BytesIO()
    picture.save(buf, "JPEG", exif=exif)
    r = upload(client, keys["acme"], draft, buf.getvalue())
    assert r.status_code == 201 and r.json()["renditions"][-1]["width"] == 100 and r.json()["renditions"][-1]["height"] == 300


def test_a_transparent_png_keeps_its_transparency(client, wire, keys, draft):
    picture = Image.new("P", (50, 50), 0)
    buf = io.BytesIO()
    picture.save(buf, "PNG", transparency=0)
    item = upload(client, keys["acme"], draft, buf.getvalue(), "logo.png").json()
    token = item["renditions"][-1]["href"].split("/")[-2]
    assert "transparency" in Image.open(media_dir(wire) / token / "original.png").info


def test_the_issuer_page_shows_the_logo(client, wire, keys, publish):
    publish()
    client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.png", files.image("PNG", (800, 200)))},
               data={"alt_text": "Acme's anvil"}, headers=auth(keys["acme"]))
    logo = wire.listings.issuer("acme").logo
    page = client.get("/en/issuers/acme").text
    src = wire.site.media_url(logo, logo.rendition("thumbnail"))
    assert f'<img class="logo" src="{src}" width="400" height="100" alt="Acme&#39;s anvil">' in page
    assert client.get(src.removeprefix("http://testserver")).status_code == 200


def test_an_animated_gif_keeps_its_frames_and_loses_its_comment(client, wire, keys, draft):
    frames = [Image.new("RGB", (500, 300), (i * 80, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"secret lab")
    item = upload(client, keys["acme"], draft, buf.getvalue(), "spin.gif").json()
    folder = media_dir(wire) / item["renditions"][-1]["href"].split("/")[-2]
    original = Image.open(folder / "original.gif")
    assert original.n_frames == 3 and "comment" not in original.info
    assert b"secret lab" not in (folder / "original.gif").read_bytes() + (folder / "thumbnail.gif").read_bytes()


def test_openapi_lists_the_media_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    base = "/api/v1/releases/{release_id}/media"
    assert {"post", "get"} <= set(paths[base]) and "put" in paths[base + "/order"]
    assert {"put", "delete"} <= set(paths[base + "/{media_id}"]) and "get" in paths[base + "/{media_id}/{filename}"]
    assert "put" in paths["/api/v1/issuers/{slug}/logo"]
    assert not any(p.startswith("/media/") for p in paths)  # the public files are not API


def test_who_may_not_change_the_release_is_refused_before_any_decoding(client, wire, keys, draft):
    """A damaged picture would be refused as undecodable (422) if it were decoded: a caller who may not
    change the release gets its 404 first (anonymous callers their 401, before anything is read), so
    nobody can make the wire decode for them."""
    damaged = files.image("PNG")[:200]
    assert upload(client, keys["acme"], draft, damaged, name="photo.png").status_code == 422  # it is decoded
    for token in (keys["globex"], keys["subscriber"]):
        assert_problem(upload(client, token, draft, damaged, name="photo.png"), 404)
    for release in (draft, 999):
        assert_problem(upload(client, None, release, damaged, name="photo.png"), 401)
    r = client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.png", damaged)}, headers=auth(keys["globex"]))
    assert_problem(r, 403)


def test_an_animation_counts_all_its_frames_against_the_pixel_limit(client, wire, keys, draft):
    side = int((LIMITS["media.image_pixels"].chars // 4) ** 0.5)  # four frames fill the limit: five exceed it
    frames = [Image.new("P", (side, side), color=i) for i in range(5)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    before = snapshot(wire.engine)
    body = assert_problem(upload(client, keys["acme"], draft, buf.getvalue(), name="spin.gif"), 422, "file")
    assert "5 frames" in body["detail"] and "media.image_pixels" in body["detail"]
    assert snapshot(wire.engine) == before and stored(wire) == []
