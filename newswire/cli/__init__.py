"""The `newswire` command. Thin: parses arguments, builds the wire through the composition root
(``newswire.bootstrap``), calls services. Each command group lives in its own module and adds
itself to ``base.app``."""

from __future__ import annotations

import sys

from . import core, distribution, ops, translation, users  # noqa: F401  (they register their commands on app)
from .base import app

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
