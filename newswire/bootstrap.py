"""Wiring: settings → engine → Wire. Shared by the CLI, the web app and the tests."""

from __future__ import annotations

from .config import Settings
from .storage import db
from .workflow.wire import Wire


def open_wire(settings: Settings, *, migrate: bool = True) -> Wire:
    if migrate:
        db.upgrade(settings.sqlalchemy_url)
    from .distribution.setup import attach

    wire = Wire(engine=db.make_engine(settings.sqlalchemy_url), settings=settings)
    attach(wire)
    return wire
