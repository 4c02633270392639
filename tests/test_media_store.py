"""The media store's edges (issue 9): HEAD on the public files and the API preview answers as GET
does without the body, and no staging folder is left behind: not by a failed move, and a crashed
process's old ones are removed at start-up and by `newswire media clean`."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import media_files as files
from conftest import auth
from newswire.cli import app as cli_app
from newswire.services.media import Upload
from newswire.web.app import create_app

SAME = ("content-type", "content-length", "cache-control", "x-content-type-options", "content-disposition")


def media_dir(wire) -> Path:
    return wire.settings.data_dir / "media"


def staging(wire) -> list[str]:
    root = media_dir(wire)
    return sorted(p.name for p in root.glob(".staging-*")) if root.exists() else []


@pytest.fixture
def item(wire, keys, sample):
    acme = wire.accounts.authenticate(keys["acme"])
    rid = wire.releases.create(acme, sample).id
    return rid, wire.media.upload(acme, rid, Upload(files.image("PNG"), "a.png", "A blue square"))


def _same_without_body(client, href, **kw):
    got, head = client.get(href, **kw), client.head(href, **kw)
    assert head.status_code == got.status_code and head.content == b""
    for name in SAME:
        assert head.headers.get(name) == got.headers.get(name), name
    return got.status_code


def test_head_on_the_public_file(client, wire, keys, item):
    rid, media = item
    href = wire.site.media_url(media, media.rendition("original")).removeprefix("http://testserver")
    assert _same_without_body(client, href) == 404  # a draft's file
    wire.releases.publish(wire.accounts.authenticate(keys["editor"]), rid)
    assert _same_without_body(client, href) == 200
    assert int(client.head(href).headers["content-length"]) == len(client.get(href).content) > 0
    assert _same_without_body(client, "/media/" + "0" * 32 + "/original.png") == 404


def test_head_on_the_api_preview(client, keys, item):
    rid, media = item
    href = f"/api/v1/releases/{rid}/media/{media.id}/original.png"
    assert _same_without_body(client, href, headers=auth(keys["acme"])) == 200
    assert _same_without_body(client, href, headers=auth(keys["globex"])) == 404


def test_a_failed_move_leaves_no_staging_folder(wire, keys, sample, monkeypatch):
    acme = wire.accounts.authenticate(keys["acme"])
    rid = wire.releases.create(acme, sample).id

    def refuse(self, target):
        raise OSError("disk full")

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(OSError):
        wire.media.upload(acme, rid, Upload(files.image("PNG"), "a.png", "A blue square"))
    monkeypatch.undo()
    assert staging(wire) == []


def test_a_failed_write_leaves_no_staging_folder(wire, keys, sample, monkeypatch):
    acme = wire.accounts.authenticate(keys["acme"])
    rid = wire.releases.create(acme, sample).id

    def full(self, data):
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError):
        wire.media.upload(acme, rid, Upload(files.image("PNG"), "a.png", "A blue square"))
    monkeypatch.undo()
    assert staging(wire) == []


def _litter(wire, name: str, age: dt.timedelta) -> Path:
    folder = media_dir(wire) / name
    folder.mkdir(parents=True)
    (folder / "original.png").write_bytes(b"half")
    when = (wire.clock() - age).timestamp()
    os.utime(folder, (when, when))
    return folder


def test_start_up_removes_staging_folders_over_an_hour_old(wire, item):
    _litter(wire, ".staging-old", dt.timedelta(hours=2))
    _litter(wire, ".staging-young", dt.timedelta(minutes=5))  # perhaps an upload under way elsewhere
    kept = sorted(p.name for p in media_dir(wire).iterdir() if not p.name.startswith("."))
    with TestClient(create_app(wire)):
        pass
    assert staging(wire) == [".staging-young"]
    assert sorted(p.name for p in media_dir(wire).iterdir() if not p.name.startswith(".")) == kept


def test_media_clean_command(wire, settings):
    _litter(wire, ".staging-old", dt.timedelta(hours=3))
    res = CliRunner().invoke(cli_app, ["media", "clean", "--data-dir", str(settings.data_dir),
                                       "--database-url", settings.database_url])
    assert res.exit_code == 0 and res.output.split() == [".staging-old"], res.output
    assert staging(wire) == []
    assert wire.media.clean_staging() == []  # nothing left; and an absent store is no error
