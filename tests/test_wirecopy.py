"""The wire-copy heuristics one by one: datelines and source markers, standfirsts, headings,
sentences broken across paragraphs, inline Markdown (the corpus test checks whole samples)."""

from __future__ import annotations

import datetime as dt

import pytest

from newswire.formats import jsonld
from newswire.intake import validate, wirecopy

TODAY = dt.date(2026, 11, 22)


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
