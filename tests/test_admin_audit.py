"""Every admin action is in the audit log. The admin-only operations are found in the services'
source (every method that calls ``access.require_admin``, and the operator's account operations
that the CLI runs), so a new one fails here until it is listed with what it records; each is then
run as an admin and its audit entry looked for."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import audit_actions
from newswire import services
from newswire.domain.models import Notice
from newswire.storage.tables import audit_log, deliveries

SERVICES = Path(services.__file__).parent
# Admin-only reads: nothing changes, nothing to record.
READS = {"SubscriptionService.subscribers", "SubscriptionService.visible"}
# Operator operations run by the CLI (`newswire issuer create`, `apikey create|revoke`), admin-only by
# where they are offered rather than by a check inside.
OPERATOR = {"AccountService.create_issuer", "AccountService.create_api_key", "AccountService.revoke_api_key"}


def admin_only() -> set[str]:
    """Class.method of every service method whose body calls ``access.require_admin``, or checks
    for the admin role itself (``Role.ADMIN``) before acting."""
    found = set()
    for path in SERVICES.glob("*.py"):
        tree = ast.parse(path.read_text())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")):
                names = {ast.unparse(n) for n in ast.walk(fn) if isinstance(n, (ast.Attribute, ast.Name))}
                if "access.require_admin" in names or "Role.ADMIN" in names:
                    found.add(f"{cls.name}.{fn.name}")
    return found


def kill_all(wire):
    with wire.engine.begin() as conn:
        conn.execute(sa.update(deliveries).values(status="dead", attempts=8, last_error="test"))
        return conn.execute(sa.select(deliveries.c.id).order_by(deliveries.c.id)).scalars().all()


@pytest.fixture
def world(wire, keys, sample, smtp_less_compose):
    admin = wire.accounts.authenticate(keys["admin"])
    sub = wire.subscriptions.create(admin, {"kind": "outlet", "name": "Daily Planet", "languages": ["en"]}).id
    wire.subscriptions.add_endpoint(admin, sub, {"channel": "webhook", "url": "https://93.184.216.34/hook"})
    editor = wire.accounts.authenticate(keys["editor"])
    wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id)
    return {"admin": admin, "sub": sub, "compose": smtp_less_compose}


@pytest.fixture
def smtp_less_compose(wire, monkeypatch):
    """A composer for the invitation mails; the mailer keeps them (the audit is the point here)."""
    sent = []
    monkeypatch.setattr(wire.users.links.mailer, "send", lambda to, notice: sent.append(to))
    return lambda link, language: Notice(subject="Invitation", text=link)


def actions(wire, w):
    admin, sub, compose = w["admin"], w["sub"], w["compose"]
    return {
        "SubscriptionService.create": (lambda: wire.subscriptions.create(admin, {"kind": "outlet", "name": "Bugle"}),
                                       "subscriber.create"),
        "SubscriptionService.create_key": (lambda: wire.subscriptions.create_key(admin, sub), "apikey.create"),
        "SubscriptionService.update": (lambda: wire.subscriptions.update(admin, sub, {"kind": "journalist"}),
                                       "subscriber.update"),
        "SubscriptionService.replay": (lambda: wire.subscriptions.replay(admin, kill_all(wire)[0]), "delivery.replay"),
        "SubscriptionService.replay_dead": (lambda: (kill_all(wire), wire.subscriptions.replay_dead(admin)),
                                            "delivery.replay_dead"),
        "OutletService.invite": (lambda: wire.outlets.invite(admin, "Gazette", "desk@gazette.example", compose),
                                 "subscriber.create"),
        "UserService.invite": (lambda: wire.users.invite(admin, "ed@wire.example", "editor", compose), "token.invite"),
        "UserService.colleagues": None,  # a read: who the admin sees
        "AccountService.create_issuer": (lambda: wire.accounts.create_issuer("initech", "Initech", actor=admin),
                                         "issuer.create"),
        "AccountService.create_api_key": (lambda: wire.accounts.create_api_key("editor", "Night desk", actor=admin),
                                          "apikey.create"),
        "AccountService.revoke_api_key": (
            lambda: wire.accounts.revoke_api_key(
                wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Spare", actor=admin)).key_id,
                actor=admin), "apikey.revoke"),
    }


def test_every_admin_only_operation_is_listed(wire, world):
    listed = set(actions(wire, world))
    expected = (admin_only() - READS) | OPERATOR
    assert expected <= listed, f"list these admin-only operations and what they audit: {sorted(expected - listed)}"
    assert not listed - expected - {"UserService.colleagues"}, sorted(listed - expected)


def test_every_admin_action_is_audited_with_the_admin_as_actor(wire, world):
    start = len(audit_actions(wire))
    for name, entry in actions(wire, world).items():
        if entry is None:
            continue
        run, action = entry
        before = len(audit_actions(wire))
        run()
        recorded = [a for a, _ in audit_actions(wire)[before:]]
        assert action in recorded, f"{name} recorded {recorded}, not {action}"
    with wire.engine.connect() as conn:
        actors = conn.execute(sa.select(audit_log.c.actor).order_by(audit_log.c.id)).scalars().all()[start:]
    assert actors and set(actors) == {"Root"}, actors  # the admin key's name: who did it


def test_the_finder_sees_the_admin_checks():
    found = admin_only()
    assert {"SubscriptionService.create", "SubscriptionService.replay_dead", "OutletService.invite"} <= found
    assert inspect.getsource(services.subscriptions).count("require_admin") >= 4
