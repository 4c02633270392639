"""The newsroom's interface labels in the page's language: gettext catalogs read with Babel.

Catalogs are split by template area so that parts of the site are translated independently:
the templates directly in ``templates/`` use ``locale/{tag}/LC_MESSAGES/messages.po``, and the
templates in a subfolder ``templates/{area}/`` use ``locale/{tag}/LC_MESSAGES/{area}.po``. Each
has the English text as msgid (English needs no catalog) and a ``locale/{area}.pot`` template.
A page may use any area's messages: a language's catalogs are merged into one lookup. A catalog is read the first time its language is asked for,
compiled in memory (no ``.mo`` files, no build step) and cached for the life of the process.
Untranslated or fuzzy entries, and languages without a catalog, fall back to the English msgid.

Templates call ``_("Releases in %(language)s", lang, language=...)``: the translation is
escaped, then every value is escaped as it is put in, unless it is already markup (a link or
a ``<time>`` element built in the template); a catalog can never inject HTML.
"""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from markupsafe import Markup, escape

from ..domain import languages

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
DOMAIN = "messages"  # the area of the templates directly in templates/


def areas() -> list[str]:
    """Every template area: ``messages`` and each subfolder of ``templates/``."""
    return [DOMAIN, *sorted(p.name for p in TEMPLATES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))]


def catalog_path(lang: str, area: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{area}.po"


def template_path(area: str = DOMAIN) -> Path:
    return LOCALE_DIR / f"{area}.pot"


def read_catalog(lang: str, area: str = DOMAIN):
    """The language's catalog of one area as Babel reads it (None when it has none)."""
    path = catalog_path(lang, area)
    if lang not in languages.SUPPORTED or not path.is_file():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=lang.replace("-", "_"), domain=area)


def _compiled(catalog, area: str) -> Translations:
    buffer = BytesIO()
    write_mo(buffer, catalog)  # leaves out fuzzy entries
    buffer.seek(0)
    return Translations(buffer, domain=area)


@cache
def translations(lang: str) -> NullTranslations:
    merged: NullTranslations | None = None
    for area in areas():
        catalog = read_catalog(lang, area)
        if catalog is None:
            continue
        compiled = _compiled(catalog, area)
        if merged is None:
            merged = compiled
        else:
            merged.merge(compiled)
    return merged or NullTranslations()


def gettext(message: str, lang: str, /, **values) -> Markup:
    """``message`` in ``lang``, with ``%(name)s`` placeholders filled in, as escaped markup."""
    text = escape(translations(lang).gettext(message))
    return text % values if values else text


@cache
def language_name(tag: str, in_lang: str) -> str:
    """``tag``'s name as written in ``in_lang`` (CLDR via Babel: "inglés" on a Spanish page)."""
    try:
        found = Locale.parse(in_lang.replace("-", "_")).languages.get(tag.replace("-", "_"))
    except (ValueError, LookupError):
        found = None
    return found or languages.SUPPORTED.get(tag, tag)


def install(env) -> None:
    """Make ``_`` and ``language_name`` available to every template of ``env``."""
    env.globals.update(_=gettext, language_name=language_name)
