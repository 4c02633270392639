"""Documentation that must stay true."""

from __future__ import annotations

import re
from pathlib import Path

from newswire.config import from_env, setting_names

ROOT = Path(__file__).resolve().parents[1]
# Variables the doc names that are not Settings fields: `serve` flags that typer reads from the
# environment itself, and the tests' own database server.
NOT_SETTINGS = {"NEWSWIRE_TEST_POSTGRES_URL", "NEWSWIRE_TEST_PROCESSES"}  # the test suite's, not the wire's


def test_every_setting_is_documented_and_every_documented_variable_exists():
    doc = (ROOT / "docs/configuration.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith("| `NEWSWIRE_")]
    in_tables = {re.match(r"\| `(NEWSWIRE_\w+)`", row)[1] for row in rows}
    missing = [name for name in setting_names() if name not in in_tables]
    assert not missing, f"document these in docs/configuration.md's tables: {missing}"
    named = set(re.findall(r"\bNEWSWIRE_[A-Z0-9_]+\b", doc))
    unknown = sorted(named - set(setting_names()) - NOT_SETTINGS)
    assert not unknown, f"docs/configuration.md names variables that nothing reads: {unknown}"
    assert NOT_SETTINGS <= named and not NOT_SETTINGS & set(setting_names())


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
