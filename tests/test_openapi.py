"""The OpenAPI document describes every answer: each response has a schema (bodies) and each route
its errors, every error is the one RFC 9457 Problem schema the API really returns, and the cases the
document used to miss (a body that is not JSON, before and after authentication; an unknown
industries parent) are answered as documented."""

from __future__ import annotations

import jsonschema
import pytest
from conftest import auth

NO_BODY = {"204", "301", "304"}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def assert_documented_problem(doc: dict, response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    schemas = _local(doc["components"]["schemas"])
    jsonschema.Draft202012Validator({**schemas["Problem"], "$defs": schemas}).validate(body)
    if field:
        assert field in [e["field"] for e in body["errors"]], body
    return body


def _local(node):
    """#/components/schemas/X → #/$defs/X, so jsonschema resolves the document's own references."""
    if isinstance(node, dict):
        return {k: (v.replace("#/components/schemas/", "#/$defs/") if k == "$ref" else _local(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_local(v) for v in node]
    return node


@pytest.fixture
def doc(client) -> dict:
    return client.get("/openapi.json").json()


def test_every_response_has_a_schema_and_every_error_is_a_problem(doc):
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert "ValidationError" not in doc["components"]["schemas"]
    count = 0
    for path, method, op in _operations(doc):
        for status, response in op["responses"].items():
            count += 1
            where = f"{method.upper()} {path} {status}"
            if status in NO_BODY:
                assert "content" not in response, where
                continue
            assert response.get("content"), where
            for media_type, body in response["content"].items():
                assert body.get("schema"), f"{where} {media_type}: no schema"
            if path.startswith("/api/") and status.startswith("4"):
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}, where
            if status == "422":
                assert response["content"]["application/problem+json"]["schema"] == PROBLEM_REF, where
    assert count > 250


def test_every_route_documents_its_errors(doc):
    for path, method, op in _operations(doc):
        where = f"{method.upper()} {path}"
        codes = set(op["responses"])
        assert any(c.startswith("4") for c in codes), where
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in codes or path == "/websub", where  # (the hub answers 400, W3C WebSub)
        if path.startswith("/api/v1/") and path not in ("/api/v1/languages", "/api/v1/industries"):
            assert "401" in codes, where  # a key that is not valid
        if path.startswith("/api/") and method in ("post", "put", "patch", "delete"):
            assert {"401", "413", "422"} <= codes, where
        success = [c for c in codes if c.startswith("2")]
        assert len(success) >= 1, where


def test_the_problem_schema_is_what_the_api_returns(client, keys, doc):
    r = client.post("/api/v1/releases", json={"headline": 7}, headers=auth(keys["acme"]))
    body = assert_documented_problem(doc, r, 422)
    assert body["errors"] and body["type"].endswith("invalid-input")
    r = client.get("/api/v1/releases/12345", headers=auth(keys["acme"]))
    assert_documented_problem(doc, r, 404)


@pytest.mark.parametrize("body", [b'{"headline": "x",', b"\xff\xfe{}", b"[" * 100_000, b"   "])
def test_a_body_that_is_not_json_is_the_documented_422_after_the_401(client, keys, doc, body):
    json_type = {"Content-Type": "application/json"}
    r = client.post("/api/v1/releases", content=body, headers=json_type)
    assert_documented_problem(doc, r, 401)
    assert r.headers["www-authenticate"] == "Bearer"
    r = client.post("/api/v1/releases", content=body, headers={**json_type, **auth("nw_wrong_key")})
    assert_documented_problem(doc, r, 401)
    r = client.post("/api/v1/releases", content=body, headers={**json_type, **auth(keys["acme"])})
    assert_documented_problem(doc, r, 422, "body")


def test_a_form_that_cannot_be_read_is_the_documented_422(client, keys, doc):
    broken = {"Content-Type": "multipart/form-data; boundary=b"}
    r = client.put("/api/v1/issuers/acme/logo", content=b"--b\r\n[]--b--\r\n", headers=broken)
    assert_documented_problem(doc, r, 401)
    r = client.put("/api/v1/issuers/acme/logo", content=b"--b\r\n[]--b--\r\n", headers={**broken, **auth(keys["acme"])})
    assert_documented_problem(doc, r, 422, "body")


def test_an_unknown_industries_parent_is_a_documented_422(client, doc):
    r = client.get("/api/v1/industries", params={"parent": "null"})
    body = assert_documented_problem(doc, r, 422, "parent")
    assert "null" in body["detail"]
    assert "422" in doc["paths"]["/api/v1/industries"]["get"]["responses"]
    r = client.get("/api/v1/industries", params={"parent": "medtop:04000000"})
    assert r.status_code == 200 and r.json()["items"]
    assert {t["parent"] for t in r.json()["items"]} == {"medtop:04000000"}
