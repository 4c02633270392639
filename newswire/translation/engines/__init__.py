"""Translation engines, one small module each behind the interface in ``base``."""
