"""What a format needs to know about the wire itself: its name, address and URL scheme."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from ..domain.models import Media, Release, Rendition

HUB_PATH = "/websub"  # the WebSub hub every feed advertises
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Left as they are in a query value: RFC 3986's unreserved characters and the sub-delimiters and
# ':' '@' '/' '?' that need no escaping there, but not '&', '=', '+' or '#', which would change it.
_QUERY_SAFE = "-._~!$'()*,;:@/?"


def canonical_url(url: str) -> str:
    """The one spelling of a URL, as feeds name themselves (``rel="self"``) and as the WebSub hub
    stores and matches topics: scheme and host in lower case, no default port, the query's
    parameters sorted with empty ones dropped and each escaped only where it must be (so
    ``?industry=medtop:04000000``, never ``medtop%3A04000000``), no fragment. Two URLs that name
    the same feed have the same canonical form, whichever of them was requested."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
    params = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k and v)
    query = "&".join(f"{quote(k, safe=_QUERY_SAFE)}={quote(v, safe=_QUERY_SAFE)}" for k, v in params)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def guid_ref(release: Release) -> str:
    """What a release's permanent identifiers (feed GUIDs, ninjs ``uri``, the NewsML guid) carry:
    its public id; for a release public before ids were random, the number those identifiers
    already had, so readers and archives keep one item per release (its numeric URL redirects)."""
    return str(release.id) if release.numeric_url else release.public_id


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
        """The release page, by its public id (domain/ids.py): never the internal row id."""
        return f"/{lang or release.language}/releases/{release.public_id}/{release.slug}"

    def release_url(self, release: Release, lang: str | None = None) -> str:
        return self.url(self.release_path(release, lang))

    def release_guid(self, release: Release, lang: str | None = None) -> str:
        """Stable across corrections and slug changes (feeds and ninjs uri use it)."""
        lang = lang or release.language
        return self.url(f"/releases/{guid_ref(release)}" + (f"?lang={lang}" if lang != release.original_language else ""))

    def api_path(self, release: Release, suffix: str = "") -> str:
        """The content API's address of a release (``suffix``: ``.xml``, ``/translations``…)."""
        return f"/api/v1/releases/{release.public_id}{suffix}"

    def api_url(self, release: Release, suffix: str = "") -> str:
        return self.url(self.api_path(release, suffix))

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

    def feed_url(self, lang: str, kind: str, params: Mapping[str, str] | None = None) -> str:
        """A feed's self URL (and WebSub topic), with its filters: always in ``canonical_url`` form."""
        query = "&".join(f"{quote(k, safe=_QUERY_SAFE)}={quote(v, safe=_QUERY_SAFE)}"
                         for k, v in (params or {}).items() if v)
        return canonical_url(self.url(self.feed_path(lang, kind)) + (f"?{query}" if query else ""))
