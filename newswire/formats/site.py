"""What a format needs to know about the wire itself: its name, address and URL scheme."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.models import Media, Release, Rendition

HUB_PATH = "/websub"  # the WebSub hub every feed advertises


@dataclass(frozen=True)
class Site:
    name: str
    base_url: str
    disclaimer: str = ""

    @classmethod
    def from_settings(cls, s) -> "Site":
        """From anything with ``wire_name``, ``base_url`` and ``disclaimer`` (the Settings)."""
        return cls(name=s.wire_name, base_url=s.base_url.rstrip("/"), disclaimer=s.disclaimer)

    def url(self, path: str) -> str:
        return self.base_url + path

    def release_path(self, release: Release, lang: str | None = None) -> str:
        return f"/{lang or release.language}/releases/{release.id}/{release.slug}"

    def release_url(self, release: Release, lang: str | None = None) -> str:
        return self.url(self.release_path(release, lang))

    def release_guid(self, release: Release, lang: str | None = None) -> str:
        """Stable across corrections and slug changes (feeds and ninjs uri use it)."""
        lang = lang or release.language
        return self.url(f"/releases/{release.id}" + (f"?lang={lang}" if lang != release.original_language else ""))

    def media_url(self, item: Media, rendition: Rendition) -> str:
        """A rendition's unguessable address (embargoed with its release: docs/api.md)."""
        return self.url(f"/media/{item.token}/{rendition.filename}")

    def home_path(self, lang: str) -> str:
        return f"/{lang}/"

    def issuer_path(self, lang: str, slug: str) -> str:
        return f"/{lang}/issuers/{slug}"

    def industry_path(self, lang: str, qcode: str) -> str:
        return f"/{lang}/industries/{qcode.split(':', 1)[-1]}"

    def industries_path(self, lang: str) -> str:
        return f"/{lang}/industries"

    def regions_path(self, lang: str) -> str:
        return f"/{lang}/regions"

    def region_path(self, lang: str, code: str) -> str:
        return f"/{lang}/regions/{code.upper()}"

    def issuers_path(self, lang: str) -> str:
        return f"/{lang}/issuers"

    def search_path(self, lang: str) -> str:
        return f"/{lang}/search"

    def feed_path(self, lang: str, kind: str) -> str:
        return f"/feeds/{lang}.{kind}"
