"""The rules of an account: what a valid e-mail, name, password and language are, and which
accounts belong to an issuer. One place, used by sign-up, invitations, resets and the CLI."""

from __future__ import annotations

from ..domain import languages, limits
from ..domain.errors import Collector, FieldError, InvalidInput
from ..domain.models import Role
from ..domain.text import is_email
from ..storage import issuers as issuer_store

MIN_PASSWORD = 10


def check_account(c: Collector, email: str, name: str, password: str, language: str) -> str:
    """A new account's e-mail (normalised), name, password and language, errors into ``c``."""
    email = check_identity(c, email, name, language)
    check_password(c, password, email)
    return email


def check_identity(c: Collector, email: str, name: str, language: str) -> str:
    email = email.strip().lower()
    if not is_email(email):
        c.add("email", "enter an e-mail address, like name@example.com")
    if not name.strip():
        c.add("name", "is required: the name colleagues know you by")
    limits.check(c, "user.email", email)
    limits.check(c, "user.name", name.strip())
    if language not in languages.SUPPORTED:
        c.add("language", "choose one of the wire's languages")
    return email


def check_password(c: Collector, password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD:
        c.add("password", f"use at least {MIN_PASSWORD} characters; a few unrelated words are easy to "
                          "remember and hard to guess")
    elif password.strip().lower() == email:
        c.add("password", "must not be your e-mail address")
    limits.check(c, "user.password", password)


def issuer_for(conn, role: Role, issuer_slug: str | None) -> int | None:
    """The issuer an account of ``role`` belongs to (issuer accounts only, and they must name one)."""
    if role != Role.ISSUER:
        if issuer_slug:
            raise InvalidInput(f"issuer: only issuer accounts belong to an issuer, not {role.value} accounts",
                               errors=[FieldError("issuer", "only issuer accounts belong to an issuer")])
        return None
    issuer = issuer_store.get_issuer_by_slug(conn, issuer_slug) if issuer_slug else None
    if issuer is None:
        message = f"there is no issuer '{issuer_slug}'" if issuer_slug else "an issuer account must name its issuer"
        raise InvalidInput(f"issuer: {message}", errors=[FieldError("issuer", message)])
    return issuer.id
