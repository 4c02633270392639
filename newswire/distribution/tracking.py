"""Signed tokens for what readers do with a release: an e-mail's open pixel and tracked link, a
newsroom page's view beacon.

A token is the thing it counts (a delivery id; a release's public id and language) and an HMAC of it under a
key derived from the operator's secret: nobody can make one for a delivery or release they were not
sent, so the tracking routes cannot be used to find out whether a release exists, and a link's
target is never in the URL (it is the release's own page, looked up from the delivery): no open
redirect. Tokens are letters and digits of a fixed length, so one rendering of a message can carry
``PLACEHOLDER`` and each recipient's copy the token in its place.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from ..config import Settings
from ..domain.ids import PATTERN
from .secrets import derived_key

PLACEHOLDER = "nwtrk" + "X" * 25  # as long as a token
_MAC = 20
_DELIVERY = re.compile(r"^([0-9]{10})([0-9a-f]{20})$")
_VIEW = re.compile(rf"^({PATTERN})([a-zA-Z-]{{2,16}})\.([0-9a-f]{{20}})$")  # (a public id is of fixed length)


class Tokens:
    def __init__(self, settings: Settings):
        self._key = derived_key(settings, "tracking")

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:_MAC]

    def delivery(self, delivery_id: int) -> str:
        ident = f"{delivery_id:010d}"
        return ident + self._mac("d" + ident)

    def read_delivery(self, token: str) -> int | None:
        """The delivery a token names, or None for anything forged, altered or malformed."""
        m = _DELIVERY.match(token or "")
        if not m or not hmac.compare_digest(m.group(2), self._mac("d" + m.group(1))):
            return None
        return int(m.group(1))

    def view(self, public_id: str, language: str) -> str:
        """A page's beacon: the release by its public id (a page never shows the internal number)."""
        ident = f"{public_id}{language}"
        return f"{ident}.{self._mac('v' + ident)}"

    def read_view(self, token: str) -> tuple[str, str] | None:
        m = _VIEW.match(token or "")
        if not m or not hmac.compare_digest(m.group(3), self._mac("v" + m.group(1) + m.group(2))):
            return None
        return m.group(1), m.group(2)
