"""Small helpers shared by tests."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa

from newswire.storage.tables import metadata

PROBLEM_TYPE = "application/problem+json"


# Rate-limit counters count refused requests too (that is their point): not part of "what changed".
UNCHANGED_EXCEPT = {"rate_limits"}


def snapshot(engine) -> dict:
    """Every row of every table (but the rate-limit counters): compare before and after a refused request."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in UNCHANGED_EXCEPT:
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def postgres_listeners(engine, channel: str) -> int:
    """How many sessions, in any process, are listening on ``channel`` in this PostgreSQL database."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' "
            "AND query = :listen"), {"listen": f"LISTEN {channel}"}).scalar_one()


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_TYPE)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert any(f == field or f.startswith(field + "[") or f.startswith(field + ".") for f in fields), body
    return body


def headline(ninjs: dict) -> str:
    """The main headline of a ninjs 2.x document."""
    return next(h["value"] for h in ninjs["headlines"] if h.get("role") == "main")


def publish(wire, editor, sample: dict, *, issuer: str = "acme", **fields):
    """Create the sample release (with ``fields`` changed) as ``editor`` and publish it; returns the Release."""
    r = wire.releases.create(editor, {**sample, "issuer": issuer, **fields})
    return wire.releases.publish(editor, r.id)


def published(wire, keys, sample: dict, **fields):
    """The sample release published (or scheduled) by the desk editor, as it stands afterwards."""
    return publish(wire, wire.accounts.authenticate(keys["editor"]), sample, **fields)


def use_apertium(wire, pivots: tuple[str, ...] = ("es",)):
    """Translate with the real Apertium only (whatever the environment configures), with the
    wire's own translation memory; fails the test where Apertium is not installed."""
    import shutil

    import pytest

    from newswire.translation.engines.apertium import ApertiumEngine
    from newswire.translation.memory import SqlMemory
    from newswire.translation.pipeline import Pipeline
    from newswire.translation.registry import Registry

    if shutil.which("apertium") is None:
        pytest.fail("these tests need Apertium: apt-get install apertium apertium-eng-spa apertium-es-pt")
    wire.translations.use_pipeline(Pipeline(Registry([ApertiumEngine()], {}, pivots, {}), SqlMemory(wire.engine, wire.clock)))
    return wire


def rewire(wire, **overrides):
    """Another wire on the same database with some settings changed (as after an operator's
    restart with new settings): services take their settings when they are built."""
    from newswire.bootstrap import build

    return build(wire.settings.with_overrides(**overrides), clock=wire.clock, migrate=False)


def audit_actions(wire, action_prefix: str = "") -> list[tuple[str, dict]]:
    """(action, detail) of every audit record, oldest first, optionally only actions with a prefix."""
    from newswire.storage.tables import audit_log

    with wire.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log.c.action, audit_log.c.detail).order_by(audit_log.c.id)).all()
    return [(a, d) for a, d in rows if a.startswith(action_prefix)]


# The sample release's text in other languages, so a release declared in one reads as it: a direct
# publish meets the pre-checks, and the language check is an error (tests/test_checks_publish.py).
WRITTEN_IN = {
    "de": ("Acme stellt den Rocket Skate 3000 vor", "Acme hat heute seinen neuen Skate vorgestellt.",
           "Der **Rocket Skate 3000** ist [schneller](https://acme.example/skate), leichter und sicherer als "
           "alle bisherigen Modelle des Unternehmens."),
    "fr": ("Acme présente le Rocket Skate 3000", "Acme a présenté aujourd'hui son nouveau patin.",
           "Le **Rocket Skate 3000** est plus [rapide](https://acme.example/skate), plus léger et plus sûr "
           "que tous les modèles précédents de l'entreprise."),
    "es": ("Acme presenta el Rocket Skate 3000", "Acme ha presentado hoy su nuevo patín.",
           "El **Rocket Skate 3000** es más [rápido](https://acme.example/skate), más ligero y más seguro que "
           "todos los modelos anteriores de la empresa."),
    "pt": ("Acme apresenta o Rocket Skate 3000", "A Acme apresentou hoje o seu novo patim.",
           "O **Rocket Skate 3000** é mais [rápido](https://acme.example/skate), mais leve e mais seguro do que "
           "todos os modelos anteriores da empresa."),
    "ko": ("에이크미, 로켓 스케이트 3000 공개", "에이크미는 오늘 새로운 스케이트를 발표했습니다.",
           "**로켓 스케이트 3000**은 회사의 이전 모든 모델보다 더 [빠르고](https://acme.example/skate) 가볍고 "
           "안전합니다."),
    "ja": ("Acme、ロケットスケート3000を発表", "Acmeは本日、新しいスケートを発表しました。",
           "**ロケットスケート3000**は、同社のこれまでのどのモデルよりも[速く](https://acme.example/skate)、"
           "軽く、安全です。"),
    "zh-Hans": ("Acme 发布火箭滑板 3000", "Acme 今天发布了新款滑板。",
                "**火箭滑板 3000** 比公司以往的所有型号都更[快](https://acme.example/skate)、更轻、更安全。"),
    "zh-Hant": ("Acme 發表火箭滑板 3000", "Acme 今天發表了新款滑板。",
                "**火箭滑板 3000** 比公司以往的所有型號都更[快](https://acme.example/skate)、更輕、更安全。"),
    "ar": ("أكمي تكشف عن لوح التزلج الصاروخي 3000", "كشفت أكمي اليوم عن لوح التزلج الجديد.",
           "لوح **التزلج الصاروخي 3000** أسرع [وأخف](https://acme.example/skate) وأكثر أمانًا من جميع طرازات "
           "الشركة السابقة."),
}


def written_in(language: str, headline: str | None = None) -> dict:
    """Fields that make the sample release read as ``language`` (``headline`` instead of ours)."""
    title, lead, body = WRITTEN_IN[language]
    return {"language": language, "headline": headline or title, "lead": lead, "body": body}


async def until(condition, what: str, timeout: float = 30) -> None:
    """Wait on a loop until ``condition()`` (run in a thread: it may query the database) holds;
    fail saying ``what`` did not happen within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


def until_sync(condition, what: str = "the condition", timeout: float = 30) -> None:
    """``until`` for a test without an event loop: poll ``condition()`` until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.02)


def internal_id(wire, public_id: str) -> int:
    """The row number of the release the API names by ``public_id`` (the ledger, the audit log, the
    stream's rows and the services keep the number), resolved as the desk resolves it."""
    from newswire.domain.models import SYSTEM

    return wire.listings.resolve(SYSTEM, public_id)
