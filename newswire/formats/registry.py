"""The formats the wire can render a release in, registered the way an extension would add one.

A format is ``Format(name, media_type, extension, render)`` where ``render(release, site)``
returns bytes. Built-ins register themselves in ``builtin()``; nothing happens at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.models import Release
from .site import Site


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    render: Callable[[Release, Site], bytes]


class Registry:
    def __init__(self):
        self._by_name: dict[str, Format] = {}

    def register(self, fmt: Format) -> None:
        if fmt.name in self._by_name:
            raise ValueError(f"format {fmt.name!r} is registered already")
        self._by_name[fmt.name] = fmt

    def get(self, name: str) -> Format | None:
        return self._by_name.get(name)

    def by_extension(self, ext: str) -> Format | None:
        return next((f for f in self._by_name.values() if f.extension == ext), None)

    def names(self) -> list[str]:
        return sorted(self._by_name)


def builtin() -> Registry:
    import json

    from . import newsml, ninjs

    reg = Registry()
    reg.register(Format("ninjs", "application/json", "json",
                        lambda r, s: json.dumps(ninjs.render(r, s), ensure_ascii=False).encode()))
    reg.register(Format("newsml-g2", "application/vnd.iptc.g2.newsitem+xml", "xml", newsml.render))
    return reg
