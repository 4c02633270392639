"""What the subscriber pages share: whose subscription it is, the choices the preference form
offers (in the page's language), and reading that form into the services' fields."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

import pycountry
from fastapi import Request
from starlette.datastructures import FormData

from ...domain import languages
from ...domain.errors import Forbidden
from ...domain.models import Role, User
from ...domain.vocab import media_topics, region_name
from ..pages import session

LISTS = ("languages", "regions", "industries", "issuers")


def own(request: Request) -> tuple[User, int]:
    """The signed-in subscriber and the subscriber account it manages."""
    user = session.require(request, Role.SUBSCRIBER)
    if user.subscriber_id is None:
        raise Forbidden("Your account is not linked to a subscription yet; ask the wire's operator to link it.")
    return user, user.subscriber_id


@cache
def topics(lang: str) -> tuple[tuple[str, str], ...]:
    """(QCode, label) of every current Media Topic in ``lang``, a narrower topic followed by its parent
    (so "Banking (Economy, business and finance)" is told apart from its namesakes)."""
    mt = media_topics()
    out = []
    for t in mt.all():
        if t.retired:
            continue
        parent = mt.get(t.parent) if t.parent else None
        label = t.label(lang)
        out.append((t.qcode, f"{label} ({parent.label(lang)})" if parent else label))
    return tuple(sorted(out, key=lambda x: x[1].casefold()))


@cache
def regions(lang: str) -> tuple[tuple[str, str], ...]:
    names = ((c.alpha_2, region_name(c.alpha_2, lang)) for c in pycountry.countries)
    return tuple(sorted(names, key=lambda x: x[1].casefold()))


@cache
def zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def choices(lang: str, issuers) -> dict:
    return {"topic_choices": topics(lang), "region_choices": regions(lang), "zone_choices": zones(),
            "language_choices": tuple(languages.SUPPORTED.items()),
            "issuer_choices": tuple((i.slug, i.name) for i in issuers), "hours": range(24)}


def preferences(form: FormData) -> dict:
    """The preference form as the services take it: lists, a time zone and the e-mail delivery
    (``digest_hour`` None for each release at once)."""
    raw: dict = {k: [v for v in form.getlist(k) if isinstance(v, str) and v] for k in LISTS}
    raw["timezone"] = str(form.get("timezone") or "UTC")
    hour = str(form.get("digest_hour", ""))
    raw["digest_hour"] = None if form.get("delivery") != "digest" else int(hour) if hour.isdigit() else hour
    return raw


def shown(raw: dict) -> dict:
    """What the form shows again: the lists, the zone, instant or digest and the hour."""
    hour = raw.get("digest_hour")
    return {**raw, "delivery": "instant" if hour is None else "digest", "digest_hour": hour}
