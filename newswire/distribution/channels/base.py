"""The one interface every point-to-point channel implements (after listmonk's messenger).

The worker claims ledger rows, builds a ``Job`` per row (the payload rendered once per
release, version, event and format and shared by every job that needs it), and hands jobs
to the channel named by the row. A channel answers each job with a ``Result``; batching
channels (e-mail digests) may hold jobs and answer them in ``flush``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from ...domain.models import Release


@dataclass(frozen=True)
class Target:
    """The endpoint a job goes to, with its signing secrets decrypted."""

    id: int
    subscriber_id: int | None
    address: str
    format: str
    secrets: tuple[str, ...] = ()  # current first; a rotated-out one stays during the overlap
    max_in_flight: int = 4
    digest_hour: int | None = None
    topic: str | None = None
    unsubscribe_token: str | None = None
    # What a channel works out once per target (a parsed URL, signing keys). The worker keeps a Target
    # per endpoint row, so this lives as long as the endpoint is unchanged, across fan-outs.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Job:
    delivery_id: int
    event: str
    attempts: int  # attempts made before this one
    release: Release
    target: Target
    payload: bytes  # the rendered body, shared by all jobs of this release/version/event/format
    extra: dict = field(default_factory=dict)


class Result(NamedTuple):  # a tuple: one per send
    delivery_id: int
    ok: bool
    status_code: int | None = None
    error: str | None = None
    gone: bool = False  # the receiver said 410 Gone: disable the endpoint
    permanent: bool = False  # retrying cannot help (e.g. the address is refused): dead at once


class Channel(Protocol):
    name: str

    def payload_key(self, release: Release, event: str, target: Target) -> tuple:
        """What the payload depends on: jobs with equal keys share one rendering
        (e.g. (release id, language, version, event, format) — never anything per recipient)."""

    def render(self, release: Release, event: str, target: Target) -> bytes:
        """The payload for every job with this key."""

    async def push(self, job: Job) -> Result | None:
        """Send one job; None means it is held for ``flush``."""

    async def flush(self) -> list[Result]:
        """Send what ``push`` held (a digest); return their results."""

    async def close(self) -> None:
        """Release connections."""
