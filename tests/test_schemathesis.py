"""Schemathesis (an outside validator) against the app's own /openapi.json on a real uvicorn server:
every operation, anonymous and with an editor key, valid and invalid requests, checked for server
errors and for status codes, media types and bodies the document does not describe.

Bounded and repeatable: a few derandomized examples per operation and mode, no deadline. SQLite
only: the document and the answers are the same on both databases, and a PostgreSQL run would
double the time (each operation's cases take the same path through the services, which the
database tests cover on both). Each test has its own database (conftest), so what the editor's
cases create or change reaches no other test.

Left out: ``/live`` (a stream that never ends; tests/test_live.py) and ``/websub`` (a valid request
makes the hub verify intent at the generated callback URL; tests/test_websub.py).
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sse_client import running

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SKIPPED = {"/live", "/websub"}
EXAMPLES = 5  # per operation and generation mode


def _run(operation, mode: GenerationMode, url: str, session: requests.Session, sent: list) -> str | None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def check(case):
        sent.append(case.call_and_validate(base_url=url, session=session, checks=CHECKS).status_code)

    try:
        check()
    except Unsatisfiable:
        return None  # no invalid request to make (no parameters, or only free-text ones)
    except (AssertionError, BaseExceptionGroup, requests.RequestException) as exc:  # (its first failure, and why)
        return f"{operation.method.upper()} {operation.path} [{mode.value}]: {exc}"
    return None


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_the_api_answers_as_its_openapi_document_says(app, keys, database_url, who):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: see the module's docstring")
    schema = schemathesis.openapi.from_dict(app.openapi())
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 40
    session = requests.Session()
    if who == "editor":
        session.headers["Authorization"] = f"Bearer {keys['editor']}"
    failures, sent = [], []
    with running(app) as url:
        for operation in operations:
            if operation.path in SKIPPED:
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if (failure := _run(operation, mode, url, session, sent)) is not None:
                    failures.append(failure)
    assert not failures, "\n\n".join(failures)
    assert len(sent) > 5 * len(operations)  # (every operation but two, in both modes)
    if who == "anonymous":
        assert 401 in sent
    else:
        assert 401 not in sent and any(s < 300 for s in sent)  # the key was sent, and opened doors
