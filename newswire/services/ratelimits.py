"""Rate limits: how often one address, API key or account may do one kind of thing.

Each action's rate is a setting (``NEWSWIRE_RATE_LIMIT_<ACTION>``, e.g. ``10/minute; 100/hour``,
or ``off``) in the ``limits`` library's notation, counted per identity with its fixed-window
strategy: ``hit("signin", ip=…, account=…)`` counts one request against the address and against
the account, and raises ``TooManyRequests`` (with the seconds until the window ends) once either
is spent. The counters live where ``NEWSWIRE_RATE_LIMIT_STORAGE`` says: by default the database
(storage/ratelimits.py: one table, so a limit holds across every process without another server),
or the library's own Redis or in-memory storage. Identities are hashed before they are stored:
the table holds no addresses or e-mail addresses.

The web edge applies it (web/throttle.py): sign-in, sign-up and password reset per address and per
account, every API write per key and per address; ``throttle.rate_limited(ACTION)`` is the
dependency for any other route (pickups, tracking).
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from ..config import Settings
from ..domain.errors import TooManyRequests
from ..storage.ratelimits import DatabaseStorage

# action → (the setting, what is counted, in messages)
ACTIONS = {
    "signin": ("rate_limit_signin", "sign-in attempts"),
    "signup": ("rate_limit_signup", "sign-ups"),
    "reset": ("rate_limit_reset", "password reset requests"),
    "api_write": ("rate_limit_api_writes", "API writes"),
    "pickup": ("rate_limit_pickups", "pickup reports"),
    "tracking": ("rate_limit_tracking", "tracking requests"),
}


def storage_for(settings: Settings, engine) -> Storage:
    if settings.rate_limit_storage == "database":
        return DatabaseStorage(engine)
    return storage_from_string(settings.rate_limit_storage)


def _identity(value) -> str:
    return hashlib.sha256(str(value).strip().lower().encode()).hexdigest()[:24]


class RateLimiter:
    def __init__(self, settings: Settings, storage: Storage, clock=time.time):
        self.rules = {action: () if getattr(settings, name).lower() == "off" else tuple(parse_many(getattr(settings, name)))
                      for action, (name, _) in ACTIONS.items()}
        self.strategy, self.clock = FixedWindowRateLimiter(storage), clock

    def hit(self, action: str, **who) -> None:
        """One request of ``action`` by each identity given (``ip=``, ``key=``, ``account=``; None
        and empty ones are skipped). TooManyRequests once any of them has spent a window."""
        for item in self.rules[action]:
            for dimension, value in who.items():
                if value is None or value == "":
                    continue
                ident = (action, dimension, _identity(value))
                if not self.strategy.hit(item, *ident):
                    reset, _ = self.strategy.get_window_stats(item, *ident)
                    wait = max(1, math.ceil(reset - self.clock()))
                    raise TooManyRequests(
                        f"Too many {ACTIONS[action][1]} (at most {item.amount} per {item.get_expiry()} seconds); "
                        f"try again in {wait} seconds.", retry_after=wait)

    def reset(self) -> None:
        self.strategy.storage.reset()
