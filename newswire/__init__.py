"""Newswire: an open, self-hosted, multilingual press-release wire."""

__version__ = "0.1.0"
