"""The desk's forms turned into what the services take: a release's typed fields (only those the
editor changed), and a local release time in a named time zone as an RFC 3339 instant in UTC."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from starlette.datastructures import FormData

from ...domain.errors import FieldError, InvalidInput
from ...domain.models import Content

# The zones the form offers first (the wire's markets); any IANA name is accepted.
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Lisbon",
         "Europe/Moscow", "Africa/Cairo", "Asia/Dubai", "Asia/Riyadh", "Asia/Kolkata", "Asia/Bangkok",
         "Asia/Ho_Chi_Minh", "Asia/Jakarta", "Asia/Kuala_Lumpur", "Asia/Singapore", "Asia/Shanghai",
         "Asia/Hong_Kong", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo", "Australia/Sydney",
         "America/Sao_Paulo", "America/Mexico_City", "America/New_York", "America/Chicago",
         "America/Denver", "America/Los_Angeles")
TEXT_FIELDS = ("headline", "subheadline", "lead", "body", "boilerplate")
FORM_FIELDS = (*TEXT_FIELDS, "body_format", "dateline_city", "dateline_date")
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def values_of(content: Content) -> dict[str, str]:
    """The edit form's fields as the release's current version has them."""
    d = content.dateline
    return {"headline": content.headline, "subheadline": content.subheadline, "lead": content.lead,
            "body": content.body_source or content.body_html,
            "body_format": content.body_format if content.body_source else "html",
            "boilerplate": content.boilerplate, "dateline_city": d.city if d else "",
            "dateline_date": d.date.isoformat() if d and d.date else ""}


def typed(form: FormData) -> dict[str, str]:
    return {k: str(form.get(k, "")) for k in FORM_FIELDS}


def changes(typed_values: dict[str, str], content: Content) -> dict:
    """The service's fields for what differs from ``content`` (an unchanged form changes nothing)."""
    now, out = values_of(content), {}
    for name in TEXT_FIELDS:
        if typed_values[name].replace("\r\n", "\n") != now[name].replace("\r\n", "\n"):
            out[name] = typed_values[name].replace("\r\n", "\n")
    if typed_values["body_format"] != now["body_format"]:
        out["body_format"] = typed_values["body_format"]
    if "body" in out or "body_format" in out:  # the body is read in the format the form names
        out["body"], out["body_format"] = typed_values["body"].replace("\r\n", "\n"), typed_values["body_format"]
    if (typed_values["dateline_city"], typed_values["dateline_date"]) != (now["dateline_city"], now["dateline_date"]):
        out["dateline"] = {"city": typed_values["dateline_city"], "date": typed_values["dateline_date"] or None}
    return out


def utc_instant(local: str, zone: str) -> str:
    """``2026-12-01T09:00`` in ``Europe/Berlin`` → ``2026-12-01T08:00:00+00:00``. A time that does
    not exist in that zone (skipped by a clock change) is refused; an ambiguous one (repeated) is
    read as its first occurrence."""
    errors = []
    try:
        tz = ZoneInfo(zone.strip()) if zone.strip() in available_timezones() or zone.strip() == "UTC" else None
    except (ZoneInfoNotFoundError, ValueError):
        tz = None
    if tz is None:
        errors.append(FieldError("time_zone", f"'{zone}' is not a time zone name; choose one, e.g. Europe/Berlin"))
    try:
        naive = dt.datetime.fromisoformat(local.strip())
        if naive.tzinfo is not None:
            raise ValueError
    except ValueError:
        errors.append(FieldError("embargo_until", "give the date and time, e.g. 2026-12-01 09:00"))
        naive = None
    if errors:
        raise InvalidInput(errors[0].field + ": " + errors[0].message, errors=errors)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) != naive:
        msg = f"{naive:%Y-%m-%d %H:%M} does not exist in {zone} (the clocks skip it); choose another time"
        raise InvalidInput("embargo_until: " + msg, errors=[FieldError("embargo_until", msg)])
    return aware.astimezone(dt.timezone.utc).isoformat()


def typed_local(value: str) -> str:
    """What was typed into the datetime-local field, to show again: only a well-formed local time
    (the field can hold nothing else; the error beside it says what was wrong)."""
    return value if _LOCAL.fullmatch(value) else ""


def local_value(when: dt.datetime | None) -> str:
    """An instant as the datetime-local field's value, in UTC (the form's default zone)."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M") if when else ""
