"""Fill msgstrs in one area's catalogs from a JSON file: {"msgid": {"de": "...", "fr": "..."}, ...}.

    .venv/bin/python scripts/fill_catalog.py AREA translations.json

Only the messages named are touched; the catalogs are re-written with Babel (no line wrapping).
Run scripts/catalogs AREA first so that the messages exist."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parents[1] / "newswire" / "web" / "locale"


def main(area: str, source: str) -> None:
    wanted = json.loads(Path(source).read_text(encoding="utf-8"))
    for tag_dir in sorted(p for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir()):
        path = tag_dir / "LC_MESSAGES" / f"{area}.po"
        with path.open("rb") as f:
            catalog = read_po(f, locale=tag_dir.name.replace("-", "_"), domain=area)
        for msgid, by_lang in wanted.items():
            text = by_lang.get(tag_dir.name)
            if text is None:
                continue
            message = catalog.get(msgid)
            if message is None:
                raise SystemExit(f"{path}: no message {msgid!r}; run scripts/catalogs {area} first")
            message.string = text
            message.flags.discard("fuzzy")
        with path.open("wb") as f:
            write_po(f, catalog, width=0, omit_header=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
