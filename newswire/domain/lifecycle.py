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
    "send_back": frozenset({S.SUBMITTED, S.APPROVED}),  # the desk returns it to its issuer with a note
    "publish": frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED}),
    "release": frozenset({S.SCHEDULED}),
    "correct": frozenset({S.PUBLISHED, S.CORRECTED}),
    "withdraw": frozenset({S.SUBMITTED, S.APPROVED, S.SCHEDULED, S.PUBLISHED, S.CORRECTED}),
}

RESULT: dict[str, Status] = {
    "submit": S.SUBMITTED,
    "approve": S.APPROVED,
    "send_back": S.DRAFT,
    "release": S.PUBLISHED,
    "correct": S.CORRECTED,
    "withdraw": S.WITHDRAWN,
}


def check(action: str, current: Status) -> None:
    allowed = ALLOWED_FROM[action]
    if current not in allowed:
        states = ", ".join(sorted(s.value for s in allowed))
        verb = action.replace("_", " ")
        raise Conflict(
            f"Cannot {verb} a release that is {current.value}; "
            f"'{action}' is possible only when the release is {states}.",
            release_status=current.value,
        )
