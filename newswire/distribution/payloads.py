"""The webhook body: a versioned Standard Webhooks envelope around the release as ninjs 2.1.

``data`` is a ninjs 2.1 document and nothing else, so a receiver can validate it with IPTC's
schema; what the wire says about the event (the release's page, attribution, correction note,
withdraw reason, language version) goes beside it in ``release``. The envelope is documented in
docs/webhooks.md and described by ``ENVELOPE_SCHEMA`` (a JSON Schema the tests validate every
payload kind against). ``version`` changes only when a receiver's code would have to change.

Rendered once per release, version, event and format and shared by every recipient, so
nothing in it may depend on the recipient.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..domain.models import Release
from ..domain.subscriptions import Event
from ..formats import newsml, ninjs
from ..formats.newsml import timestamp
from ..formats.site import Site

ENVELOPE_VERSION = 1
ENVELOPE_SCHEMA = Path(__file__).with_name("webhook-envelope.schema.json")
FORMATS = ("ninjs", "newsml-g2")


def event_time(release: Release, event: str):
    """When the event happened (the same on every retry; the attempt time is in the headers)."""
    if event == Event.WITHDRAWN and release.withdrawn_at:
        return release.withdrawn_at
    if event == Event.CORRECTED:
        return release.current.created_at
    return release.published_at or release.updated_at


def attribution(release: Release, site: Site) -> str:
    own = release.content.attribution
    return own or f"{release.issuer.name}, distributed by {site.name}"


def about(release: Release, event: str, site: Site) -> dict:
    """The wire's own facts about this release event: the envelope's ``release`` member."""
    t = release.translation
    return {
        "id": release.public_id,  # the API's id of it (domain/ids.py), never the internal number
        "uri": site.release_guid(release),
        "url": site.release_url(release),
        "language": release.language,
        "original_language": release.original_language,
        "machine_translated": bool(t and t.machine),
        "version": release.current.number,
        "attribution": attribution(release, site),
        # A string exactly on its own event (possibly empty), null otherwise.
        "correction_note": release.current.correction_note if event == Event.CORRECTED else None,
        "withdraw_reason": release.withdraw_reason if event == Event.WITHDRAWN else None,
    }


def envelope(release: Release, event: str, site: Site, fmt: str = "ninjs") -> dict:
    """The envelope as a dict. A NewsML-G2 endpoint gets the newsItem XML beside ``data`` as ``newsml_g2``."""
    data = ninjs.render(release, site)
    if event == Event.WITHDRAWN or fmt == "newsml-g2":
        # A kill notice does not send the withdrawn text out again; a NewsML-G2 endpoint has it in the XML.
        for key in ("bodies", "descriptions"):
            data.pop(key, None)
    out = {"type": str(event), "timestamp": timestamp(event_time(release, event)), "version": ENVELOPE_VERSION,
           "format": fmt if fmt in FORMATS else "ninjs", "release": about(release, event, site), "data": data}
    if out["format"] == "newsml-g2" and event != Event.WITHDRAWN:
        out["newsml_g2"] = newsml.render(release, site).decode()
    return out


def webhook_body(release: Release, event: str, site: Site, fmt: str = "ninjs") -> bytes:
    # Compact and byte-exact: receivers verify the signature over exactly these bytes.
    return json.dumps(envelope(release, event, site, fmt), ensure_ascii=False, separators=(",", ":")).encode()


TEST_EVENT = "newswire.test"


def test_body(endpoint_id: int, site: Site, when) -> bytes:
    """A test event's body: the envelope's type, timestamp and version, carrying no release
    (``data`` says what it is; docs/webhooks.md)."""
    body = {"type": TEST_EVENT, "timestamp": timestamp(when), "version": ENVELOPE_VERSION,
            "data": {"endpoint_id": endpoint_id, "url": site.base_url,
                     "message": f"A test event from {site.name}: this endpoint is reachable and verifies "
                                "Standard Webhooks signatures."}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
