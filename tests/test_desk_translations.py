"""The desk's side-by-side translation page: flagged segments highlighted beside their source, each
fixed in place through the translation service, and the machine never overwriting the fix (not
when it reassembles the version, not after a correction re-translates the release)."""

from __future__ import annotations

from desk_flow import flagged_release, translate_all
from helpers import snapshot
from lxml import html as lhtml
from web_helpers import csrf

FIX = "«Nuestro mejor», dijo <em>Wile E. Coyote</em>."


def test_side_by_side_fix_a_flagged_segment_which_the_machine_keeps(wire, editor, sample, signed_in):
    rid, seg = flagged_release(wire, editor, sample)
    desk = signed_in("editor")
    url = f"/desk/releases/{rid}/translations/es"
    page = lhtml.fromstring(desk.get(url).text)
    rows = page.xpath("//table[contains(@class,'side-by-side')]/tbody/tr")
    assert len(rows) == len(wire.translations.translation(editor, rid, "es")[1].segments)
    [flagged] = page.xpath("//tr[contains(@class,'seg-flagged')]")
    assert flagged.get("data-segment") == seg["id"] and flagged.get("id").startswith("seg-")
    assert "Wile" in flagged.xpath("td[2]")[0].text_content()
    assert "segmentation fault" in flagged.xpath(".//ul[@class='problems']")[0].text_content()
    assert flagged.xpath(".//form//textarea[@name='text']")  # editable in place
    assert len(page.xpath("//form[contains(@class,'segment-form')]")) == 1  # only the flagged one

    token = csrf(desk.get(url))
    before = snapshot(wire.engine)
    r = desk.post(url + "/segments", data={"csrf": token, "segment": seg["id"], "text": "  "})
    assert r.status_code == 422
    assert lhtml.fromstring(r.text).xpath(f"//tr[@data-segment='{seg['id']}']//textarea[@aria-invalid='true']")
    r = desk.post(url + "/segments", data={"csrf": token, "segment": "not-a-segment", "text": "x"})
    assert r.status_code == 422 and "not a segment of this translation" in r.text
    assert snapshot(wire.engine) == before

    r = desk.post(url + "/segments", data={"csrf": token, "segment": seg["id"], "text": FIX}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("#" + flagged.get("id"))
    page = lhtml.fromstring(desk.get(r.headers["location"]).text)
    assert not page.xpath("//tr[contains(@class,'seg-flagged')]")
    [fixed] = page.xpath("//tr[contains(@class,'seg-human')]")
    assert fixed.xpath(".//textarea/text()") == [FIX]

    [row] = translate_all(wire)  # the machine reassembles the version around the editor's wording
    assert row.status == "ready" and row.flagged == 0
    done = next(s for s in row.segments if s["id"] == seg["id"])
    assert done["status"] == "human" and done["text"] == FIX
    assert "<em>Wile E. Coyote</em>" in row.fields["body_html"]

    wire.releases.correct(editor, rid, {"correction_note": "Lead fixed", "lead": "Acme today shipped its skate."})
    [again] = translate_all(wire)  # a correction re-translates: the fix still stands
    kept = next(s for s in again.segments if s["id"] == seg["id"])
    assert kept["status"] == "human" and kept["text"] == FIX
    page = lhtml.fromstring(desk.get(url).text)
    assert page.xpath(f"//tr[@data-segment='{seg['id']}'][contains(@class,'seg-human')]")
    history = desk.get(f"/desk/releases/{rid}/history").text
    assert "Translation edited" in history
