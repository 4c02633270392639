"""One-off account e-mail (password reset, invitation, confirmation) through the configured SMTP
server: the same ``NEWSWIRE_SMTP_URL`` and sender as the release e-mail channel, but one
connection per message, because these are rare and a person waits for each."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from ..config import Settings
from ..domain.models import Notice
from .channels.email import smtp_options

class Mailer:
    def __init__(self, settings: Settings, *, timeout: float = 20.0):
        self.sender = settings.mail_from
        self.options = {**smtp_options(settings.smtp_url), "timeout": timeout}

    def send(self, to: str, notice: Notice) -> None:
        """Send and wait for the server's answer; raises OSError or aiosmtplib.SMTPException.
        Called from a worker thread (page handlers are sync), where no event loop runs."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = notice.subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip(">") or "localhost")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(notice.text)
        asyncio.run(aiosmtplib.send(message, **self.options))


MailError = (OSError, aiosmtplib.SMTPException)
