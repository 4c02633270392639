"""Importing releases from files: the parsers, the wire-copy heuristics and `newswire import`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswire.cli import app
from newswire.domain.errors import InvalidInput
from newswire.domain.models import SYSTEM, Status
from newswire.formats import jsonld
from newswire.intake import importers, validate, wirecopy
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


@pytest.mark.parametrize("opening, city, date, agency", [
    ("BERLIN, Nov. 20, 2026 (Agency) – ", "Berlin", "2026-11-20", "Agency"),
    ("SEOUL, Nov. 20 (Yonhap) -- ", "Seoul", f"{dt.date.today().year}-11-20", "Yonhap"),
    ("Hamburg (ots) - ", "Hamburg", None, "ots"),
    ("SAN FRANCISCO--(BUSINESS WIRE)--", "San Francisco", None, "BUSINESS WIRE"),
    ("Paris, 20 novembre 2026 – ", "Paris", "2026-11-20", ""),
    ("(서울=연합뉴스) ", "서울", None, "연합뉴스"),
    # issue 9: the shapes wires and republishers really use
    ("WINCHESTER, Virginia and BOISE, Idaho, Nov 12, 2020, Nov. 12, 2020 (GLOBE NEWSWIRE) — ",
     "Winchester and Boise", "2020-11-12", "GLOBE NEWSWIRE"),
    ("NORTHBROOK, Ill.–(BUSINESS WIRE)–", "Northbrook", None, "BUSINESS WIRE"),
    ("AUSTIN, TX, UNITED STATES, Nov. 20, 2026 /EINPresswire.com/ -- ", "Austin", "2026-11-20", "EINPresswire.com"),
    ("AUSTIN, TX / ACCESSWIRE / November 20, 2026 / ", "Austin", "2026-11-20", "ACCESSWIRE"),
    ("TOKYO, Nov 20, 2026 - (JCN Newswire) - ", "Tokyo", "2026-11-20", "JCN Newswire"),
    ("Innsbruck, 18. November 2026 – (SeaPRwire) –   ", "Innsbruck", "2026-11-18", "SeaPRwire"),
    ("北京2026年11月20日 /美通社/ -- ", "北京", "2026-11-20", "美通社"),
    ("دبي، الإمارات العربية المتحدة، 20 نوفمبر 2026 /PRNewswire/ -- ", "دبي", "2026-11-20", "PRNewswire"),
    ("กรุงเทพฯ, 20 พฤศจิกายน 2569 /PRNewswire/ -- ", "กรุงเทพฯ", "2026-11-20", "PRNewswire"),  # Buddhist era
])
def test_dateline_markers(opening, city, date, agency):
    copy = wirecopy.parse(f"Headline\n\n{opening}Acme today opened a factory.\n")
    expected = {"city": city, "date": date} if date else {"city": city}
    assert copy.fields["dateline"] == expected and copy.agency == agency
    assert copy.fields["body"] == "Acme today opened a factory."


def test_agency_alone_is_no_dateline_and_never_today():
    copy = wirecopy.parse("Headline\n\n(SeaPRwire) –   Acme today opened a factory.\n")
    assert "dateline" not in copy.fields and copy.agency == "SeaPRwire"
    assert copy.fields["attribution"] == "SeaPRwire" and copy.fields["body"] == "Acme today opened a factory."
    # A dateline without a date stays undated through validation (imports); typed input keeps today's.
    undated = validate.content({"headline": "H", "body": "B", "language": "en", "dateline": {"city": "Hamburg"}},
                               max_body_bytes=1000, today=None)
    assert undated.dateline.city == "Hamburg" and undated.dateline.date is None
    assert jsonld.dateline(undated, "en", dt.date(2026, 11, 24)) == "HAMBURG, November 24, 2026"  # the publication's
    typed = validate.content({"headline": "H", "body": "B", "language": "en", "dateline": {"city": "Hamburg"}},
                             max_body_bytes=1000, today=TODAY)
    assert typed.dateline.date == TODAY


def test_two_markers_leave_none_in_the_body():
    copy = wirecopy.parse("Headline\n\nWien (APA-OTS) - Berlin, 20. November 2026 (dpa) - Acme eröffnet ein Werk.\n",
                          "de")
    assert copy.fields["body"] == "Acme eröffnet ein Werk." and copy.agency == "APA-OTS / dpa"
    assert copy.fields["dateline"] == {"city": "Wien", "date": "2026-11-20"}
    assert copy.fields["attribution"] == "APA-OTS / dpa"


def test_structure_of_flattened_copy():
    copy = wirecopy.parse("Acme opens a plant ”`\n\nStandfirst of the release.\n\n(SeaPRwire) – Acme said it supports the\n\n"
                          "region every day.\n\nA new chapter\n\nIt starts with **bold** and *italic* words (Nasdaq: ACME)"
                          ", ISIN US0378331005.\n\nDetails\n")
    f = copy.fields
    assert f["headline"] == "Acme opens a plant" and f["subheadline"] == "Standfirst of the release."
    assert f["body"].startswith("Acme said it supports the region every day.\n\n## A new chapter\n\n")
    assert "**bold** and *italic*" in f["body"] and "Details" not in f["body"]
    assert f["tickers"] == ["NASDAQ:ACME", "US0378331005"]
    kinds = {(p.kind, p.to) for p in copy.furniture}
    assert {("junk after the headline", "dropped"), ("footer", "dropped"),
            ("dateline marker", "dateline, attribution")} <= kinds


def test_ordinary_text_is_not_taken_for_furniture():
    copy = wirecopy.parse("Headline\n\nAcme, the skate maker, grew - again.\n\nAbout 300 people came.\n\n"
                          "Contact us today to learn more.\n\nSource: our own survey of 200 buyers.\n\nThe end.\n")
    assert "dateline" not in copy.fields and "boilerplate" not in copy.fields
    assert "contacts" not in copy.fields and "attribution" not in copy.fields
    assert copy.fields["body"].count("\n\n") == 4


@pytest.mark.parametrize("copy, subheadline", [
    # no marker at all: only a marked standfirst (bold, italic, bullets) is one
    ("H\n\n*Sales doubled in the third quarter*\n\nAcme sold more.\n", "Sales doubled in the third quarter"),
    ("H\n\n**Umsatz verdoppelt**\n\nAcme verkaufte mehr.\n", "Umsatz verdoppelt"),
    ("H\n\n- Sales doubled\n- Margin up\n\nAcme sold more.\n", "Sales doubled; Margin up"),
    ("H\n\n• 销量翻倍\n• 利润增长\n\n公司销量大增。\n", "销量翻倍；利润增长"),
    ("H\n\n▲ 매출 두 배\n\n▲ 이익 증가\n\n에이스가 더 많이 팔았다.\n", "매출 두 배; 이익 증가"),
    # before a marker: also a plain short paragraph
    ("H\n\nالمبيعات تتضاعف\n\nدبي، 20 نوفمبر 2026 /PRNewswire/ -- باعت أكمي أكثر.\n", "المبيعات تتضاعف"),
    ("H\n\n_Sales doubled._\n\nBERLIN, Nov. 20, 2026 (Agency) – Acme sold more.\n", "Sales doubled."),
    ("H\n\n～翌日配送を実現～\n\n仙台2026年11月26日 /PRNewswire/ -- 当社は開設しました。\n", "翌日配送を実現"),
    ("H\n\n——收入增长30%\n\n杭州2026年11月26日 /美通社/ -- 公司公布业绩。\n", "收入增长30%"),
])
def test_standfirst_without_a_marker(copy, subheadline):
    f = wirecopy.parse(copy).fields
    assert f["subheadline"] == subheadline and subheadline.strip("*_") not in f["body"]


def test_a_genre_label_is_no_standfirst():
    copy = wirecopy.parse("Headline\n\nPressemitteilung\n\nKiel (ots) - Die Hafenbahn bestellt Loks.\n", "de")
    assert "subheadline" not in copy.fields and copy.fields["body"] == "Die Hafenbahn bestellt Loks."
    assert ("genre label", "dropped") in {(p.kind, p.to) for p in copy.furniture}
    copy = wirecopy.parse("Headline\n\nFOR IMMEDIATE RELEASE\n\nAcme sold more.\n", "en")
    assert copy.fields["body"] == "Acme sold more."


def test_bracketed_cjk_heading_and_a_dated_newswire_marker():
    f = wirecopy.parse("H\n\n(광주=뉴스와이어) 2026년 11월 26일 -- 빛고을에너지가 준공했다.\n", "ko").fields
    assert f["dateline"] == {"city": "광주", "date": "2026-11-26"} and f["body"] == "빛고을에너지가 준공했다."
    f = wirecopy.parse("H\n\n(Agency) – 当社は開設しました。\n\n【特長】\n\n延床面積は2万平方メートルです。\n", "ja").fields
    assert f["body"] == "当社は開設しました。\n\n## 【特長】\n\n延床面積は2万平方メートルです。"


def test_a_plain_first_paragraph_without_a_marker_stays_body():
    f = wirecopy.parse("Headline\n\nAcme sold more.\n\nIt grew again.\n", "en").fields
    assert "subheadline" not in f and f["body"] == "Acme sold more.\n\nIt grew again."
    f = wirecopy.parse("Заголовок\n\n— Мы рады, — сказал директор.\n\nКомпания выросла.\n", "ru").fields
    assert "subheadline" not in f  # the em dash opens direct speech, not a bullet
    long = "Acme " + "sold more skates than ever before, " * 10 + "said the company."
    f = wirecopy.parse(f"Headline\n\n{long}\n\nBERLIN, Nov. 20, 2026 (Agency) – Acme sold more.\n", "en").fields
    assert "subheadline" not in f and f["body"].startswith(long)  # over 300 characters: a paragraph


@pytest.mark.parametrize("body, expected", [
    # cut mid-sentence before a capital, a digit, a name: joined (it used to be only before lower case)
    ("Acme said, according to chief executive\n\nJane Doe. It grew.", "Acme said, according to chief executive Jane Doe. It grew."),
    ("في جميع أنحاء\n\nقطر، بعد استثمار.", "في جميع أنحاء قطر، بعد استثمار."),
    ("单柜容量达到\n\n418千瓦时。", "单柜容量达到418千瓦时。"),  # no space in CJK
    ("総投資額は\n約180億円です。", "総投資額は約180億円です。"),  # a line break in CJK is soft
    ("ห้อง\nที่หาดกะตะ", "ห้องที่หาดกะตะ"),  # Thai too, without a blank line
    # not joined: a sentence end in any script, headings, list items, blocks, Thai paragraphs
    ("Acme grew.\n\nIt sold more.", "Acme grew.\n\nIt sold more."),
    ("هل نمت أكمي؟\n\nنعم.", "هل نمت أكمي؟\n\nنعم."),
    ("Acme grew.\n\nA new chapter\n\nIt sold more.", "Acme grew.\n\n## A new chapter\n\nIt sold more."),
    ("It has three parts\n\n- one\n- two", "It has three parts\n\n\\- one\n\\- two"),
    ("Acme grew by\n\n| 2025 | 2026 |", "Acme grew by\n\n\\| 2025 \\| 2026 \\|"),
    ("บริษัทเปิดโรงงาน\n\nสายการผลิตใหม่จะรับซื้อข้าว", "บริษัทเปิดโรงงาน\n\nสายการผลิตใหม่จะรับซื้อข้าว"),
    ("Acme sold more and\n\nBERLIN, Nov. 20, 2026 (Agency) – it grew.", None),
    ("Acme grew.\n\nMore at https://acme.example/skates\n\nIt sold more.",
     "Acme grew.\n\nMore at https://acme.example/skates\n\nIt sold more."),
    ("Acme grew.\n\nPhoto credit: Acme Corp\n\nIt sold more.", "Acme grew.\n\nPhoto credit: Acme Corp\n\nIt sold more."),
    ("Acme (NYSE: ACME) said it will hire more staff in\n\nOhio.", "Acme (NYSE: ACME) said it will hire more staff in Ohio."),
])
def test_sentences_broken_across_paragraphs(body, expected):
    got = wirecopy.parse("Headline\n\n(Agency) – " + body + "\n", "en").fields["body"]
    if expected is None:  # a dateline is not the sentence's end
        assert "and\n\nBERLIN" in got
    else:
        assert got == expected


def test_escape_markdown():
    # Bold, italics and web links typed inline are kept (issue 9: they were escaped); the rest is text.
    assert wirecopy.escape_markdown("- a\n1. b\n# c\n*d* _e_ <b> [f](g) &amp;") == \
        "\\- a\n1\\. b\n\\# c\n*d* _e_ \\<b\\> \\[f\\](g) \\&amp;"
    assert wirecopy.escape_markdown("**a <b>** [x](https://acme.example/p) 2*3*4") == \
        "**a \\<b\\>** [x](https://acme.example/p) 2\\*3\\*4"


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
        assert status == "draft" and url.startswith("http://") and f"/{lang}/releases/{rid}/" in url
        assert wire.releases.get(SYSTEM, int(rid)).issuer.slug == "acme"
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
