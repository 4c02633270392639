"""The desk's routers, for the app to include."""

from __future__ import annotations

from fastapi import APIRouter

from . import actions, pages, translations


def routers() -> tuple[APIRouter, ...]:
    return pages.router, actions.router, translations.router
