"""Plain SQL for the delivery hot paths (routing a fan-out, claiming, recording).

SQLAlchemy's statement compilation and row processing cost more than the database itself when
a fan-out touches every row once, so these few statements go straight to the driver's cursor,
inside the caller's transaction. They are written with ``?`` placeholders (sqlite3); PostgreSQL's
driver gets ``%s``. Timestamps are bound as each backend stores them: aware datetimes for
PostgreSQL, SQLAlchemy's text format for SQLite (``UTCDateTime`` reads both back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy.engine import Connection

UTC = dt.timezone.utc
_PG: dict[str, str] = {}


def postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def cursor(conn: Connection):
    """The driver's cursor on ``conn``'s connection: same transaction, no SQLAlchemy in between."""
    return conn.connection.cursor()


def sql(pg: bool, text: str) -> str:
    """``text`` with the driver's placeholders."""
    if not pg:
        return text
    if (out := _PG.get(text)) is None:  # no '%' in these statements, so nothing else needs escaping
        out = text.replace("?", "%s")
        if len(_PG) < 512:  # bounded: a claim that skips endpoints inlines their ids, so its text varies
            _PG[text] = out
    return out


def _sqlite_stamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy's SQLite DATETIME


def _same(value):
    return value


def stamper(pg: bool) -> Callable[[dt.datetime | None], object]:
    """How to bind a timestamp; memoised, as a fan-out binds the same few many times."""
    if pg:
        return _same
    seen: dict = {}

    def stamp(value):
        out = seen.get(value)
        if out is None:
            out = _sqlite_stamp(value)
            if len(seen) < 64:
                seen[value] = out
        return out

    return stamp


def read_stamp(value) -> dt.datetime | None:
    """A timestamp as read back from the driver: aware UTC."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ints(ids: Iterable[int]) -> str:
    """An IN list of integer ids, inlined (``int`` refuses anything else): one parameter-free statement."""
    return ",".join(map(str, map(int, ids)))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(rows: Iterable[tuple], stamp: Callable[[dt.datetime | None], object]) -> str:
    """Rows in PostgreSQL's COPY text format, built in one string (psycopg's ``write_row`` costs
    more per row than the rest of routing): ints, strings and timestamps; None is ``\\N``."""
    seen: dict = {}

    def field(v) -> str:
        if v is None:
            return "\\N"
        if type(v) is int:
            return str(v)
        out = seen.get(v)
        if out is None:
            out = (str(stamp(v)) if isinstance(v, dt.datetime) else str(v)).translate(_COPY_ESCAPES)
            if len(seen) < 1024:
                seen[v] = out
        return out

    return "".join(["\t".join(map(field, r)) + "\n" for r in rows])
