"""One settings object, read once from the environment and command-line flags.

Every setting is ``NEWSWIRE_<NAME>`` in the environment; flags override it.
``docs/configuration.md`` lists them all (a test checks that it does).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("./newswire-data")
    database_url: str = ""  # empty: SQLite file in data_dir
    base_url: str = "http://127.0.0.1:8000"
    wire_name: str = "Newswire"
    disclaimer: str = (
        "The issuer is solely responsible for the content of this release. "
        "Newswire distributes it as received."
    )
    issuer_self_publish: bool = False
    max_body_bytes: int = 200_000
    scheduler_tick: float = 0.5  # longest the release clock sleeps between looks at the database
    run_worker: bool = True  # `serve` runs the worker in-process
    default_language: str = "en"
    # distribution
    secret_key: str = ""  # encrypts webhook/WebSub signing secrets at rest; default: a key file in data_dir
    retry_schedule: str = "5,300,1800,7200,18000,36000,36000,36000"  # seconds before each retry (~1.5 days)
    webhook_allow_private: bool = False
    webhook_timeout: float = 15.0
    smtp_url: str = "smtp://127.0.0.1:25"
    mail_from: str = "Newswire <newswire@localhost>"
    worker_batch: int = 500
    lease_seconds: int = 60
    # neural and remote translation engines
    models_dir: str = ""  # installed CTranslate2 models; empty: data_dir/models
    ct2_beam_size: int = 4
    ct2_threads: int = 0  # 0: CTranslate2 picks
    chat_api_url: str = ""  # an OpenAI-compatible server, e.g. http://127.0.0.1:8080 (empty: engine off)
    chat_api_key: str = ""
    chat_model: str = ""
    chat_timeout: float = 120.0
    deepl_api_url: str = "https://api-free.deepl.com"
    deepl_api_key: str = ""  # empty: engine off
    deepl_timeout: float = 30.0
    extra: dict = field(default_factory=dict, compare=False)

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

    def with_overrides(self, **overrides) -> "Settings":
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _coerce(kind, raw: str):
    if kind is bool or kind == "bool":
        return raw.strip().lower() in _TRUE
    if kind is int or kind == "int":
        return int(raw)
    if kind is float or kind == "float":
        return float(raw)
    if kind is Path or kind == "Path":
        return Path(raw)
    return raw


def from_env(environ: dict | None = None, **overrides) -> Settings:
    env = os.environ if environ is None else environ
    values = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        raw = env.get("NEWSWIRE_" + f.name.upper())
        if raw is not None and raw != "":
            values[f.name] = _coerce(f.type, raw)
    return Settings(**values).with_overrides(**overrides)


def setting_names() -> list[str]:
    return ["NEWSWIRE_" + f.name.upper() for f in fields(Settings) if f.name != "extra"]
