"""The content API under /api/v1."""
