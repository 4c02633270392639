"""Domain errors. The web layer turns each into an RFC 9457 problem document.

They carry no HTTP status; ``newswire.web.problems`` maps kinds to statuses, so
the CLI and the worker can raise and report the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


class NewswireError(Exception):
    kind = "error"
    title = "Request failed"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class InvalidInput(NewswireError):
    """The request's content is wrong; ``errors`` names each field and the fix."""

    kind = "invalid-input"
    title = "The submitted data is not valid"


class TooLarge(InvalidInput):
    kind = "too-large"
    title = "The submitted content is too large"


class NotFound(NewswireError):
    kind = "not-found"
    title = "Not found"


class Gone(NotFound):
    """It was there and is no more (a withdrawn release's media)."""

    kind = "gone"
    title = "Gone"


class Forbidden(NewswireError):
    kind = "forbidden"
    title = "Not allowed"


class Unauthenticated(NewswireError):
    kind = "unauthenticated"
    title = "Authentication required"


class Unavailable(NewswireError):
    """Something the request needs (the mail server) cannot be reached now; nothing was changed."""

    kind = "unavailable"
    title = "Temporarily unavailable"


class TooManyRequests(NewswireError):
    """A rate limit is spent (services/ratelimits.py); ``retry_after`` seconds until it is not."""

    kind = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class StorageFull(Unavailable):
    """The database's disk is full: the write was rolled back, nothing was changed, the data is intact."""

    kind = "storage-full"
    title = "The database's disk is full"


class Conflict(NewswireError):
    """The action does not fit the release's current state."""

    kind = "conflict"
    title = "The action conflicts with the current state"


@dataclass
class Collector:
    """Gathers every field error of a request so the caller sees all at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message))

    def raise_if_any(self, detail: str = "Some fields are not valid; see errors.") -> None:
        if self.errors:
            if len(self.errors) == 1:
                detail = f"{self.errors[0].field}: {self.errors[0].message}"
            raise InvalidInput(detail, errors=list(self.errors))


class UnsupportedLanguagePair(InvalidInput):
    """No configured engine translates between two languages; ``extra`` lists what is available."""

    kind = "unsupported-language-pair"
    title = "No translation engine for this language pair"
