"""How a language version says what it is: every format labels machine translation the same way."""

from __future__ import annotations

from ..domain import languages
from ..domain.models import Translated


def translation_label(t: Translated) -> dict:
    """A machine-readable label (API, live stream)."""
    return {"machine": t.machine, "from": t.original_language, "engines": list(t.engines),
            "human_edited": t.human, "source_version": t.source_version}


def translation_note(t: Translated) -> str:
    """One English line for readers and desks (ninjs/NewsML ednote, e-mail); release pages say it
    in their own language (templates/release.html)."""
    source = languages.name(t.original_language)
    if not t.machine:
        return f"Translated from {source} by the wire's editors; the {source} original is authoritative."
    how = f"Machine translation from {source} ({', '.join(t.engines)})"
    if t.human:
        how += ", reviewed by the wire's editors"
    return f"{how}; the {source} original is authoritative."
