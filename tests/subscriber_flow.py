"""Steps the subscriber self-service tests share: settings that mail to a real aiosmtpd server,
signing up through the page, the link out of the e-mail, an outlet with a signed-in person."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from web_helpers import PASSWORD, browser, person, sign_in, submit

from newswire.config import Settings
from newswire.domain.subscriptions import Kind, Preferences
from newswire.storage import subscribers as subs
from newswire.storage.tables import endpoints, subscribers, users

LINK = re.compile(r"https?://\S+/subscribe/confirm/\S+")


def mail_settings(tmp_path, database_url, smtp, **kw) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, base_url="http://testserver",
                    run_worker=False, smtp_url=f"smtp://127.0.0.1:{smtp.port}",
                    mail_from="Newswire <wire@newswire.test>", **kw)


def sign_up(client, email: str, **fields):
    data = {"name": "Ada Reporter", "email": email, "password": PASSWORD, "password_again": PASSWORD,
            "languages": ["en"], "delivery": "instant", "digest_hour": "7", "timezone": "Europe/Berlin", **fields}
    return submit(client, "/subscribe", "/subscribe", data)


def confirmation_path(smtp, email: str, index: int = -1) -> str:
    message = smtp.to(email)[index]
    link = LINK.search(message.get_content())
    assert link, message.get_content()
    return urlsplit(link.group(0)).path


def counts(wire) -> tuple[int, int, int]:
    with wire.engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                     for t in (subscribers, endpoints, users))


def outlet(wire, app, name: str = "Daily Planet"):
    """An outlet subscriber and a browser signed in as its person (``.user``, ``.sid``)."""
    with wire.db.transaction() as conn:
        sid = subs.create_subscriber(conn, kind=Kind.OUTLET, name=name, email=None, preferences=Preferences(),
                                     timezone="UTC", now=wire.clock())
    user = person(wire, "subscriber", subscriber_id=sid)
    client = browser(app)
    sign_in(client, user.email)
    client.user, client.sid = user, sid
    return client
