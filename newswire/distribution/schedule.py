"""When to try a delivery next: retry backoff with jitter, and daily digest times."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo


def next_retry(now: dt.datetime, attempts_made: int, delays: list[float], jitter: float = 0.2,
               rng: random.Random | None = None) -> dt.datetime | None:
    """The time of the next attempt after ``attempts_made`` failures, or None when the schedule is spent."""
    if attempts_made > len(delays):
        return None
    base = delays[attempts_made - 1]
    spread = base * jitter
    return now + dt.timedelta(seconds=base + (rng or random).uniform(-spread, spread))


def next_digest(now: dt.datetime, timezone: str, hour: int) -> dt.datetime:
    """The next time it is ``hour``:00 in the subscriber's time zone, as UTC."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate = (candidate + dt.timedelta(days=1)).replace(hour=hour)
    return candidate.astimezone(dt.timezone.utc)
