"""The languages the wire publishes in, as BCP 47 tags.

Hand-written rather than a general BCP 47 library: the wire accepts exactly
these fifteen and needs only a handful of aliases (zh-CN → zh-Hans …).
"""

from __future__ import annotations

SUPPORTED: dict[str, str] = {
    "en": "English",
    "ko": "한국어",
    "ja": "日本語",
    "ar": "العربية",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
    "vi": "Tiếng Việt",
    "th": "ไทย",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
    "de": "Deutsch",
    "ru": "Русский",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
}

RTL = {"ar"}

_ALIASES = {
    "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-hans-cn": "zh-Hans",
    "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant", "zh-hant-tw": "zh-Hant",
    "in": "id", "iw": "he",
}
_BY_LOWER = {k.lower(): k for k in SUPPORTED}


def normalize(tag: str) -> str | None:
    """Return the wire's tag for ``tag`` (case-insensitive; region subtags such
    as ``en-GB`` or ``pt-BR`` fold to the language), or None if unsupported."""
    t = (tag or "").strip().replace("_", "-").lower()
    if not t:
        return None
    if t in _BY_LOWER:
        return _BY_LOWER[t]
    if t in _ALIASES:
        return normalize(_ALIASES[t]) if _ALIASES[t].lower() != t else None
    parts = t.split("-")
    if parts[0] == "zh":
        if "hant" in parts:
            return "zh-Hant"
        return "zh-Hans"
    return _BY_LOWER.get(parts[0])


def split_pair(pair: str) -> tuple[str, str] | None:
    """"en-zh-Hans" → ("en", "zh-Hans"): tags contain hyphens too, so try each cut."""
    parts = pair.strip().split("-")
    for i in range(1, len(parts)):
        source, target = normalize("-".join(parts[:i])), normalize("-".join(parts[i:]))
        if source and target and "-".join(parts[:i]).lower() == source.lower() \
                and "-".join(parts[i:]).lower() == target.lower():
            return source, target
    return None


def supported_list() -> str:
    return ", ".join(SUPPORTED)


_ENGLISH = {"en": "English", "ko": "Korean", "ja": "Japanese", "ar": "Arabic", "zh-Hans": "Simplified Chinese",
            "zh-Hant": "Traditional Chinese", "vi": "Vietnamese", "th": "Thai", "id": "Indonesian", "ms": "Malay",
            "de": "German", "ru": "Russian", "fr": "French", "es": "Spanish", "pt": "Portuguese"}


def name(tag: str) -> str:
    """The language's English name, for messages to operators and API users."""
    return _ENGLISH.get(tag, tag)
