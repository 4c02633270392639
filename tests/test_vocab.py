"""Vocabularies: the packaged Media Topics match the IPTC file in ../shared; languages normalize."""

from __future__ import annotations


import pytest

from conftest import SHARED
from newswire.domain import languages, vocab, vocab_build

SOURCE = SHARED / "standards/iptc-mediatopics/mediatopic_2023-10-24.json"


def test_packaged_media_topics_are_built_from_the_shared_iptc_file():
    assert SOURCE.is_file(), f"{SOURCE} is missing: CI runs with ../shared beside the repo"
    assert vocab_build.OUTPUT.read_text(encoding="utf-8") == vocab_build.render(SOURCE), (
        "newswire/domain/data/mediatopics.json is stale: run python -m newswire.domain.vocab_build")


def test_media_topics_have_labels_in_every_language_iptc_gives():
    topics = vocab.media_topics()
    assert len(topics) == 1372
    economy = topics.get("medtop:04000000")
    assert economy.label("en") == "economy, business and finance"
    assert economy.label("de") == "Wirtschaft und Finanzen"
    assert economy.label("fr") and economy.label("es") and economy.label("ar") and economy.label("zh-Hans")
    assert economy.label("ko") == economy.label("en")  # IPTC has no Korean labels: English stands in
    assert "medtop:20000209" in topics.descendants("medtop:04000000")
    assert topics.ancestors("medtop:20000209") == ["medtop:04000000"]
    assert topics.find_by_label("Wirtschaft und Finanzen").qcode == "medtop:04000000"
    assert topics.get("http://cv.iptc.org/newscodes/mediatopic/04000000").qcode == "medtop:04000000"


@pytest.mark.parametrize("tag,expected", [
    ("en", "en"), ("EN-gb", "en"), ("pt-BR", "pt"), ("zh-CN", "zh-Hans"), ("zh-TW", "zh-Hant"),
    ("zh-Hant-HK", "zh-Hant"), ("zh", "zh-Hans"), ("ms-MY", "ms"), ("in", "id"), ("xx", None), ("", None),
    ("he", None),
])
def test_language_tags(tag, expected):
    assert languages.normalize(tag) == expected


def test_regions():
    assert vocab.is_region("DE") and not vocab.is_region("XX") and not vocab.is_region("de")
    assert vocab.region_name("DE", "de") == "Deutschland"
    assert vocab.region_name("DE") == "Germany"
