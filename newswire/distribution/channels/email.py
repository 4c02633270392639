"""E-mail to journalists over SMTP: instant messages and daily digests over one persistent connection.

``NEWSWIRE_SMTP_URL`` is ``smtp://[user:pass@]host[:port]`` (port 25; STARTTLS when the server
offers it, aiosmtplib's default, so a local relay without TLS works as is) or ``smtps://…``
(TLS from the first byte, port 465). User and password, when given, log in after connecting.

The connection opens on first use and stays open for every following message: per-message
connections would cost a TCP (and TLS) handshake each. A connection the server dropped is
reopened and the message tried once more before the attempt counts as failed.

The MIME message is rendered once per release, version and event (``render``); each recipient
gets it with To, Message-ID and List-Unsubscribe prepended as raw header lines, which costs a
few bytes of concatenation rather than a re-render. RFC 8058 wants the List-Unsubscribe
headers covered by a DKIM signature: sign at the relay.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib

from ...config import Settings
from ...domain.models import Release
from ...formats import email as mail
from ...formats.site import Site
from ..tracking import PLACEHOLDER, Tokens
from .base import Job, Result, Target

DOWN_SECONDS = 5.0
DIGEST_SETTLE = 1.0
_UNSAFE = set("\r\n<>,;: \t\"()[]\\")


def smtp_options(url: str) -> dict:
    """aiosmtplib.SMTP keyword arguments from an smtp:// or smtps:// URL."""
    u = urlsplit(url)
    if u.scheme not in ("smtp", "smtps"):
        raise ValueError(f"NEWSWIRE_SMTP_URL must start with smtp:// or smtps://, not {url!r}")
    tls = u.scheme == "smtps"
    return {"hostname": u.hostname or "localhost", "port": u.port or (465 if tls else 25), "use_tls": tls,
            "start_tls": False if tls else None,
            "username": unquote(u.username) if u.username else None,
            "password": unquote(u.password) if u.password else None}


def _valid(address: str) -> bool:
    # Goes into a raw header line and an SMTP command: no line breaks, no second address.
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and not _UNSAFE.intersection(address)


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings, *, timeout: float = 30.0, digest_settle: float = DIGEST_SETTLE):
        self.settings = settings
        self.site = Site.from_settings(settings)
        self.tokens = Tokens(settings)
        self._parts: dict[bytes, dict] = {}  # a rendering's parts, decoded once per payload
        self.sender = parseaddr(settings.mail_from)[1] or settings.mail_from
        self.domain = self.sender.rpartition("@")[2] or "localhost"
        self.options = {**smtp_options(settings.smtp_url), "timeout": timeout}
        self.connections = 0  # how many were opened: tests and the benchmark check reuse
        self._smtp: aiosmtplib.SMTP | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None  # one connection carries one transaction at a time
        self.digest_settle = digest_settle
        self._held: dict[int, list[Job]] = {}  # endpoint id → jobs waiting for its digest
        self._held_at: dict[int, float] = {}  # endpoint id → when its last job joined
        self._down: tuple[float, str] | None = None  # when and why the server last could not be reached

    # --- the Channel interface ------------------------------------------------------

    def payload_key(self, release: Release, event: str, target: Target) -> tuple:
        return (release.id, release.language, release.current.number, event, "email")

    def render(self, release: Release, event: str, target: Target) -> bytes:
        """The message's parts, with the tracking links' placeholder; each recipient's copy is
        encoded in ``push`` with its own token (MIME encoding is cheap; the rendering is done once)."""
        track = self.site.url(f"/t/{PLACEHOLDER}")
        return json.dumps(mail.parts(release, event, self.site, track)).encode()

    def _message(self, job: Job) -> bytes:
        parts = self._parts.get(job.payload)
        if parts is None:
            if len(self._parts) > 64:
                self._parts.clear()
            parts = self._parts[job.payload] = json.loads(job.payload)
        return mail.message(parts, self.settings.mail_from, (PLACEHOLDER, self.tokens.delivery(job.delivery_id)))

    async def push(self, job: Job) -> Result | None:
        if job.target.digest_hour is not None:
            self._held.setdefault(job.target.id, []).append(job)
            self._held_at[job.target.id] = time.monotonic()
            return None
        message_id = self._message_id(job.delivery_id, job.release)
        return (await self._send(job.target, message_id, self._message(job), [job.delivery_id]))[0]

    async def flush(self) -> list[Result]:
        """One digest message per endpoint whose held jobs have settled.

        The worker hands over an endpoint's due jobs across several cycles (it caps how many of one
        endpoint's jobs it keeps in memory), so a group is sent only once no job has joined it for
        ``digest_settle`` seconds: one message rather than one per cycle. Jobs still held when the
        worker stops are not answered; their leases lapse and they come back.
        """
        quiet = time.monotonic() - self.digest_settle
        held = {e: self._held.pop(e) for e, at in list(self._held_at.items()) if at <= quiet}
        for e in held:
            del self._held_at[e]
        items: dict[tuple, mail.Item] = {}
        digests: dict[tuple, bytes] = {}  # subscribers with the same picks share one rendering
        now = dt.datetime.now(dt.timezone.utc)
        results: list[Result] = []
        for jobs in held.values():
            jobs.sort(key=lambda j: j.delivery_id)  # oldest first, and one order for equal picks
            target = jobs[-1].target
            keys = tuple(self.payload_key(j.release, j.event, target) for j in jobs)
            if keys not in digests:
                for key, j in zip(keys, jobs):
                    if key not in items:
                        items[key] = mail.item(j.release, j.event, self.site, full=False)
                digests[keys] = mail.render_digest([items[k] for k in keys], self.site,
                                                   self.settings.mail_from, now)
            ids = [j.delivery_id for j in jobs]
            message_id = self._message_id(min(ids), jobs[0].release, "digest")
            results += await self._send(target, message_id, digests[keys], ids)
        return results

    async def close(self) -> None:
        async with self._guard():
            await self._drop(polite=True)

    # --- SMTP ------------------------------------------------------------------------

    def _message_id(self, delivery_id: int, release: Release, kind: str = "nw") -> str:
        # The same on every retry (receivers drop duplicates by it); the release's creation time keeps
        # ids apart when a rebuilt database or another wire on the same mail domain reuses numbers (the
        # release by its public id: the internal number is not for recipients to count).
        return f"<{kind}.{delivery_id}.{release.public_id}.{int(release.created_at.timestamp())}@{self.domain}>"

    def _headers(self, target: Target, message_id: str) -> bytes:
        lines = [f"To: {target.address}", f"Message-ID: {message_id}"]
        if target.unsubscribe_token:
            url = self.site.url(f"/unsubscribe/{target.unsubscribe_token}")
            lines += [f"List-Unsubscribe: <{url}>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
        return ("\r\n".join(lines) + "\r\n").encode()

    async def _send(self, target: Target, message_id: str, payload: bytes, ids: list[int]) -> list[Result]:
        def results(ok: bool, code: int | None, error: str | None = None, permanent: bool = False):
            return [Result(i, ok, status_code=code, error=error, permanent=permanent) for i in ids]

        address = target.address
        if not _valid(address):
            return results(False, None, f"not a usable e-mail address: {address!r}", permanent=True)
        message = self._headers(target, message_id) + payload
        options = [] if address.isascii() else ["SMTPUTF8"]  # RFC 6531 for internationalized mailboxes
        async with self._guard():
            for retry in (False, True):
                try:
                    smtp = await self._connection()
                    await smtp.sendmail(self.sender, [address], message, mail_options=options)
                    return results(True, 250)
                except aiosmtplib.SMTPRecipientsRefused as e:
                    refused = e.recipients[0]
                    # 5xx, a hard bounce: this mailbox will not take it (unknown user…), so the address
                    # is disabled (``gone``); 4xx, a soft one: try again later.
                    hard = refused.code >= 500
                    return [Result(i, False, refused.code, f"bounced: {refused.message}", gone=hard, permanent=hard)
                            for i in ids]
                except aiosmtplib.SMTPResponseException as e:
                    if e.code == 421 and not retry:  # the server is closing this connection: open another
                        await self._drop()
                        continue
                    # A 5xx to our sender is the operator's to fix (retry); a 5xx to the data is final.
                    final = e.code >= 500 and not isinstance(e, aiosmtplib.SMTPSenderRefused)
                    return results(False, e.code, e.message, permanent=final)
                except (aiosmtplib.SMTPNotSupported, ValueError) as e:  # e.g. SMTPUTF8 unsupported
                    return results(False, None, str(e), permanent=True)
                except (aiosmtplib.SMTPException, OSError) as e:  # refused, dropped, timed out
                    await self._drop()
                    if retry:
                        return results(False, None, f"{type(e).__name__}: {e}")
        raise AssertionError("unreachable")

    def _guard(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # reused under a new event loop: its lock and socket were the old loop's
            self._loop, self._lock, self._smtp = loop, asyncio.Lock(), None
        return self._lock

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is None or not self._smtp.is_connected:
            # A server that just failed to answer is not asked again for every message of the batch.
            if self._down and time.monotonic() - self._down[0] < DOWN_SECONDS:
                raise aiosmtplib.SMTPConnectError(self._down[1])
            smtp = aiosmtplib.SMTP(**self.options)
            try:
                await smtp.connect()
            except (aiosmtplib.SMTPException, OSError) as e:
                self._down = (time.monotonic(), str(e) or type(e).__name__)
                raise
            self._down = None
            self._smtp = smtp
            self.connections += 1
        return self._smtp

    async def _drop(self, polite: bool = False) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        try:
            if polite:
                await smtp.quit()
            else:
                smtp.close()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()
