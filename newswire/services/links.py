"""One-time links mailed to a person: password reset, invitation, a journalist's sign-up
confirmation.

The mail goes out first and the link is stored after, in the caller's write transaction; a link
works only once it is stored. So a mail that cannot be sent stores nothing (the caller is told to
retry), and no write transaction is held open across an SMTP round trip: on SQLite that would hold
the database's one write lock, and with it the release clock and every other writer, for as long
as a slow or hung mail server takes (the mailer's timeout is 20 s). If the transaction fails after
the mail went out, the person is shown the error and the mailed link says it is not valid.

The token is 256 random bits; only its SHA-256 is stored, so a copy of the database redeems no link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from ..distribution.mailer import MailError, Mailer
from ..domain.errors import Unavailable
from ..domain.models import SYSTEM, Notice, Principal
from ..formats.site import Site
from ..storage import audit
from ..storage import users as store
from .unit import Clock

Compose = Callable[[str, str], Notice]  # (link, language) → the e-mail to send


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    """A mailed link, not yet stored (so not yet working)."""

    email: str
    token: str
    url: str


class Links:
    def __init__(self, site: Site, mailer: Mailer, clock: Clock):
        self.site, self.mailer, self.clock = site, mailer, clock

    def mail(self, email: str, path: str, compose: Compose, language: str) -> Link:
        """Send the e-mail with a new link under ``path``; raises ``Unavailable`` if it cannot be sent."""
        token = secrets.token_urlsafe(32)
        link = Link(email, token, self.url(f"{path}/{token}"))
        self.send(email, link.url, compose, language)
        return link

    def url(self, path: str) -> str:
        return self.site.url(path)

    def send(self, email: str, url: str, compose: Compose, language: str) -> None:
        """An e-mail with ``url`` in it (no token); raises ``Unavailable`` if it cannot be sent."""
        try:
            self.mailer.send(email, compose(url, language))
        except MailError as e:
            raise Unavailable(f"The e-mail to {email} could not be sent ({e.__class__.__name__}); nothing was "
                              "changed. Try again in a few minutes, or ask the operator to check the mail "
                              "server (NEWSWIRE_SMTP_URL).") from None

    def store(self, conn, link: Link, *, purpose: str, hours: float, created_by: str,
              actor: Principal = SYSTEM, **values) -> None:
        """Make the link work (for ``hours``), voiding the address's earlier links of the purpose."""
        now = self.clock()
        store.void_tokens(conn, email=link.email, purpose=purpose, now=now)
        store.create_token(conn, digest=digest(link.token), purpose=purpose, email=link.email, created_by=created_by,
                           created_at=now, expires_at=now + dt.timedelta(hours=hours), **values)
        audit.record(conn, actor=actor, action=f"token.{purpose}", issuer_id=values.get("issuer_id"), now=now,
                     detail={"email": link.email})
