"""Signing secrets at rest.

API keys are hashed, but a webhook or WebSub signing secret must be used as an HMAC key
at send time, so it cannot be; it is encrypted with Fernet (AES-128-CBC + HMAC-SHA256)
under the operator's ``NEWSWIRE_SECRET_KEY``, or a key file made in the data dir.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets as pysecrets
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet

from ..config import Settings


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def _key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def encrypt(settings: Settings, secret: str) -> str:
    return _fernet(_key(settings)).encrypt(secret.encode()).decode()


def decrypt(settings: Settings, token: str) -> str:
    return _fernet(_key(settings)).decrypt(token.encode()).decode()


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: 'whsec_' + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(pysecrets.token_bytes(24)).decode()


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A key for ``purpose`` (e.g. "csrf") derived from the operator's secret key, the same in
    every process of the wire, and useless for decrypting anything."""
    return hmac.new(_key(settings).encode(), purpose.encode(), hashlib.sha256).digest()
