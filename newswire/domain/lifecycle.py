"""Which actions a release's state allows, and what state each leads to."""

from __future__ import annotations

from .errors import Conflict
from .models import Status

S = Status

# action -> states it may start from. 'publish' leads to PUBLISHED or SCHEDULED
# depending on the embargo; the clock moves SCHEDULED to PUBLISHED.
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "edit": frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED}),
    "submit": frozenset({S.DRAFT}),
    "approve": frozenset({S.SUBMITTED}),
    "publish": frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED}),
    "release": frozenset({S.SCHEDULED}),
    "correct": frozenset({S.PUBLISHED, S.CORRECTED}),
    "withdraw": frozenset({S.SUBMITTED, S.APPROVED, S.SCHEDULED, S.PUBLISHED, S.CORRECTED}),
}

RESULT: dict[str, Status] = {
    "submit": S.SUBMITTED,
    "approve": S.APPROVED,
    "release": S.PUBLISHED,
    "correct": S.CORRECTED,
    "withdraw": S.WITHDRAWN,
}


def check(action: str, current: Status) -> None:
    allowed = ALLOWED_FROM[action]
    if current not in allowed:
        states = ", ".join(sorted(s.value for s in allowed))
        raise Conflict(
            f"Cannot {action} a release that is {current.value}; "
            f"'{action}' is possible only when the release is {states}.",
            release_status=current.value,
        )
