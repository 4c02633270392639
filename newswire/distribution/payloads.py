"""The webhook body: a Standard Webhooks envelope around the release as ninjs 2.x.

Rendered once per release, version, event and format and shared by every recipient, so
nothing in it may depend on the recipient.
"""

from __future__ import annotations

import json

from ..domain.models import Release
from ..domain.subscriptions import Event
from ..formats import newsml, ninjs
from ..formats.newsml import timestamp
from ..formats.site import Site


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


def webhook_body(release: Release, event: str, site: Site, fmt: str = "ninjs") -> bytes:
    """The envelope is JSON either way; a NewsML-G2 endpoint gets the newsItem XML as ``data.newsml_g2``."""
    data = ninjs.render(release, site)
    if event == Event.WITHDRAWN:
        # A kill notice: the withdrawn text is not sent out again.
        for key in ("bodies", "descriptions"):
            data.pop(key, None)
    elif fmt == "newsml-g2":
        data = {"uri": data["uri"], "version": data["version"], "language": data["language"],
                "newsml_g2": newsml.render(release, site).decode()}
    data.update(url=site.release_url(release), attribution=attribution(release, site), event=event)
    if event == Event.CORRECTED and release.current.correction_note:
        data["correction_note"] = release.current.correction_note
    if event == Event.WITHDRAWN:
        data["withdraw_reason"] = release.withdraw_reason
    envelope = {"type": event, "timestamp": timestamp(event_time(release, event)), "data": data}
    # Compact and byte-exact: receivers verify the signature over exactly these bytes.
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


TEST_EVENT = "newswire.test"


def test_body(endpoint_id: int, site: Site, when) -> bytes:
    """A test event's envelope: the shape of a delivery, carrying no release."""
    envelope = {"type": TEST_EVENT, "timestamp": timestamp(when),
                "data": {"endpoint_id": endpoint_id, "url": site.base_url,
                         "message": f"A test event from {site.name}: this endpoint is reachable and verifies "
                                    "Standard Webhooks signatures."}}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
