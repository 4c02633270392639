"""Which of the wire's languages a text is in (for imported files that do not say).

lingua, restricted to the wire's languages: fewer candidates make it both faster
and more accurate. It knows one Chinese, so the script is told apart here.
"""

from __future__ import annotations

from functools import cache

# Fewer letters than this give lingua too little to go on ("OK", "Hello" …).
MIN_LETTERS = 10
# The best language must hold more than half the confidence: then no other one
# comes close (Indonesian vs Malay is the usual near-tie).
MIN_CONFIDENCE = 0.5

_TAGS = {
    "ENGLISH": "en", "KOREAN": "ko", "JAPANESE": "ja", "ARABIC": "ar", "CHINESE": "zh-Hans",
    "VIETNAMESE": "vi", "THAI": "th", "INDONESIAN": "id", "MALAY": "ms", "GERMAN": "de",
    "RUSSIAN": "ru", "FRENCH": "fr", "SPANISH": "es", "PORTUGUESE": "pt",
}

# Frequent characters that differ between the two scripts, position by position
# (simplified / traditional). A release is written in one script and any paragraph
# holds several of these, so counting them decides; no conversion table is needed.
# Only forms that exist in one script alone are listed: 后, 于, 里, 台, 面 … are
# valid in both and would mislead.
_SIMPLIFIED = ("这个们来时为说国会对发经过动学现产与业长开进实关电机问还没从种样东车"
               "书见话让认则万体区务报场应员单总级门间网数术华价营销资设计际费质证选额")
_TRADITIONAL = ("這個們來時為說國會對發經過動學現產與業長開進實關電機問還沒從種樣東車"
                "書見話讓認則萬體區務報場應員單總級門間網數術華價營銷資設計際費質證選額")
_HANS, _HANT = set(_SIMPLIFIED) - set(_TRADITIONAL), set(_TRADITIONAL) - set(_SIMPLIFIED)


@cache
def _detector():
    # Imported here, built on first use: loading lingua's models takes seconds.
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in _TAGS)).build()


def chinese_script(text: str) -> str:
    """zh-Hant when traditional-only characters outnumber simplified-only ones, else zh-Hans."""
    hans = sum(ch in _HANS for ch in text)
    hant = sum(ch in _HANT for ch in text)
    return "zh-Hant" if hant > hans else "zh-Hans"


def detect(text: str) -> str | None:
    """The wire's tag for ``text``'s language, or None when the text is too short
    or lingua is not confident enough to say."""
    text = (text or "")[:5000]  # the start of a release is plenty and keeps long files quick
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value <= MIN_CONFIDENCE:
        return None
    tag = _TAGS[values[0].language.name]
    return chinese_script(text) if tag == "zh-Hans" else tag
