"""Delivery channels: one small module each behind the interface in ``base``."""
