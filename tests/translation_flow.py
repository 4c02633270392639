"""What the translation tests share: Apertium as the only engine, a receiver on loopback, and the
steps of a release's way to its language versions."""

from __future__ import annotations

import pytest
from lxml import html as lhtml

from conftest import auth
from helpers import use_apertium


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True, retry_schedule="0.2,0.2")


@pytest.fixture
def wire(wire):
    return use_apertium(wire)


def translate_all(wire, worker_id="translator") -> list:
    worker, done = wire.translation_worker(worker_id), []
    while (row := worker.run_once()) is not None:
        done.append(row)
    return done


def create(client, keys, sample, **fields) -> int:
    r = client.post("/api/v1/releases", json={**sample, "target_languages": ["es", "pt"], **fields},
                    headers=auth(keys["acme"]))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def submit_and_approve(client, keys, rid):
    assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).status_code == 200
    r = client.post(f"/api/v1/releases/{rid}/approve", headers=auth(keys["editor"]))
    assert r.status_code == 200, r.text


def page(client, path):
    r = client.get(path)
    return r, (lhtml.fromstring(r.text) if r.status_code == 200 else None)
