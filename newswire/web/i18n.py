"""The newsroom's interface labels in the page's language: gettext catalogs read with Babel.

One catalog per language, ``locale/{tag}/LC_MESSAGES/messages.po``, with the English text as
msgid (English needs no catalog). A catalog is read the first time its language is asked for,
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
DOMAIN = "messages"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str):
    """The language's catalog as Babel reads it (None when it has none)."""
    path = catalog_path(lang)
    if lang not in languages.SUPPORTED or not path.is_file():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=lang.replace("-", "_"), domain=DOMAIN)


@cache
def translations(lang: str) -> NullTranslations:
    catalog = read_catalog(lang)
    if catalog is None:
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, catalog)  # leaves out fuzzy entries
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


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
