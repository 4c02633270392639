"""SQLAlchemy table definitions. Migrations in ``migrations/versions`` must match them
(``tests/test_migrations.py`` compares the two). The shared types and ``metadata`` are in
``columns.py``; the web app's tables (issues 10–13) in ``tables_app.py``; every table is importable
from here."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .columns import JSONType, UTCDateTime, metadata  # noqa: F401  (importable from here)
from .tables_app import (  # noqa: F401  (every table is importable from here)
    users,
    web_sessions,
    account_tokens,
    search_documents,
    endpoint_tests,
    release_requests,
    report_events,
    reach_counts,
    pickups,
    rate_limits,
    schema_object,
    SQLITE_FTS,
)

issuers = Table(
    "issuers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("boilerplate", Text, nullable=False, default=""),
    Column("website", String(500), nullable=False, default=""),
    Column("contacts", JSONType, nullable=False, default=list),
    # {"version": n, "keep": [...], "forced": {term: {lang: text}}}: terms the translation must honour
    Column("glossary", JSONType, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("issuer_id", Integer, ForeignKey("issuers.id"), nullable=True),
    Column("prefix", String(32), nullable=False, unique=True),
    Column("secret_hash", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True),  # a personal key
)

releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True),  # internal: the desk's and the logs' number, never public
    Column("public_id", String(24), nullable=False, unique=True),  # domain/ids.py: what the public sees
    Column("numeric_url", Boolean, nullable=False, default=False),  # public before 0015: old URLs redirect
    Column("slug", String(120), nullable=False),
    Column("issuer_id", Integer, ForeignKey("issuers.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("language", String(16), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("target_languages", JSONType, nullable=False, default=list),
    Column("embargo_until", UTCDateTime, nullable=True),
    Column("published_at", UTCDateTime, nullable=True),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    Column("withdraw_reason", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_releases_status_published_at", "status", "published_at"),
    Index("ix_releases_status_embargo_until", "status", "embargo_until"),
)

release_versions = Table(
    "release_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("language", String(16), nullable=False),
    Column("headline", Text, nullable=False),
    Column("subheadline", Text, nullable=False, default=""),
    Column("lead", Text, nullable=False, default=""),
    Column("body_html", Text, nullable=False),
    Column("body_source", Text, nullable=False, default=""),
    Column("body_format", String(16), nullable=False, default="html"),
    Column("boilerplate", Text, nullable=False, default=""),
    Column("dateline_city", String(120), nullable=True),
    Column("dateline_date", Date, nullable=True),
    Column("contacts", JSONType, nullable=False, default=list),
    Column("industries", JSONType, nullable=False, default=list),
    Column("regions", JSONType, nullable=False, default=list),
    Column("tickers", JSONType, nullable=False, default=list),
    Column("keywords", JSONType, nullable=False, default=list),
    Column("attribution", Text, nullable=False, default=""),
    Column("type", String(16), nullable=False, default="press_release"),  # press_release | adhoc
    Column("disclosure", JSONType, nullable=True),  # an ad-hoc disclosure's notifier, exchange and ISINs
    Column("correction_note", Text, nullable=False, default=""),
    Column("was_published", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("release_id", "number"),
)

# Denormalized from the current version so list and feed filters are plain indexed joins.
release_industries = Table(
    "release_industries",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("qcode", String(20), primary_key=True),
    Index("ix_release_industries_qcode", "qcode"),
)

release_regions = Table(
    "release_regions",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("code", String(2), primary_key=True),
    Index("ix_release_regions_code", "code"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_key_id", Integer, nullable=True),
    Column("action", String(40), nullable=False),
    Column("release_id", Integer, nullable=True, index=True),
    Column("issuer_id", Integer, nullable=True),
    Column("detail", JSONType, nullable=False, default=dict),
    Column("request_id", String(64), nullable=True),  # the X-Request-ID it came from (domain/trace.py)
)

# --- distribution (issue 3) ------------------------------------------------------

def changed_at() -> Column:
    """The database's clock (epoch seconds) at the row's last insert or update, set by a trigger
    (migration 0016), never by the code: what pre-routing re-checks at the release second."""
    return Column("changed_at", Float, nullable=True, index=True)


subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # outlet | journalist | desktop
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    # Preferences; an empty list means "any".
    Column("languages", JSONType, nullable=False, default=list),
    Column("regions", JSONType, nullable=False, default=list),
    Column("industries", JSONType, nullable=False, default=list),
    Column("issuers", JSONType, nullable=False, default=list),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Deleted: name and address scrubbed, the row kept so the ledger's rows and reports stay whole.
    Column("deleted_at", UTCDateTime, nullable=True),
    changed_at(),
)

endpoints = Table(
    "endpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    # WebSub subscriptions are endpoints without a subscriber account: they belong to their callback.
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("channel", String(16), nullable=False),  # webhook | email | websub
    Column("format", String(16), nullable=False, default="ninjs"),  # what the channel carries
    Column("address", String(2000), nullable=False),  # webhook URL, e-mail address or WebSub callback
    Column("topic", String(2000), nullable=True),  # WebSub: the feed URL subscribed to
    Column("expires_at", UTCDateTime, nullable=True),  # WebSub: end of the lease
    # Webhook signing secrets must be usable for HMAC, so they are encrypted at rest, not hashed.
    Column("secret_enc", Text, nullable=True),
    Column("previous_secret_enc", Text, nullable=True),
    Column("previous_secret_expires_at", UTCDateTime, nullable=True),
    Column("max_in_flight", Integer, nullable=False, default=4),
    Column("digest_hour", Integer, nullable=True),  # e-mail: None = instant, else local hour of a daily digest
    Column("status", String(16), nullable=False, default="active"),  # pending | active | disabled
    Column("disabled_reason", Text, nullable=False, default=""),
    Column("unsubscribe_token", String(64), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("deleted_at", UTCDateTime, nullable=True),  # deleted: address and secrets scrubbed, row kept
    changed_at(),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    # (no index of its own: the unique constraint below leads with it; one index fewer to write per row)
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event", String(32), nullable=False),  # release.published | release.corrected | release.withdrawn
    Column("language", String(16), nullable=False),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("endpoint_id", Integer, ForeignKey("endpoints.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | dead | cancelled
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("leased_until", UTCDateTime, nullable=True),
    Column("leased_by", String(64), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    UniqueConstraint("release_id", "version", "event", "language", "endpoint_id"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)

# A scheduled release's ledger rows, routed ahead of its second (services/prerouting.py): no claim,
# listing or report reads this table; the go-live transaction moves the rows into ``deliveries``.
held_deliveries = Table(
    "held_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event", String(32), nullable=False),
    Column("language", String(16), nullable=False),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("endpoint_id", Integer, ForeignKey("endpoints.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("due", UTCDateTime, nullable=True),  # a digest's time; None: at the second
    UniqueConstraint("release_id", "version", "event", "language", "endpoint_id"),
)

# What a release's held rows were routed for: its version and second, and when (the database's
# clock) the recipients were read; subscribers and endpoints changed since are routed again. Once
# the release is live (``live_at``), the rows still held are moved into the ledger in chunks.
prerouted = Table(
    "prerouted",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("embargo_until", UTCDateTime, nullable=False),
    Column("checked_at", Float, nullable=False),
    Column("live_at", UTCDateTime, nullable=True),
)

# One row per release event, not per reader: the live stream's replay log (Last-Event-ID).
stream_events = Table(
    "stream_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, nullable=False),
    Column("event", String(32), nullable=False),
    Column("language", String(16), nullable=False),
    Column("industries", JSONType, nullable=False, default=list),
    Column("regions", JSONType, nullable=False, default=list),
    Column("issuer", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# --- translation (issue 4) ---------------------------------------------------------

# Keyed by what a translation depends on, so re-translating a corrected release sends only changed segments.
translation_memory = Table(
    "translation_memory",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_hash", String(64), nullable=False),  # sha256 hex of the source segment
    Column("source_lang", String(16), nullable=False),
    Column("target_lang", String(16), nullable=False),
    Column("engine", String(64), nullable=False),  # e.g. "apertium", "apertium>es>apertium" for a pivot
    Column("glossary_key", String(64), nullable=False, default=""),  # fingerprint of the glossary entries used
    Column("translation", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_hash", "source_lang", "target_lang", "engine", "glossary_key",
                     name="uq_translation_memory_key"),  # the generated name would pass 63 characters
)

# One row per release and target language: the translation job (state, lease, progress) and its
# result, so a worker that dies mid-translation leaves a row another worker takes up again.
translations = Table(
    "translations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False),
    Column("language", String(16), nullable=False),
    Column("source_version", Integer, nullable=False),  # the version of the original to translate
    Column("status", String(16), nullable=False),  # queued | translating | review | ready | failed | cancelled
    Column("done", Integer, nullable=False, default=0),  # units translated so far (progress)
    Column("total", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("engines", JSONType, nullable=False, default=list),
    Column("fields", JSONType, nullable=False, default=dict),  # headline, subheadline, lead, body_html, boilerplate
    Column("segments", JSONType, nullable=False, default=list),
    Column("human", JSONType, nullable=False, default=dict),  # source unit sha256 -> an editor's translation
    Column("error", Text, nullable=False, default=""),
    Column("leased_by", String(64), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("routed_version", Integer, nullable=True),  # the last version delivered to subscribers
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("release_id", "language"),
    Index("ix_translations_status_lease_until", "status", "lease_until"),
)


# --- pre-checks (issue 9) -----------------------------------------------------------

# The desk's pre-checks of a release's version, as last run (on submit or approval).
release_checks = Table(
    "release_checks",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("results", JSONType, nullable=False, default=list),  # [{check, severity, message, field, …}]
    Column("checked_at", UTCDateTime, nullable=False),
)

# A MinHash signature per release (its current text), for near-duplicate search.
release_signatures = Table(
    "release_signatures",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("signature", JSONType, nullable=False),  # the MinHash values
)

# The signature's LSH bands: releases sharing a band's bucket are the candidates compared in full.
release_signature_bands = Table(
    "release_signature_bands",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id"), primary_key=True),
    Column("band", Integer, primary_key=True),
    Column("bucket", String(32), nullable=False),
    Index("ix_release_signature_bands_band_bucket", "band", "bucket"),
)

# --- media (issue 9) ------------------------------------------------------------------

# A release's pictures and documents, and issuers' logos; the files are under the data dir.
media = Table(
    "media",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(32), nullable=False, unique=True),  # 128 random bits, hex: the URL's secret
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=True),  # a release's picture or document
    Column("issuer_id", Integer, ForeignKey("issuers.id"), nullable=False),  # (a logo: this alone)
    Column("kind", String(16), nullable=False),  # picture | document | logo
    Column("mime", String(64), nullable=False),
    Column("filename", String(255), nullable=False, default=""),
    Column("alt_text", Text, nullable=False, default=""),
    Column("caption", Text, nullable=False, default=""),
    Column("credit", Text, nullable=False, default=""),
    Column("position", Integer, nullable=False, default=0),
    Column("renditions", JSONType, nullable=False, default=list),  # [{name, mime, ext, size, width, height}]
    Column("created_by", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_media_release_id_position", "release_id", "position"),
    Index("ix_media_issuer_id_kind", "issuer_id", "kind"),
)
