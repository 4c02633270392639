"""`newswire backup` and `newswire restore`, as an operator runs them: a round trip gives back the
same rows, media files and key file, and `serve` starts on the restored wire; a restore refuses to
overwrite a wire that holds releases unless told to."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from conftest import PG_ADMIN_URL, SAMPLE
from helpers import headline, until_sync
from newswire.bootstrap import build
from newswire.config import Settings
from newswire.distribution import secrets
from newswire.storage.tables import metadata
from sse_client import free_port
from test_live_processes import stop
from webhook_receiver import add_webhook

pytestmark = pytest.mark.timeout(300)
ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")} | {"PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "newswire.cli", *args], env=env, capture_output=True, text=True,
                         timeout=120)
    assert (res.returncode == 0) == ok, res.stdout + res.stderr
    return res


def fill(settings: Settings) -> dict:
    """A wire with an issuer, keys, a published release, a webhook subscriber and a media file."""
    w = build(settings)
    try:
        w.accounts.create_issuer("acme", "Acme Corporation")
        editor = w.accounts.authenticate(w.accounts.create_api_key("editor", "Desk"))
        r = w.releases.create(editor, {**SAMPLE, "issuer": "acme"})
        w.releases.publish(editor, r.id)
        _, secret = add_webhook(w, "https://outlet.example/hook")
        media = Path(settings.data_dir) / "media" / "ab" / "picture.webp"
        media.parent.mkdir(parents=True)
        media.write_bytes(os.urandom(3000))
        return {"release": r.id, "secret": secret, "media": media.read_bytes(), "tables": tables(w.engine)}
    finally:
        w.close()


def tables(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(sa.select(t)).all())) for t in metadata.sorted_tables}


def check_restored(settings: Settings, before: dict) -> None:
    w = build(settings, migrate=False)
    try:
        assert tables(w.engine) == before["tables"]
        enc = w.engine.connect().execute(sa.text("SELECT secret_enc FROM endpoints")).scalar_one()
        assert secrets.decrypt(w.settings, enc) == before["secret"]  # the key file came back too
    finally:
        w.close()
    assert (Path(settings.data_dir) / "media" / "ab" / "picture.webp").read_bytes() == before["media"]


def serve_answers(data_dir: Path, database: list[str], release_id: int) -> None:
    """`serve` starts on the restored wire: ready, and the release is there."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")} | {"PYTHONPATH": str(ROOT)}
    with open(data_dir.parent / "serve.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "newswire.cli", "serve", "--port", str(port),
                                 "--data-dir", str(data_dir), *database], env=env, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        def ready() -> bool:
            assert proc.poll() is None, (data_dir.parent / "serve.log").read_text()
            try:
                return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        until_sync(ready, "the restored wire to be ready", timeout=60)
        r = httpx.get(f"{base}/api/v1/releases/{release_id}", timeout=10)
        assert r.status_code == 200 and headline(r.json()) == SAMPLE["headline"]
    finally:
        stop(proc)


def test_sqlite_round_trip(tmp_path):
    source = Settings(data_dir=tmp_path / "a")
    before = fill(source)
    cli("backup", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "a"))
    listed = sorted(p.name for p in (tmp_path / "bk").iterdir())
    assert listed == ["manifest.json", "media", "newswire.db", "secret.key"]
    cli("restore", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "b"))
    check_restored(Settings(data_dir=tmp_path / "b"), before)
    serve_answers(tmp_path / "b", [], before["release"])

    refused = cli("restore", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "b"), ok=False)
    assert "--replace" in refused.stderr
    cli("restore", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "b"), "--replace")
    check_restored(Settings(data_dir=tmp_path / "b"), before)
    assert "not empty" in cli("backup", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "a"), ok=False).stderr


def test_a_folder_that_is_not_a_backup_is_refused(tmp_path):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "manifest.json").write_text("{}")
    res = cli("restore", str(tmp_path / "junk"), "--data-dir", str(tmp_path / "c"), ok=False)
    assert "not a Newswire backup" in res.stderr


@pytest.fixture
def two_postgres_databases():
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names = [f"newswire_bk_{uuid.uuid4().hex[:8]}_{i}" for i in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield [PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name for name in names]
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgresql_round_trip_through_pg_dump(tmp_path, two_postgres_databases):
    src, dst = two_postgres_databases
    before = fill(Settings(data_dir=tmp_path / "a", database_url=src))
    cli("backup", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "a"), "--database-url", src)
    assert (tmp_path / "bk" / "newswire.pgdump").stat().st_size > 0
    cli("restore", str(tmp_path / "bk"), "--data-dir", str(tmp_path / "b"), "--database-url", dst)
    check_restored(Settings(data_dir=tmp_path / "b", database_url=dst), before)
    serve_answers(tmp_path / "b", ["--database-url", dst], before["release"])
