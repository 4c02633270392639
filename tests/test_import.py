"""Importing releases from files: the parsers, whole wire-copy files, broken files and `newswire import`
(the heuristics one by one: tests/test_wirecopy.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire.cli import app
from newswire.domain.errors import InvalidInput
from newswire.domain.models import SYSTEM, Status
from newswire.intake import importers, validate
from newswire.storage.releases import ListQuery

DATA = Path(__file__).parent / "data" / "import"
TODAY = dt.date(2026, 11, 22)


def parse(name: str, **kw) -> importers.ImportedRelease:
    return importers.parse_file(DATA / name, **kw)


def validated(item: importers.ImportedRelease):
    return validate.content(item.fields, max_body_bytes=200_000, today=TODAY)


# --- parsers -----------------------------------------------------------------------------


def test_markdown_front_matter_maps_to_fields():
    item = parse("acme-launch.md")
    f = item.fields
    assert item.kind == "markdown" and item.language_from == "file"
    assert f["headline"] == "Acme unveils the Rocket Skate 3000" and f["issuer"] == "acme"
    assert f["dateline"] == {"city": "Berlin", "date": "2026-11-20"}
    assert f["industries"] == ["medtop:04000000", "medtop:20000296"]  # "automotive" is an IPTC label
    assert f["keywords"] == ["skates", "launch"]  # from tags:
    content = validated(item)
    assert content.language == "en" and content.regions == ("DE", "US")
    assert "<strong>Rocket Skate 3000</strong>" in content.body_html and "<li>2x range</li>" in content.body_html


def test_markdown_headline_from_first_heading(tmp_path):
    path = tmp_path / "h.md"
    path.write_text("---\ndate: 2026-11-20\n---\nIntro line.\n\n# The *real* headline\n\nThe body follows here.\n")
    item = importers.parse_file(path, language="en")
    f = item.fields
    assert f["headline"] == "The real headline"
    assert item.warnings == ["front matter key 'date' is not used (known: " + ", ".join(importers.FRONT_MATTER) + ")"]
    assert "real headline" not in f["body"] and "Intro line." in f["body"]


def test_html_article_is_the_body():
    item = parse("globex.html")
    f = item.fields
    assert f["headline"] == "Globex stellt neues Rechenzentrum vor"
    assert f["lead"] == "Globex eröffnet in Frankfurt ein klimaneutrales Rechenzentrum."
    assert f["body_format"] == "html" and f["language"] == "de-DE"
    assert "<h1" not in f["body"] and "script" not in f["body"] and "Start" not in f["body"]
    assert "© Globex" not in f["body"]
    content = validated(item)
    assert content.language == "de" and "<strong>Abwärme</strong>" in content.body_html


def test_german_wire_copy():
    item = parse("beispiel-ots.txt")
    f = item.fields
    assert item.kind == "text" and item.agency == "ots" and item.language_from == "detected"
    assert f["language"] == "de"
    assert f["headline"] == "Beispiel AG eröffnet größten Batteriespeicher Norddeutschlands"
    assert f["dateline"] == {"city": "Hamburg"}
    assert f["body"].startswith("Die Beispiel AG hat am Freitag")  # the marker is gone
    assert f["industries"] == ["medtop:20000256", "medtop:20000344"]  # Energie, Wirtschaft
    assert f["keywords"] == ["Batteriespeicher", "www.beispiel.de"]
    # The agency goes to the attribution (it used to be kept only on the import item, and lost).
    assert f["attribution"] == "ots\nFür den Inhalt der Mitteilung ist allein der Emittent verantwortlich."
    assert f["boilerplate"].startswith("Über Beispiel AG\nDie Beispiel AG mit Sitz in Hamburg")
    assert f["contacts"] == [{"name": "Max Beispiel", "role": "Leiter Unternehmenskommunikation",
                              "organisation": "Beispiel AG", "phone": "+49 40 1234567",
                              "email": "presse@beispiel.de"}]
    for gone in ("Branchen", "verantwortlich", "Weitere Informationen", "www.beispiel.de", "Über Beispiel",
                 "Pressekontakt", "presse@beispiel.de", "(ots)"):
        assert gone not in f["body"]
    content = validated(item)
    # Scraped text stays text: no list from "- ", no link from "[…]"; emphasis written inline renders
    # (it used to be escaped and shown with its asterisks: issue 9).
    assert "<ul>" not in content.body_html and "<em>funktioniert</em>" in content.body_html
    assert "[Hamburger]" in content.body_html


def test_english_wire_copy():
    item = parse("acme-wire.txt")
    f = item.fields
    assert item.agency == "PRNewswire" and f["language"] == "en"
    assert f["subheadline"] == "Production of the Rocket Skate 3000 triples"
    assert f["dateline"] == {"city": "Dayton", "date": "2026-11-20"}
    assert f["body"].startswith("Acme Corp (NYSE: ACME) today opened")
    assert f["industries"] == ["medtop:20000296", "medtop:20000257"]  # Automotive, Renewable energy
    assert f["keywords"] == ["Rocket skates", "acme.example"]
    assert f["contacts"] == [{"name": "Jane Doe", "email": "press@acme.example", "phone": "+1 555 0100"}]
    assert f["boilerplate"].startswith("About Acme Corp\nAcme Corp makes the things")
    assert f["attribution"].startswith("PRNewswire\nDisclaimer: The issuer is solely responsible")
    for gone in ("Industries:", "Visit us", "acme.example", "About Acme", "Disclaimer", "Media contact"):
        assert gone not in f["body"]
    assert "<h1>" not in validated(item).body_html  # "# of skates" is not a heading


def test_korean_wire_copy():
    f = parse("ace-ko.txt").fields
    assert f["language"] == "ko" and f["dateline"] == {"city": "서울", "date": "2026-11-20"}
    assert f["body"].startswith("에이스전자가 경기도")


# --- broken files ------------------------------------------------------------------------


@pytest.mark.parametrize("name, reason", [
    ("broken-binary.txt", "binary"),
    ("broken-empty.md", "empty"),
    ("broken-yaml.md", "YAML front matter does not parse"),
    ("broken-no-headline.md", "no headline"),
    ("missing.md", "no such file"),
])
def test_broken_files_name_the_file_and_the_reason(name, reason):
    with pytest.raises(InvalidInput) as exc:
        parse(name)
    assert str(DATA / name) in exc.value.detail and reason in exc.value.detail


def test_other_unreadable_files(tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Überschrift\n\nGrüße aus Köln".encode("latin-1"))
    docx = tmp_path / "release.docx"
    docx.write_text("x")
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffAcme opens a factory\n\nAcme today opened a new factory in Ohio.".encode("utf-8"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        importers.parse_file(latin)
    with pytest.raises(InvalidInput, match="'.docx' is not a file type"):
        importers.parse_file(docx)
    assert importers.parse_file(bom).fields["headline"] == "Acme opens a factory"


def test_undetectable_language_asks_for_it(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("OK\n\nFine.\n")
    with pytest.raises(InvalidInput, match="--language"):
        importers.parse_file(path)
    item = importers.parse_file(path, language="en")
    assert item.fields["language"] == "en" and item.language_from == "option"


# --- the Wire and the command ------------------------------------------------------------

runner = CliRunner()


def count(wire) -> int:
    return len(wire.listings.list(ListQuery(), limit=500)[0])


def invoke(settings, *args):
    return runner.invoke(app, ["import", *map(str, args), "--database-url", settings.sqlalchemy_url])


def test_import_releases_is_all_or_nothing(wire, sample):
    wire.accounts.create_issuer("acme", "Acme")
    good = {**sample, "issuer": "acme"}
    with pytest.raises(InvalidInput) as exc:
        wire.releases.import_releases(SYSTEM, [good, {**good, "issuer": "nobody"}], publish=True)
    assert exc.value.extra["index"] == 1 and count(wire) == 0
    done = wire.releases.import_releases(SYSTEM, [good, good], publish=True)
    assert [r.status for r in done] == [Status.PUBLISHED] * 2 and count(wire) == 2


def test_cli_imports_files(wire, settings):
    wire.accounts.create_issuer("acme", "Acme")
    res = invoke(settings, DATA / "acme-launch.md", DATA / "acme-wire.txt", DATA / "globex.html",
                 "--issuer", "acme")
    assert res.exit_code == 0, res.output
    lines = [line.split("\t") for line in res.stdout.splitlines()]
    assert len(lines) == 3 and count(wire) == 3
    for (rid, status, url), lang in zip(lines, ["en", "en", "de"], strict=True):
        made = wire.releases.get(SYSTEM, int(rid))  # (the CLI prints the desk's number, the URL has the public id)
        assert status == "draft" and url.startswith("http://") and f"/{lang}/releases/{made.public_id}/" in url
        assert made.issuer.slug == "acme"
    html = wire.releases.get(SYSTEM, int(lines[2][0]))
    assert html.content.headline == "Globex stellt neues Rechenzentrum vor"


def test_cli_dry_run_prints_fields_and_furniture_and_imports_nothing(wire, settings):
    sample = DATA.parent / "wirecopy" / "de-newssite-republished.txt"
    res = invoke(settings, sample, DATA / "acme-launch.md", "--dry-run")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "dateline: Innsbruck, 2026-11-18" in out and "agency: SeaPRwire" in out
    assert "subheadline: Der Tiroler Versorger" in out and "medtop:20000256 (energy and resource)" in out
    assert "dateline marker → dateline, attribution: Innsbruck, 18. November 2026 – (SeaPRwire) –" in out
    assert "footer → dropped: Details" in out and "disclaimer → attribution: Der Artikel" in out
    assert "acme-launch.md (markdown; language en, as the file says)" in out and "furniture removed: none" in out
    assert count(wire) == 0
    bad = invoke(settings, DATA / "broken-yaml.md", "--dry-run")
    assert bad.exit_code == 1 and "broken-yaml.md" in bad.stderr


def test_cli_import_keeps_the_furniture_and_no_invented_date(wire, settings):
    wire.accounts.create_issuer("acme", "Acme")
    res = invoke(settings, DATA / "beispiel-ots.txt", DATA.parent / "wirecopy" / "en-globe-trex.txt",
                 "--issuer", "acme", "--publish")
    assert res.exit_code == 0, res.output
    (ots, _, _), (globe, _, _) = (line.split("\t") for line in res.stdout.splitlines())
    release = wire.releases.get(SYSTEM, int(ots))
    assert release.content.dateline.city == "Hamburg" and release.content.dateline.date is None  # not today
    assert release.content.attribution.startswith("ots\n")
    trex = wire.releases.get(SYSTEM, int(globe)).content
    assert trex.dateline.date == dt.date(2020, 11, 12) and trex.tickers == ("NYSE:TREX",)
    assert "<h2>Production starts in January</h2>" in trex.body_html
    records = [r for r in wire.releases.history(SYSTEM, int(ots)) if r["action"] == "import.furniture"]
    assert len(records) == 1
    pieces = records[0]["detail"]["furniture"]
    assert {"kind": "dateline marker", "text": "Hamburg (ots) -", "to": "dateline, attribution"} in pieces
    assert any(p["kind"] == "contact block" and p["to"] == "contacts" for p in pieces)


def test_cli_publish_publishes_or_schedules(wire, settings, tmp_path):
    wire.accounts.create_issuer("acme", "Acme")
    later = tmp_path / "embargoed.md"
    later.write_text("---\ntitle: Acme will open a factory\nlanguage: en\nissuer: acme\n"
                     "embargo_until: 2099-01-01T09:00:00+01:00\n---\n\nAcme will open a factory.\n")
    res = invoke(settings, DATA / "acme-launch.md", later, "--publish")
    assert res.exit_code == 0, res.output
    (id1, st1, _), (id2, st2, _) = (line.split("\t") for line in res.stdout.splitlines())
    assert (st1, st2) == ("published", "scheduled")
    assert wire.releases.get(SYSTEM, int(id1)).status == Status.PUBLISHED
    assert wire.releases.get(SYSTEM, int(id2)).status == Status.SCHEDULED


def test_cli_batch_with_broken_files_imports_nothing(wire, settings):
    wire.accounts.create_issuer("acme", "Acme")
    before = count(wire)
    res = invoke(settings, DATA / "acme-launch.md", DATA / "beispiel-ots.txt", DATA / "broken-yaml.md",
                 DATA / "broken-binary.txt", "--issuer", "acme", "--publish")
    assert res.exit_code == 1 and res.stdout == ""
    assert "broken-yaml.md" in res.stderr and "broken-binary.txt" in res.stderr
    assert "acme-launch.md" not in res.stderr and "nothing imported: 2 of 4" in res.stderr
    assert count(wire) == before == 0


def test_cli_reports_issuer_and_validation_problems(wire, settings, tmp_path):
    wire.accounts.create_issuer("acme", "Acme")
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: A release\nlanguage: en\nregions: [XX]\n---\n\nText of the release.\n")
    res = invoke(settings, DATA / "beispiel-ots.txt", bad)
    assert res.exit_code == 1
    assert "beispiel-ots.txt: names no issuer" in res.stderr
    res = invoke(settings, DATA / "acme-launch.md", "--issuer", "globex")
    assert res.exit_code == 1 and "--issuer is 'globex'" in res.stderr
    res = invoke(settings, bad, "--issuer", "acme")
    assert res.exit_code == 1 and "bad.md" in res.stderr and "regions[0]" in res.stderr
    assert count(wire) == 0
