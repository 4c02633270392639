"""What the subscriber and delivery routes answer, as the OpenAPI document shows it."""

from __future__ import annotations

from pydantic import Field

from .models import DateTime, Out, Url


class Subscriber(Out):
    id: int
    kind: str = Field(description="outlet, journalist or desktop")
    name: str
    email: str | None
    languages: list[str]
    regions: list[str]
    industries: list[str]
    issuers: list[str]
    timezone: str
    active: bool
    created_at: DateTime
    endpoints_url: Url
    deliveries_url: Url


class SubscriberList(Out):
    items: list[Subscriber]
    next: Url | None


class Endpoint(Out):
    """A webhook (``url``, ``format``) or e-mail (``address``, ``digest_hour``) endpoint; never its secret."""

    id: int
    subscriber_id: int
    channel: str = Field(description="webhook or email")
    url: Url | None = Field(None, description="Webhook: where it is POSTed")
    format: str | None = Field(None, description="Webhook: ninjs or newsml-g2")
    address: str | None = Field(None, description="E-mail: where it is sent")
    digest_hour: int | None = Field(None, description="E-mail: the local hour of a daily digest; null: instant")
    max_in_flight: int
    status: str = Field(description="active or disabled")
    disabled_reason: str
    created_at: DateTime


class IssuedEndpoint(Endpoint):
    secret: str | None = Field(None, description="A webhook's signing secret (whsec_…), shown only this once")
    previous_secret_expires_at: DateTime | None = Field(
        None, description="After a rotation: until when the old secret still verifies")


class EndpointList(Out):
    items: list[Endpoint]


class SubscriberKey(Out):
    subscriber_id: int
    key: str = Field(description="The API key, shown only this once")


class Delivery(Out):
    id: int
    release_id: str = Field(description="The release's public id")
    version: int
    event: str = Field(examples=["release.published"])
    language: str
    subscriber_id: int | None
    subscriber_name: str | None
    endpoint_id: int | None
    channel: str = Field(description="webhook, email or websub")
    status: str = Field(description="pending, delivered, dead or cancelled")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: DateTime
    last_attempt_at: DateTime | None
    delivered_at: DateTime | None
    next_attempt_at: DateTime | None = Field(description="Pending: when it is tried next")


class DeliverySummary(Out):
    pending: int
    delivered: int
    dead: int
    cancelled: int
    total: int


class DeliveryPage(Out):
    summary: DeliverySummary | None = Field(None, description="A release's report: how many deliveries stand how")
    items: list[Delivery]
    next: Url | None


class Replayed(Out):
    replayed: int = Field(description="How many deliveries were made due again")
