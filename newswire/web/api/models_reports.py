"""What the report routes answer, as the OpenAPI document shows it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .models import DateTime, Out, Url


class Count(Out):
    count: int
    query: dict[str, str | bool] = Field(description="The filters of GET /api/v1/releases/{id}/deliveries whose "
                                                     "list this count is the length of")


class Buckets(Out):
    targeted: Count
    delivered: Count
    failed: Count = Field(description="Tried, failed, retrying")
    pending: Count = Field(description="Not tried yet")
    dead: Count
    cancelled: Count = Field(description="Not sent: the endpoint went away (410, unsubscribed, deleted)")


class Latency(Out):
    delivered: int
    p50: float | None = Field(description="Seconds from the release second to delivery")
    p90: float | None
    p99: float | None
    max: float | None


class Audience(Out):
    by_language: dict[str, int]
    readers: int | None = None
    fetches: int | None = None
    views: int | None = None


class Email(Out):
    delivered: Count
    bounced: Count = Field(description="Dead: a hard bounce (the address is disabled) or retries used up")
    soft_bounced: Count = Field(description="Refused for now (4xx): retrying")
    opened: Count
    clicked: Count
    caveat: str


class Newsroom(Out):
    views: dict[str, int] = Field(description="Page views per language version")
    feed_fetches: dict[str, int]
    websub_notifications: Count
    live_readers: dict[str, int] = Field(description="Live-stream readers connected at the release second")


class Claim(Out):
    url: Url
    claimed_by: str
    claimed_at: DateTime
    confirmed: bool
    checked_at: DateTime | None
    note: str


class Pickups(Out):
    acknowledged: Count = Field(description="Webhook deliveries the outlet answered with 2xx")
    confirmed: int
    unconfirmed: int
    claims: list[Claim]


class Step(Out):
    step: str = Field(description="submitted, approved, scheduled, published, released, corrected, withdrawn, "
                                  "first_sent_to_media")
    at: DateTime
    actor: str


class ReleaseRef(Out):
    id: str = Field(description="The release's public id")
    headline: str
    issuer: str
    language: str
    status: str
    released_at: DateTime | None
    url: Url


class Report(Out):
    release: ReleaseRef
    computed_at: DateTime
    totals: Buckets
    channels: dict[str, Buckets] = Field(description="webhook, email, websub")
    broadcast: dict[str, Audience] = Field(description="live, feeds, pages: one event each, not ledger rows")
    languages: dict[str, Buckets]
    regions: dict[str, Buckets] = Field(description="By the recipients' region preferences ('any': none)")
    industries: dict[str, Buckets]
    latency: dict[str, Latency]
    timeline: dict[str, list[list[float]]] = Field(description="Per channel: [seconds, deliveries so far]")
    email: Email
    newsroom: Newsroom
    pickups: Pickups
    audit: list[Step]


class ChannelMonth(Out):
    targeted: int
    delivered: int
    dead: int


class Month(Out):
    month: str
    releases: int
    channels: dict[str, ChannelMonth]
    open: int | None = None
    click: int | None = None
    view: int | None = None


class Dashboard(Out):
    months: list[Month]


class PickupClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    release_id: str | int = Field(description="The release's public id (its `id` in ninjs and webhooks)")
    url: str = Field(max_length=2000, description="The page where the outlet published the release")


class Pickup(Out):
    id: int
    release_id: str = Field(description="The release's public id")
    url: Url
    confirmed: bool
    note: str = Field(description="Why it is unconfirmed")
    claimed_by: str
    claimed_at: DateTime
    checked_at: DateTime | None
