"""Documentation that must stay true."""

from __future__ import annotations

from pathlib import Path

from newswire.config import from_env, setting_names

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented():
    doc = (ROOT / "docs/configuration.md").read_text()
    missing = [name for name in setting_names() if f"`{name}`" not in doc]
    assert not missing, f"document these in docs/configuration.md: {missing}"


def test_settings_come_from_the_environment():
    s = from_env({"NEWSWIRE_WIRE_NAME": "Asia Wire", "NEWSWIRE_ISSUER_SELF_PUBLISH": "1",
                  "NEWSWIRE_MAX_BODY_BYTES": "1000", "NEWSWIRE_DATA_DIR": "/tmp/x"})
    assert (s.wire_name, s.issuer_self_publish, s.max_body_bytes) == ("Asia Wire", True, 1000)
    assert s.sqlalchemy_url == "sqlite:////tmp/x/newswire.db"
    assert from_env({}, database_url="postgresql+psycopg://h/db").sqlalchemy_url == "postgresql+psycopg://h/db"


def test_readme_quick_start_has_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip() and not line.strip().startswith("#")]
    assert commands == ["./scripts/serve", "./scripts/test"]
    assert "scripts/test" in (ROOT / ".ci/run").read_text()
