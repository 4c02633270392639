"""Language detection for imported files."""

from __future__ import annotations

import pytest

from newswire.domain import languages
from newswire.intake import detect


@pytest.mark.parametrize("text, tag", [
    ("Acme today opened a new factory in Dayton that will triple production of its skates.", "en"),
    ("Die Beispiel AG hat am Freitag den größten Batteriespeicher Norddeutschlands eröffnet.", "de"),
    ("Acme a ouvert aujourd'hui une nouvelle usine qui triplera la production de ses patins.", "fr"),
    ("Acme inauguró hoy una nueva fábrica que triplicará la producción de sus patines.", "es"),
    ("A Acme inaugurou hoje uma nova fábrica que vai triplicar a produção dos seus patins.", "pt"),
    ("Компания Acme сегодня открыла новый завод, который утроит производство коньков.", "ru"),
    ("에이스전자가 경기도 평택에 차세대 반도체 공장을 착공했다고 20일 밝혔다.", "ko"),
    ("株式会社アクメは本日、新しい工場を開設したと発表しました。", "ja"),
    ("افتتحت شركة أكمي اليوم مصنعا جديدا سيضاعف إنتاجها ثلاث مرات.", "ar"),
    ("Công ty Acme hôm nay đã khai trương một nhà máy mới để tăng gấp ba sản lượng.", "vi"),
    ("บริษัท แอคมี เปิดโรงงานแห่งใหม่ในวันนี้ เพื่อเพิ่มกำลังการผลิตเป็นสามเท่า", "th"),
    ("本公司今天宣布推出新产品，这是我们发展的重要一步。", "zh-Hans"),
    ("本公司今天宣佈推出新產品，這是我們發展的重要一步。", "zh-Hant"),
])
def test_detects_the_wire_languages(text, tag):
    assert detect.detect(text) == tag
    assert tag in languages.SUPPORTED


@pytest.mark.parametrize("text", ["", "   ", "OK", "Hello", "12345 67890 !!!", "Acme 3000"])
def test_too_little_text_is_undetected(text):
    assert detect.detect(text) is None


def test_chinese_script_counts_characters_unique_to_each_script():
    assert detect.chinese_script("这个国家的经济发展") == "zh-Hans"
    assert detect.chinese_script("這個國家的經濟發展") == "zh-Hant"
    # Characters shared by both scripts say nothing; simplified is the default.
    assert detect.chinese_script("公司今天") == "zh-Hans"


def test_detector_is_built_once_and_lazily():
    detect._detector.cache_clear()
    assert detect._detector.cache_info().currsize == 0
    detect.detect("Acme today opened a new factory in Dayton, Ohio.")
    detect.detect("Die Beispiel AG hat heute ein neues Werk eröffnet.")
    assert detect._detector.cache_info().misses == 1
