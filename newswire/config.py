"""One settings object, read once from the environment and command-line flags.

Every setting is ``NEWSWIRE_<NAME>`` in the environment; flags override it.
``docs/configuration.md`` lists them all (a test checks that it does).

``Settings(...)`` in code takes only its keyword arguments: tests build it while the machine's
``NEWSWIRE_*`` variables may say otherwise. ``from_env`` is the one place that reads the
environment, through pydantic-settings' environment source. A value that does not fit is
refused with a ``SettingsError`` that names each bad variable, the value and the form expected.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Mapping
from urllib.parse import urlsplit

import limits
from cryptography.fernet import Fernet
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict

from .domain.languages import SUPPORTED, normalize, split_pair

PREFIX = "NEWSWIRE_"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_ENGINE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_URL_SCHEME = re.compile(r"[A-Za-z][\w+.-]*://")  # what SQLAlchemy's URL parser wants in front


@dataclass(frozen=True)
class Form:
    """What a setting's value must look like: the end of the message that refuses a bad one.
    ``example`` defaults to the setting's default; ``secret`` keeps the value out of the message."""

    text: str
    example: str | None = None
    secret: bool = False


class SettingsError(ValueError):
    """Settings that do not fit: one line per bad variable, e.g.
    ``NEWSWIRE_MAX_BODY_BYTES='200k': expected a whole number of bytes, e.g. 200000``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems

    @classmethod
    def of(cls, exc: ValidationError) -> SettingsError:
        return cls([_problem(e) for e in exc.errors(include_url=False)])


def _problem(error: dict) -> str:
    name = str(error["loc"][0]) if error["loc"] else ""
    field = Settings.model_fields.get(name)
    if field is None:
        return f"{name}: there is no such setting"
    forms = [m for m in field.metadata if isinstance(m, Form)]
    form = forms[-1] if forms else None  # Annotated[Count, Form("…bytes")]: the field's own form comes last
    given = error["input"]
    shown = "(a secret, not shown)" if form and form.secret else repr(given if isinstance(given, str) else str(given))
    if form is None:  # a plain text setting: only code can hand it something else
        return f"{variable(name)}={shown}: {error['msg']}"
    example = form.example if form.example is not None else _as_env(field.get_default(call_default_factory=True))
    return f"{variable(name)}={shown}: expected {form.text}" + (f", e.g. {example}" if example else "")


def _as_env(value: Any) -> str:
    """A default written the way the environment would give it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (tuple, list)):
        return ",".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if isinstance(value, dict) else str(value)


# --- the forms values take --------------------------------------------------------------------
# Each check raises ValueError; the message the operator sees comes from the field's Form.

def _boolean(value: Any) -> Any:
    """Only the words people mean: pydantic alone would also take t/f/y/n, and the old
    reader took any unknown word ("flase") for false."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word not in _TRUE | _FALSE:
            raise ValueError("not a boolean")
        return word in _TRUE
    return value


def _items(value: Any) -> Any:
    """"apertium, deepl" → ("apertium", "deepl"); values given in code as sequences pass as they are."""
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


def _url(*schemes: str, empty: bool = False):
    def check(value: str) -> str:
        if empty and not value:
            return value
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(f"not a {'/'.join(schemes)} URL")
        return value
    return AfterValidator(check)


def _database_url(value: str) -> str:
    if value and not _URL_SCHEME.match(value):
        raise ValueError("not a database URL")
    return value


def _mail_address(value: str) -> str:
    # "Name <address>" or a bare address; a sender may be a local one (newswire@localhost), so this
    # is not domain.text.is_email, which asks subscribers and contacts for a dotted domain
    if "@" not in email.utils.parseaddr(value)[1]:
        raise ValueError("no e-mail address")
    return value


def _choice(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError("not one of " + ", ".join(allowed))
    return value


def _fernet_key(value: str) -> str:
    if value:
        Fernet(value.encode())  # raises ValueError unless 32 url-safe base64-encoded bytes
    return value


def _language(value: str) -> str:
    tag = normalize(value)
    if tag not in SUPPORTED:
        raise ValueError("not a wire language")
    return tag


def _disclaimers(value: Any) -> Any:
    """'{"de": "…", "fr": "…"}' (JSON) → {"de": "…", "fr": "…"}, each key a wire language."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("not JSON") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise ValueError("not an object of texts")
    return {_language(str(k)): v.strip() for k, v in value.items()}


def _retry_schedule(value: str) -> str:
    delays = [float(x) for x in value.split(",") if x.strip()]  # float() raises ValueError
    if not delays or any(not 0 <= d < float("inf") for d in delays):
        raise ValueError("not a list of seconds")
    return value


def _rate(value: str) -> str:
    """'10/minute' or '10 per minute; 100 per day' (the ``limits`` library's notation), or 'off'."""
    if value.strip().lower() != "off":
        try:
            limits.parse_many(value)
        except ValueError:
            raise ValueError("not a rate such as 10/minute") from None
    return value.strip()


def _rate_storage(value: str) -> str:
    if value != "database" and not value.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
        raise ValueError("not 'database' or a limits storage URI")
    return value


def _engine_names(names: tuple[str, ...]) -> tuple[str, ...]:
    if not names or not all(_ENGINE_NAME.fullmatch(n) for n in names):
        raise ValueError("not a list of engine names")
    return names


def _languages(tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_language(t) for t in tags)


def parse_overrides(raw: Any) -> Any:
    """"en-de=deepl,ctranslate2;en-es=apertium" → {("en", "de"): ["deepl", "ctranslate2"], …}"""
    if not isinstance(raw, str):
        return raw
    out = {}
    for item in (i for i in raw.split(";") if i.strip()):
        pair, eq, names = item.partition("=")
        tags = split_pair(pair)
        engines = [n.strip() for n in names.split(",") if n.strip()]
        if not eq or tags is None or not engines or not all(_ENGINE_NAME.fullmatch(n) for n in engines):
            raise ValueError(f"{item.strip()!r} is not PAIR=ENGINE,…")
        out[tags] = engines
    return out


Flag = Annotated[bool, BeforeValidator(_boolean), Form("true or false (also 1/0, yes/no, on/off)", "")]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False), Form("a number of seconds above 0")]
Count = Annotated[int, Field(gt=0), Form("a whole number above 0")]
Rate = Annotated[str, AfterValidator(_rate), Form("a rate such as 10/minute, several separated by ; (or off)",
                                                  "10/minute; 100/day")]
WebUrl = Annotated[str, _url("http", "https"), Form("an http:// or https:// URL")]


class Settings(BaseSettings):
    # Sources: only the keyword arguments (see settings_customise_sources); from_env adds the environment.
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True, extra="forbid")

    data_dir: Annotated[Path, Form("a directory")] = Path("./newswire-data")
    database_url: Annotated[str, AfterValidator(_database_url), Form(
        "an SQLAlchemy URL", "postgresql+psycopg://newswire@db.example/newswire")] = ""  # empty: SQLite in data_dir
    base_url: WebUrl = "http://127.0.0.1:8000"
    wire_name: str = "Newswire"
    disclaimer: str = (
        "The issuer is solely responsible for the content of this release. "
        "Newswire distributes it as received."
    )
    # the newsroom's disclaimer per page language, instead of the translated default (pages only)
    disclaimers: Annotated[dict[str, str], NoDecode, BeforeValidator(_disclaimers), Form(
        "a JSON object of texts by wire language", '{"en": "…", "de": "…"}')] = {}
    issuer_self_publish: Flag = False
    max_body_bytes: Annotated[Count, Form("a whole number of bytes")] = 200_000
    scheduler_tick: Seconds = 0.5  # longest the release clock sleeps between looks at the database
    run_worker: Flag = True  # `serve` runs the worker in-process
    access_log: Flag = True  # `serve` logs every request (a line each; nginx in front logs them too)
    # the rendered public pages and feeds each process keeps (web/cache.py): its bound in MiB (0: no cache)
    page_cache_mb: Annotated[int, Field(ge=0), Form("a whole number of MiB, 0 or more", "64")] = 64
    page_cache_seconds: Seconds = 60  # longest a cached page lives without a public change
    # The live stream through a push engine (docs/live-broker.md): redis://host:port/db; empty: none
    live_broker: Annotated[str, Form("a redis:// URL, or nothing", "redis://127.0.0.1:6379/0", secret=True)] = ""
    live_broker_channel: str = "newswire.live"  # the pub/sub channel (one per deployment)
    host: Annotated[str, Form("a host name or IP address to listen on", "127.0.0.1")] = "127.0.0.1"  # `serve`
    port: Annotated[int, Field(gt=0, lt=65536), Form("a TCP port number", "8000")] = 8000  # `serve`
    default_language: Annotated[str, AfterValidator(_language), Form(
        "one of the wire's languages (" + ", ".join(SUPPORTED) + ")")] = "en"
    # web sign-in
    session_days: Annotated[Count, Form("a whole number of days above 0")] = 14  # idle time before sign-out
    cookie_secure: Flag = True  # session cookies only over HTTPS (browsers treat http://localhost as secure)
    # rate limits (services/ratelimits.py; docs/configuration.md)
    rate_limit_storage: Annotated[str, AfterValidator(_rate_storage), Form(
        "database, memory:// or a redis:// URI", "redis://127.0.0.1:6379")] = "database"
    rate_limit_signin: Rate = "20/minute; 200/hour"  # per address and per account (e-mail)
    rate_limit_signup: Rate = "10/hour"  # per address and per e-mail
    rate_limit_reset: Rate = "5/hour"  # per address and per account (e-mail)
    rate_limit_api_writes: Rate = "120/minute"  # per API key (and per address)
    rate_limit_pickups: Rate = "60/minute"  # per address (and per API key)
    rate_limit_tracking: Rate = "600/minute"  # per address
    # distribution
    secret_key: Annotated[str, AfterValidator(_fernet_key), Form(
        "a Fernet key (32 url-safe base64-encoded bytes)", "", secret=True), Field(repr=False)] = ""
    # ^ encrypts webhook/WebSub signing secrets at rest; default: a key file in data_dir
    retry_schedule: Annotated[str, AfterValidator(_retry_schedule), Form(
        "seconds before each retry, numbers separated by commas")] = "5,300,1800,7200,18000,36000,36000,36000"
    webhook_allow_private: Flag = False
    webhook_timeout: Seconds = 15.0
    smtp_url: Annotated[str, _url("smtp", "smtps"), Form("an smtp:// or smtps:// URL")] = "smtp://127.0.0.1:25"
    mail_from: Annotated[str, AfterValidator(_mail_address), Form("a sender address")] = \
        "Newswire <newswire@localhost>"
    worker_batch: Count = 500
    # operations (docs/operations.md)
    log_format: Annotated[str, AfterValidator(lambda v: _choice(v, ("text", "json"))), Form(
        "text or json")] = "text"
    log_level: Annotated[str, AfterValidator(lambda v: _choice(v.upper(), ("DEBUG", "INFO", "WARNING", "ERROR"))),
                         Form("DEBUG, INFO, WARNING or ERROR")] = "INFO"
    metrics_port: Annotated[int, Field(ge=0, lt=65536), Form("a TCP port number (0: off)", "9101")] = 0  # `worker`
    lease_seconds: Annotated[Count, Form("a whole number of seconds above 0")] = 60
    # neural and remote translation engines
    models_dir: str = ""  # installed CTranslate2 models; empty: data_dir/models
    ct2_beam_size: Count = 4
    ct2_threads: Annotated[int, Field(ge=0), Form("a whole number of threads (0: CTranslate2 picks)")] = 0
    chat_api_url: Annotated[str, _url("http", "https", empty=True), Form(
        "an http:// or https:// URL (empty: engine off)", "http://127.0.0.1:8080")] = ""
    chat_api_key: Annotated[str, Field(repr=False)] = ""
    chat_model: str = ""
    chat_timeout: Seconds = 120.0
    deepl_api_url: WebUrl = "https://api-free.deepl.com"
    deepl_api_key: Annotated[str, Field(repr=False)] = ""  # empty: engine off
    deepl_timeout: Seconds = 30.0
    # choosing translation engines
    translation_engines: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_items),
                                   AfterValidator(_engine_names), Form("engine names separated by commas")] = \
        ("apertium", "ctranslate2", "chat", "deepl")
    translation_pairs: Annotated[dict[tuple[str, str], list[str]], NoDecode, BeforeValidator(parse_overrides), Form(
        "PAIR=ENGINE,… items separated by semicolons", "en-de=deepl,ctranslate2;en-es=apertium")] = {}
    translation_pivots: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_items), AfterValidator(_languages),
                                  Form("wire languages separated by commas")] = ("en", "es")
    translation_timeout: Seconds = 30.0  # Apertium's, plus 0.5 s per KB
    apertium_binary: Annotated[str, Field(pattern=r"\S"), Form("a command")] = "apertium"

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:  # one exception type, whichever way the settings were built
            raise SettingsError.of(exc) from None

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return (init_settings,)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'newswire.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def retry_delays(self) -> list[float]:
        return [float(x) for x in self.retry_schedule.split(",") if x.strip()]

    def with_overrides(self, **overrides) -> Settings:
        """A copy with these values (None: keep this one's), checked like the rest; the values this
        one was given stay given (``model_fields_set``)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if not given:
            return self
        return type(self)(**({name: getattr(self, name) for name in self.model_fields_set} | given))


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source (prefix, case, empty values, NoDecode) over a given
    mapping: os.environ, or only the dict a caller passes."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # The hook pydantic-settings' own dotenv source overrides; names fold to lower case as the
        # library folds os.environ's (case_sensitive is off), empty values count as unset.
        return {k if self.case_sensitive else k.lower(): v for k, v in self._environ.items()
                if v or not self.env_ignore_empty}


def from_env(environ: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Settings from the environment (only ``environ`` when given) with the flags' ``overrides``
    on top (None: flag not given). Raises SettingsError naming every bad variable."""
    values = _Environment(os.environ if environ is None else environ)()
    return Settings(**(values | {k: v for k, v in overrides.items() if v is not None}))


def variable(field: str) -> str:
    return PREFIX + field.upper()


def setting_names() -> list[str]:
    return [variable(name) for name in Settings.model_fields]
