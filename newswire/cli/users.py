"""`newswire user create|list`: people who sign in to the web app (the first admin, to begin with)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ..domain.errors import NewswireError
from .base import DataDir, DatabaseUrl, app, err, fail, open_container

user_app = typer.Typer(help="People who sign in to the web app.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _password() -> str:
    """From the terminal (asked twice, not echoed) or, when piped, the first line of standard input."""
    if sys.stdin.isatty():
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("create")
def user_create(email: str = typer.Option(..., "--email", help="Their sign-in address"),
                role: str = typer.Option(..., "--role", help="admin, editor, issuer or subscriber"),
                name: str = typer.Option(..., "--name", help="Their name, as colleagues know them"),
                issuer: Optional[str] = typer.Option(None, "--issuer", help="Issuer slug (issuer accounts)"),
                language: str = typer.Option("en", "--language", help="Language of their pages"),
                data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Create an account. The password is asked for (or read from standard input); only its
    Argon2id hash is kept. Others are better invited from the People page."""
    password = _password()
    try:
        user = open_container(data_dir, database_url).users.create_user(email, name, password, role,
                                                                        issuer_slug=issuer, language=language)
    except NewswireError as exc:
        fail(exc)
    err.print(f"{user.role.value} account for {user.name} <{user.email}> created; sign in at /signin")
    print(user.id)


@user_app.command("list")
def user_list(data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """List accounts: id, e-mail, role, name."""
    nw = open_container(data_dir, database_url)
    for u in nw.users.everyone():
        print(f"{u.id}\t{u.email}\t{u.role.value}\t{u.name}")
