"""A client generated from the app's OpenAPI document by openapi-python-client (a generator nobody
here wrote) creates, publishes and reads a release on a real uvicorn server: the document is
complete enough to program against, and its models parse what the API returns."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from sse_client import running

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "newswire_api_client"


def _generate(app, tmp_path: Path):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(app.openapi()))
    out = tmp_path / "client" / PACKAGE
    done = subprocess.run([str(GENERATOR), "generate", "--path", str(spec), "--output-path", str(out),
                           "--meta", "none"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "client.py").is_file(), done.stdout
    sys.path.insert(0, str(out.parent))
    importlib.invalidate_caches()
    return out.parent


def test_a_generated_client_creates_publishes_and_reads_a_release(app, keys, sample, tmp_path):
    where = _generate(app, tmp_path)
    try:
        client_mod = importlib.import_module(f"{PACKAGE}.client")
        create = importlib.import_module(f"{PACKAGE}.api.releases.create_release")
        publish = importlib.import_module(f"{PACKAGE}.api.releases.publish")
        get_release = importlib.import_module(f"{PACKAGE}.api.releases.get_release")
        list_releases = importlib.import_module(f"{PACKAGE}.api.releases.list_releases")
        models = importlib.import_module(f"{PACKAGE}.models")
        with running(app) as url:
            editor = client_mod.AuthenticatedClient(base_url=url, token=keys["editor"])
            anonymous = client_mod.Client(base_url=url)

            refused = create.sync(client=anonymous, body=models.ReleaseCreate.from_dict(sample))
            assert isinstance(refused, models.Problem) and refused.status == 401, refused

            draft = create.sync(client=editor, body=models.ReleaseCreate.from_dict({**sample, "issuer": "acme"}))
            assert isinstance(draft, models.ReleaseSummary), draft
            assert (draft.status, draft.issuer, draft.headline) == ("draft", "acme", sample["headline"])

            hidden = get_release.sync(release_ref=str(draft.id), client=anonymous)
            assert isinstance(hidden, models.Problem) and hidden.status == 404, hidden

            done = publish.sync(release_id=draft.id, client=editor, body=models.PublishIn())
            assert isinstance(done, models.ReleaseSummary) and done.status == "published", done
            assert done.published_at is not None  # (parsed as a date-time by the client)

            read = get_release.sync(release_ref=str(draft.id), client=anonymous)
            assert isinstance(read, models.Ninjs), read
            assert read.uri and read.language == "en" and read.pubstatus == "usable"
            assert read.headlines[0].additional_properties["value"] == sample["headline"]

            listed = list_releases.sync(client=anonymous)
            assert isinstance(listed, models.ReleaseList), listed
            assert [item.uri for item in listed.items] == [read.uri]
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
