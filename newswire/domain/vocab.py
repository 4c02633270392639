"""Controlled vocabularies: IPTC Media Topics (industries) and ISO 3166-1 regions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry

_DATA = Path(__file__).with_name("data") / "mediatopics.json"
QCODE_RE = re.compile(r"^medtop:\d{8}$")

# Which IPTC label locale serves each wire language (IPTC has no ko/ja/vi/th/id/ms/ru/zh-Hant labels).
_LABEL_LOCALE = {"en": "en-GB", "pt": "pt-PT", "zh-Hans": "zh-Hans", "zh-Hant": "zh-Hans"}


@dataclass(frozen=True)
class Topic:
    qcode: str
    parent: str | None
    retired: str | None
    labels: dict

    def label(self, lang: str = "en") -> str:
        locale = _LABEL_LOCALE.get(lang, lang)
        return self.labels.get(locale) or self.labels.get("en-GB") or self.qcode

    @property
    def uri(self) -> str:
        return "http://cv.iptc.org/newscodes/mediatopic/" + self.qcode.split(":", 1)[1]


class MediaTopics:
    def __init__(self, raw: dict):
        self.source = raw["title"]
        self.licence = raw["licence"]
        self._topics = {
            q: Topic(q, c["parent"], c["retired"], c["labels"]) for q, c in raw["concepts"].items()
        }
        self._children: dict[str, list[str]] = {}
        for t in self._topics.values():
            if t.parent:
                self._children.setdefault(t.parent, []).append(t.qcode)

    def __contains__(self, qcode: str) -> bool:
        return qcode in self._topics

    def __len__(self) -> int:
        return len(self._topics)

    def get(self, qcode: str) -> Topic | None:
        return self._topics.get(normalize_qcode(qcode))

    def ancestors(self, qcode: str) -> list[str]:
        out, cur = [], self._topics.get(qcode)
        while cur and cur.parent:
            out.append(cur.parent)
            cur = self._topics.get(cur.parent)
        return out

    def descendants(self, qcode: str) -> set[str]:
        out, stack = set(), [qcode]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return out

    def all(self) -> list[Topic]:
        return list(self._topics.values())

    def find_by_label(self, label: str) -> Topic | None:
        """Match a human label in any language (used by importers for tag lines)."""
        key = label.strip().casefold()
        return self._label_index().get(key)

    @cache
    def _label_index(self) -> dict[str, Topic]:
        index: dict[str, Topic] = {}
        for t in self._topics.values():
            if t.retired:
                continue
            for lbl in t.labels.values():
                index.setdefault(lbl.casefold(), t)
        return index

    def __hash__(self) -> int:  # lets functools.cache key on the instance
        return id(self)


def normalize_qcode(code: str) -> str:
    code = (code or "").strip()
    if code.startswith("http://cv.iptc.org/newscodes/mediatopic/"):
        code = "medtop:" + code.rsplit("/", 1)[1]
    return code


@cache
def media_topics() -> MediaTopics:
    return MediaTopics(json.loads(_DATA.read_text(encoding="utf-8")))


def region_name(code: str, lang: str = "en") -> str:
    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        return code
    if lang != "en":
        try:
            import gettext

            t = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang.replace("-", "_")])
            return t.gettext(c.name)
        except OSError:
            pass
    return c.name


def is_region(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.isupper() and pycountry.countries.get(alpha_2=code) is not None
