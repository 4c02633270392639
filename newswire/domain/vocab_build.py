"""Build the package's Media Topic data from the IPTC release in ``../shared``.

Run ``python -m newswire.domain.vocab_build [SOURCE_JSON]``. The output
(``newswire/domain/data/mediatopics.json``) is committed so an installed wheel
needs nothing from ``../shared``; ``tests/test_vocab.py`` rebuilds it and fails
if the committed copy has drifted from the shared source.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT_SOURCE = (
    Path(__file__).resolve().parents[2].parent
    / "shared/standards/iptc-mediatopics/mediatopic_2023-10-24.json"
)
OUTPUT = Path(__file__).with_name("data") / "mediatopics.json"


def build(source: Path = DEFAULT_SOURCE) -> dict:
    raw = json.loads(source.read_text(encoding="utf-8"))
    concepts = {}
    for c in raw["concepts"]:
        concepts[c["qcode"]] = {
            "parent": c["parent"],
            "retired": c["retired"],
            "labels": {k: v for k, v in sorted(c["prefLabel"].items()) if v},
        }
    return {
        "source": raw["meta"]["source"],
        "title": raw["meta"]["title"],
        "licence": raw["meta"]["licence"],
        "languages": raw["meta"]["languages"],
        "concepts": concepts,
    }


def render(source: Path = DEFAULT_SOURCE) -> str:
    return json.dumps(build(source), ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    OUTPUT.write_text(render(source), encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
