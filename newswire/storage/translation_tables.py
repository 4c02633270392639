"""The translation memory table (in the wire's one ``metadata``, so migrations see it)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text, UniqueConstraint

from .tables import UTCDateTime, metadata

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
