"""The process's logs: one JSON object a line (``NEWSWIRE_LOG_FORMAT=json``) or plain text.

Every record carries the request id it was logged under (``domain/trace.py``) and any fields the
code passed in ``extra`` (``release_id``, ``delivery_id``, ``channel``, ``outcome`` …), so that
``jq 'select(.request_id == "…")'`` over every process's logs shows a release from its submission
to its last delivery. Standard library logging only: uvicorn's and the libraries' records come
out the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

from ..config import Settings
from ..domain import trace

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        request_id = getattr(record, "request_id", None) or trace.current()
        if request_id:
            out["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in out:
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(name)s %(levelname)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None) or trace.current()
        return f"{line} [request {request_id}]" if request_id else line


def setup(settings: Settings) -> None:
    """Configure the root logger for ``serve`` and ``worker`` (uvicorn's loggers propagate to it)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # the request log is newswire.http's, with the id
