"""`newswire subscriber …` and `newswire deliveries …`: the distribution side of the CLI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from ..domain.errors import NewswireError
from ..domain.models import SYSTEM
from ..services.subscriptions import SubscriptionService
from .base import DatabaseUrl, DataDir, app, err, fail, open_container


deliveries_app = typer.Typer(help="The delivery ledger: list and replay deliveries.", no_args_is_help=True)
subscriber_app = typer.Typer(help="Subscribers (outlets, journalists, desktops).", no_args_is_help=True)
app.add_typer(deliveries_app, name="deliveries")
app.add_typer(subscriber_app, name="subscriber")


def _subscriptions(data_dir, database_url) -> SubscriptionService:
    return open_container(data_dir, database_url).subscriptions


@subscriber_app.command("create")
def subscriber_create(kind: str = typer.Option(..., "--kind", help="outlet, journalist or desktop"),
                      name: str = typer.Option(..., "--name"),
                      email: Optional[str] = typer.Option(None, "--email"),
                      language: list[str] = typer.Option([], "--language", help="Repeat for several; none = any"),
                      region: list[str] = typer.Option([], "--region", help="ISO 3166-1 alpha-2; repeatable"),
                      industry: list[str] = typer.Option([], "--industry", help="Media Topic QCode; repeatable"),
                      issuer: list[str] = typer.Option([], "--issuer", help="Issuer slug to follow; repeatable"),
                      timezone: str = typer.Option("UTC", "--timezone", help="IANA zone for e-mail digests"),
                      data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Register a subscriber; add endpoints over the API (POST /api/v1/subscribers/ID/endpoints)."""
    raw = {"kind": kind, "name": name, "email": email, "languages": language, "regions": region,
           "industries": industry, "issuers": issuer, "timezone": timezone}
    try:
        sub = _subscriptions(data_dir, database_url).create(SYSTEM, raw)
    except NewswireError as exc:
        fail(exc)
    print(f"subscriber {sub.name} ({sub.kind.value}) created with id {sub.id}")


@deliveries_app.command("replay")
def deliveries_replay(delivery_id: Optional[int] = typer.Argument(None, help="The dead delivery to replay"),
                      dead: bool = typer.Option(False, "--dead", help="Replay every dead delivery"),
                      data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """Make dead deliveries due again with a fresh retry schedule; running workers send them."""
    if (delivery_id is None) == (not dead):
        err.print("[red]error:[/red] give either a delivery ID or --dead")
        raise typer.Exit(2)
    try:
        s = _subscriptions(data_dir, database_url)
        n = s.replay_dead(SYSTEM) if dead else s.replay(SYSTEM, delivery_id)
    except NewswireError as exc:
        fail(exc)
    print(f"{n} deliver{'y' if n == 1 else 'ies'} made due again")


@deliveries_app.command("list")
def deliveries_list(release: int = typer.Option(..., "--release", help="Release id"),
                    status: Optional[str] = typer.Option(None, "--status", help="pending, delivered, dead, cancelled"),
                    channel: Optional[str] = typer.Option(None, "--channel", help="webhook, email or websub"),
                    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
                    data_dir: Optional[Path] = DataDir, database_url: Optional[str] = DatabaseUrl):
    """A release's deliveries as a table, with counts by status."""
    try:
        page = _subscriptions(data_dir, database_url).release_deliveries(SYSTEM, release, channel=channel,
                                                                          status=status, limit=limit)
    except NewswireError as exc:
        fail(exc)
    table = Table("id", "subscriber", "endpoint", "channel", "event", "status", "attempts", "last result",
                  "next attempt", title=f"Deliveries of release {release}")
    for d in page.items:
        result = " ".join(str(x) for x in (d["last_status_code"], d["last_error"]) if x) or "-"
        nxt = d["next_attempt_at"].isoformat(timespec="seconds") if d["next_attempt_at"] else "-"
        table.add_row(str(d["id"]), f"{d['subscriber_name'] or '-'} ({d['subscriber_id'] or '-'})",
                      str(d["endpoint_id"]), d["channel"], d["event"], d["status"], str(d["attempts"]),
                      result[:60], nxt)
    # Piped output (grep, files) gets wide rows rather than names wrapped over several lines.
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    print("  ".join(f"{k}: {v}" for k, v in page.summary.items()))
