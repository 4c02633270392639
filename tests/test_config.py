"""Settings: read from the environment only by from_env, every bad value refused by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from newswire.config import Settings, SettingsError, from_env

NEWSWIRE = [sys.executable, "-m", "newswire.cli"]


def refusal(environ: dict) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        from_env(environ)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_a_number_with_a_unit_is_refused_by_name_value_and_form():
    assert refusal({"NEWSWIRE_MAX_BODY_BYTES": "200k"}) == [
        "NEWSWIRE_MAX_BODY_BYTES='200k': expected a whole number of bytes, e.g. 200000"]


@pytest.mark.parametrize("word", ["flase", "ture", "2", "enabled", "y"])
def test_a_mistyped_switch_is_refused_not_read_as_false(word):
    [problem] = refusal({"NEWSWIRE_WEBHOOK_ALLOW_PRIVATE": word})
    assert problem.startswith(f"NEWSWIRE_WEBHOOK_ALLOW_PRIVATE={word!r}: expected true or false")


@pytest.mark.parametrize("word, value", [("1", True), ("TRUE", True), ("Yes", True), ("on", True),
                                         ("0", False), ("False", False), ("NO", False), (" off ", False)])
def test_switches_take_the_usual_words_in_any_case(word, value):
    assert from_env({"NEWSWIRE_ISSUER_SELF_PUBLISH": word}).issuer_self_publish is value


def test_every_bad_variable_is_listed_at_once():
    problems = refusal({"NEWSWIRE_LEASE_SECONDS": "0", "NEWSWIRE_BASE_URL": "wire.example", "NEWSWIRE_WIRE_NAME": "ok",
                        "NEWSWIRE_RETRY_SCHEDULE": "5,30s", "NEWSWIRE_SMTP_URL": "http://mail.example"})
    assert [p.split("=", 1)[0] for p in problems] == [
        "NEWSWIRE_BASE_URL", "NEWSWIRE_RETRY_SCHEDULE", "NEWSWIRE_SMTP_URL", "NEWSWIRE_LEASE_SECONDS"]
    assert "NEWSWIRE_BASE_URL='wire.example': expected an http:// or https:// URL, e.g. http://127.0.0.1:8000" \
        in problems


@pytest.mark.parametrize("name, value", [
    ("NEWSWIRE_WORKER_BATCH", "-5"), ("NEWSWIRE_CT2_THREADS", "-1"), ("NEWSWIRE_WEBHOOK_TIMEOUT", "nan"),
    ("NEWSWIRE_CHAT_TIMEOUT", "0"), ("NEWSWIRE_SCHEDULER_TICK", "fast"), ("NEWSWIRE_RETRY_SCHEDULE", ","),
    ("NEWSWIRE_SMTP_URL", "smtp://mail.example:25x"), ("NEWSWIRE_CHAT_API_URL", "127.0.0.1:8080"),
    ("NEWSWIRE_DEEPL_API_URL", "api.deepl.com"), ("NEWSWIRE_DATABASE_URL", "/var/lib/newswire.db"),
    ("NEWSWIRE_MAIL_FROM", "Newswire"), ("NEWSWIRE_DEFAULT_LANGUAGE", "klingon"),
    ("NEWSWIRE_TRANSLATION_ENGINES", "apertium;deepl"), ("NEWSWIRE_TRANSLATION_PIVOTS", "en,xx"),
    ("NEWSWIRE_TRANSLATION_PAIRS", "en-de:deepl"), ("NEWSWIRE_TRANSLATION_PAIRS", "en-xx=deepl"),
    ("NEWSWIRE_TRANSLATION_TIMEOUT", "-30"), ("NEWSWIRE_APERTIUM_BINARY", "  "),
])
def test_values_out_of_form_or_range_are_refused(name, value):
    [problem] = refusal({name: value})
    assert problem.startswith(f"{name}={value!r}: expected ")


def test_a_bad_secret_key_is_refused_without_showing_it():
    [problem] = refusal({"NEWSWIRE_SECRET_KEY": "hunter2"})
    assert problem.startswith("NEWSWIRE_SECRET_KEY=(a secret, not shown): expected a Fernet key")
    assert "hunter2" not in problem


def test_a_good_environment_loads():
    key = Fernet.generate_key().decode()
    s = from_env({
        "NEWSWIRE_DATA_DIR": "/srv/wire", "NEWSWIRE_DATABASE_URL": "postgresql+psycopg://wire@db/wire",
        "NEWSWIRE_BASE_URL": "https://wire.example", "NEWSWIRE_RUN_WORKER": "off", "NEWSWIRE_SECRET_KEY": key,
        "NEWSWIRE_SCHEDULER_TICK": "0.25", "NEWSWIRE_RETRY_SCHEDULE": "1, 2.5,", "NEWSWIRE_DEFAULT_LANGUAGE": "zh-cn",
        "NEWSWIRE_SMTP_URL": "smtps://u:p@mail.example:465", "NEWSWIRE_CHAT_API_URL": "http://127.0.0.1:8080",
        "NEWSWIRE_TRANSLATION_ENGINES": "deepl, apertium", "NEWSWIRE_TRANSLATION_PIVOTS": "es",
        "NEWSWIRE_TRANSLATION_PAIRS": "en-de=deepl,ctranslate2;en-zh-Hans=chat", "NEWSWIRE_TRANSLATION_TIMEOUT": "5",
        "NEWSWIRE_APERTIUM_BINARY": "/opt/apertium/bin/apertium", "NEWSWIRE_CT2_THREADS": "0",
        "NEWSWIRE_WIRE_NAME": "",  # empty: unset
    })
    assert (s.data_dir, s.sqlalchemy_url, s.base_url, s.run_worker, s.secret_key) == (
        Path("/srv/wire"), "postgresql+psycopg://wire@db/wire", "https://wire.example", False, key)
    assert (s.scheduler_tick, s.retry_delays, s.default_language, s.wire_name) == (0.25, [1.0, 2.5], "zh-Hans",
                                                                                  "Newswire")
    assert (s.translation_engines, s.translation_pivots) == (("deepl", "apertium"), ("es",))
    assert s.translation_pairs == {("en", "de"): ["deepl", "ctranslate2"], ("en", "zh-Hans"): ["chat"]}
    assert (s.translation_timeout, s.apertium_binary) == (5.0, "/opt/apertium/bin/apertium")
    assert key not in repr(s)  # secrets stay out of logs


def test_defaults_and_the_process_environment(monkeypatch):
    monkeypatch.setenv("NEWSWIRE_WIRE_NAME", "Process Wire")
    monkeypatch.setenv("NEWSWIRE_MAX_BODY_BYTES", "200k")
    assert from_env({}) == Settings()  # an explicit dict is all from_env reads
    assert from_env({}).model_fields_set == set()
    assert Settings().wire_name == "Newswire"  # code gets what it asks for, whatever the machine says
    with pytest.raises(SettingsError, match="NEWSWIRE_MAX_BODY_BYTES='200k'"):
        from_env()
    monkeypatch.delenv("NEWSWIRE_MAX_BODY_BYTES")
    assert from_env().wire_name == "Process Wire"
    assert from_env(wire_name="Flag Wire", base_url=None).wire_name == "Flag Wire"  # flags win; None: not given


def test_settings_are_frozen_and_overrides_are_checked():
    s = from_env({"NEWSWIRE_BASE_URL": "https://wire.example"})
    with pytest.raises(ValueError):
        s.base_url = "https://other.example"
    t = s.with_overrides(run_worker=False, wire_name=None)
    assert (t.base_url, t.run_worker, t.wire_name) == ("https://wire.example", False, "Newswire")
    assert t.model_fields_set == {"base_url", "run_worker"}  # what `serve` asks: was base_url given?
    with pytest.raises(SettingsError, match="NEWSWIRE_LEASE_SECONDS='0'"):
        s.with_overrides(lease_seconds=0)
    with pytest.raises(SettingsError, match="no such setting"):
        Settings(max_body_byte=1)


def clean_env(**variables) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    return env | variables


@pytest.mark.parametrize("command", [["issuer", "list"], ["serve", "--port", "1"], ["worker"],
                                     ["deliveries", "list", "--release", "1"], ["models", "list"],
                                     ["db", "upgrade"]])
def test_the_cli_refuses_a_bad_value_with_status_2_and_no_traceback(command, tmp_path):
    env = clean_env(NEWSWIRE_DATA_DIR=str(tmp_path), NEWSWIRE_MAX_BODY_BYTES="200k", NEWSWIRE_RUN_WORKER="flase")
    done = subprocess.run(NEWSWIRE + command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "NEWSWIRE_MAX_BODY_BYTES='200k': expected a whole number of bytes, e.g. 200000" in done.stderr
    assert "NEWSWIRE_RUN_WORKER='flase': expected true or false" in done.stderr
    assert not (tmp_path / "newswire.db").exists()  # refused before touching the database
