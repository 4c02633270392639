"""The issuer's logo wherever its name is (issuer 9): beside the name on the home, industry and
issuer listings and on the release page, in ninjs (an ``issuer-logo`` picture association, valid
against the 2.1 schema) and in JSON-LD (the issuer organisation's ``logo``)."""

from __future__ import annotations

import json
import re

import media_files as files
from conftest import auth
from newswire.formats import jsonld, ninjs
from test_format_ninjs import assert_valid


def _with_logo(client, wire, keys, publish):
    release = publish()
    r = client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.png", files.image("PNG", (800, 200)))},
                   data={"alt_text": "Acme's anvil"}, headers=auth(keys["acme"]))
    assert r.status_code == 200, r.text
    logo = wire.listings.issuer("acme").logo
    return release, logo


def test_listings_and_the_release_page_show_the_logo_beside_the_name(client, wire, keys, publish):
    release, logo = _with_logo(client, wire, keys, publish)
    other = publish(issuer="globex")  # no logo: nothing shown
    src = wire.site.media_url(logo, logo.rendition("thumbnail"))
    img = f'<img class="issuer-logo" src="{src}" width="400" height="100" alt="" loading="lazy">'
    for path in ("/en/", "/en/industries/04000000", "/en/issuers/acme", wire.site.release_path(release)):
        page = client.get(path).text
        assert f'">{img} Acme' in page, path  # inside the issuer's link, before its name
    assert page.count('class="issuer-logo"') == 1
    home = client.get("/en/").text
    assert home.count('class="issuer-logo"') == 1 and other.issuer.name in home
    assert client.get(src.removeprefix("http://testserver")).status_code == 200


def test_ninjs_carries_the_logo_as_a_valid_association(client, wire, keys, publish):
    release, logo = _with_logo(client, wire, keys, publish)
    doc = client.get(f"/api/v1/releases/{release.public_id}").json()
    assert_valid(doc)
    [assoc] = [a for a in doc["associations"] if a["name"] == "issuer-logo"]
    assert assoc["type"] == "picture" and assoc["by"] == "Acme Corporation"
    assert {r["name"] for r in assoc["renditions"]} == {r.name for r in logo.renditions}
    assert {"role": "alt", "contenttype": "text/plain", "value": "Acme's anvil"} in assoc["descriptions"]
    assert assoc["organisations"][0]["literal"] == "acme"
    assert ninjs.render(wire.listings.public(release.id), wire.site) == doc
    [listed] = client.get("/api/v1/releases").json()["items"]  # a listing loads the logos too
    assert listed == doc


def test_jsonld_carries_the_logo(client, wire, keys, publish):
    release, logo = _with_logo(client, wire, keys, publish)
    page = client.get(wire.site.release_path(release)).text
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    big = logo.largest
    assert ld["sourceOrganization"]["logo"] == {"@type": "ImageObject", "url": wire.site.media_url(logo, big),
                                                "width": big.width, "height": big.height,
                                                "caption": "Acme's anvil"}
    assert "logo" not in ld["publisher"]  # the publisher is the wire, which has no logo
    assert ld == json.loads(json.dumps(jsonld.render(wire.listings.public(release.id), wire.site)))


def test_without_a_logo_nothing_is_added(client, wire, publish):
    release = publish()
    doc = client.get(f"/api/v1/releases/{release.public_id}").json()
    assert not any(a["name"] == "issuer-logo" for a in doc.get("associations", []))
    assert "logo" not in jsonld.render(release, wire.site)["sourceOrganization"]
    assert 'class="issuer-logo"' not in client.get("/en/").text
