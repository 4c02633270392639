"""The tables of the web app and after (issues 10–13): people who sign in and their sessions and
one-time tokens, the search index, outlets' test events, issuers' requests to the desk, the
reports' reader events, audiences and pickups, and rate-limit windows. ``tables.py`` re-exports
them: import every table from there."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from .columns import UTCDateTime, metadata

# --- people who sign in to the web app -----------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # lower-cased
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),  # Argon2id
    Column("role", String(16), nullable=False),
    Column("issuer_id", Integer, ForeignKey("issuers.id"), nullable=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="SET NULL"), nullable=True),
    Column("language", String(16), nullable=False),  # the interface language they chose
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("failed_signins", Integer, nullable=False, default=0, server_default="0"),  # in a row
    Column("locked_until", UTCDateTime, nullable=True),  # after too many: no sign-in until then
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token: a stolen table opens nothing
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

account_tokens = Table(
    "account_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),  # SHA-256 of the token in the e-mailed link
    Column("purpose", String(16), nullable=False),  # reset | invite | confirm
    Column("email", String(254), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("role", String(16), nullable=True),  # an invitation's role
    Column("issuer_id", Integer, ForeignKey("issuers.id"), nullable=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)

# --- search (issue 10) ------------------------------------------------------------------

# One row per release and language (the original, each translation): its text cut into search
# terms by domain/search.py, written in the transaction that writes the text. Visibility is not
# here: a search joins the releases (and translations) table, so an embargoed or withdrawn
# release is never found whatever the index holds. PostgreSQL searches ``tsv`` (GIN); SQLite an
# FTS5 table ``search_fts`` (rowid = id), made by the migration and not declared here (see
# ``schema_object``).
search_documents = Table(
    "search_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False),
    Column("language", String(16), nullable=False),
    Column("translated", Boolean, nullable=False),  # a translation's text (visible while it is current)
    Column("terms", Text, nullable=False),  # the terms, separated by spaces
    Column("tsv", Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),  # PostgreSQL only
    Index("ix_search_documents_release_id_language", "release_id", "language"),
    Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
)

SQLITE_FTS = "search_fts"  # the FTS5 virtual table and its shadow tables (search_fts_data …)


def schema_object(name, type_, parent_names) -> bool:
    """Alembic's ``include_name``: the schema that tables.py declares, without SQLite's FTS5 tables."""
    return not (type_ == "table" and name and name.startswith(SQLITE_FTS))


# --- subscriber self-service (issue 10) ------------------------------------------

# A signed test event an outlet sent to its webhook endpoint from /subscriber/endpoints: not a
# delivery (it carries no release), but kept so the outlet sees it in its endpoint's log.
endpoint_tests = Table(
    "endpoint_tests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("endpoint_id", Integer, ForeignKey("endpoints.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("webhook_id", String(64), nullable=False),  # the webhook-id header it carried
    Column("sent_at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=False, default=""),
)


release_requests = Table(
    "release_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("issuer_id", Integer, ForeignKey("issuers.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # correction | withdrawal
    Column("text", Text, nullable=False, default=""),  # a correction's new body (Markdown); empty for a withdrawal
    Column("note", Text, nullable=False),  # what was corrected (readers see it), or why to withdraw
    Column("status", String(16), nullable=False, index=True),  # open | done
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("done_by", String(200), nullable=True),
    Column("done_at", UTCDateTime, nullable=True),
    Column("reply", Text, nullable=False, default=""),  # the desk's answer
)


# --- distribution reports (issue 12) ----------------------------------------------

# What readers did with a release, one row each: an e-mail opened (the tracking pixel) or a link in
# it clicked (a signed per-recipient link), a newsroom page viewed (the beacon). ``once`` makes an
# open, or a click of one link, count once per delivery (NULL for page views, which all count).
report_events = Table(
    "report_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # open | click | view
    Column("language", String(16), nullable=False),
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=True),
    Column("link", Integer, nullable=True),  # a click: which of the release's links
    Column("once", String(64), nullable=True, unique=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_report_events_release_id_kind", "release_id", "kind"),
)

# Broadcast audiences, counted once per release event: live-stream readers connected when it was
# sent, feed fetches that carried it.
reach_counts = Table(
    "reach_counts",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("channel", String(16), primary_key=True),  # live | feed
    Column("language", String(16), primary_key=True),
    Column("count", Integer, nullable=False, default=0),
    Column("at", UTCDateTime, nullable=False),  # the first time counted
)

# Republications an outlet reported (POST /api/v1/pickups), and what fetching the page found.
pickups = Table(
    "pickups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False, index=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id"), nullable=True),
    Column("url", String(2000), nullable=False),
    Column("claimed_by", String(200), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("confirmed", Boolean, nullable=False),  # the page links to the release's canonical URL
    Column("checked_at", UTCDateTime, nullable=True),
    Column("note", Text, nullable=False, default=""),  # why it is unconfirmed
    UniqueConstraint("release_id", "url"),
)


# --- rate limits (issue 13) ------------------------------------------------------

# One row per limit window: the `limits` library's fixed-window counter, kept in the database so a
# limit holds across every `serve` process (storage/ratelimits.py). ``expires_at`` is Unix time.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)
