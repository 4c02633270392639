"""Content codings (web/compression.py): zstd, Brotli and gzip negotiated from Accept-Encoding,
compressed once per cached entry, the API's larger answers too; never the live stream."""

from __future__ import annotations

import gzip

import brotli
import pytest
import zstandard

from conftest import auth
from sse_client import Stream, running
from newswire.web import compression
from newswire.web.compression import negotiate

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress,
          "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b)}


def raw(client, path: str, accept: str | None, **headers) -> tuple[dict, bytes]:
    """The response's headers and its bytes as sent (not decoded by the client)."""
    headers["Accept-Encoding"] = "identity" if accept is None else accept  # (the client's own default is all)
    with client.stream("GET", path, headers=headers) as r:
        assert r.status_code == 200, path
        return r.headers, b"".join(r.iter_raw())


@pytest.mark.parametrize(("header", "coding"), [
    (None, "identity"), ("", "identity"), ("identity", "identity"), ("gzip", "gzip"), ("x-gzip", "gzip"),
    ("br", "br"), ("zstd", "zstd"), ("gzip, deflate, br, zstd", "br"), ("gzip;q=0.5, zstd;q=0.8", "zstd"),
    ("br;q=0, gzip", "gzip"), ("BR;Q=0.2, GZIP;q=0.1", "br"), ("*", "br"), ("*;q=0.5, br;q=0", "zstd"),
    ("gzip;q=0, br;q=0, zstd;q=0", "identity"), ("identity;q=0", "identity"), ("deflate", "identity"),
    ("gzip;q=bogus, br;q=0.1", "br"), ("gzip;q=1.5", "gzip")])
def test_negotiation(header, coding):
    assert negotiate(header) == coding


def test_pages_feeds_and_sitemap_in_each_coding(client, publish):
    r = [publish(headline=f"Acme news {i}") for i in range(5)][-1]  # (a sitemap of one is below the threshold)
    for path in ("/en/", f"/en/releases/{r.public_id}/{r.slug}", "/feeds/en.rss", "/feeds/en.json", "/sitemap-news.xml"):
        plain_headers, plain = raw(client, path, None)
        assert "content-encoding" not in plain_headers and int(plain_headers["content-length"]) == len(plain)
        assert "accept-encoding" in plain_headers["vary"].lower()
        tags = {plain_headers["etag"]}
        for coding in ("br", "gzip", "zstd"):
            headers, body = raw(client, path, f"{coding}, identity;q=0.1")
            assert headers["content-encoding"] == coding and int(headers["content-length"]) == len(body)
            assert DECODE[coding](body) == plain and len(body) < len(plain), (path, coding)
            assert "accept-encoding" in headers["vary"].lower()
            tags.add(headers["etag"])
            # the client's copy in any coding is as good as current: 304
            assert client.get(path, headers={"If-None-Match": headers["etag"],
                                             "Accept-Encoding": coding}).status_code == 304
        assert len(tags) == 4, tags  # a strong ETag per representation
        refused, body = raw(client, path, "br;q=0, gzip;q=0, zstd;q=0")
        assert "content-encoding" not in refused and body == plain


def test_each_cached_entry_is_compressed_once_per_coding(client, publish, monkeypatch):
    publish()
    calls = []
    real = compression.encode
    monkeypatch.setattr(compression, "encode", lambda body, coding, **kw: calls.append(coding) or real(body, coding, **kw))
    for _ in range(5):
        for coding in ("br", "gzip", "zstd"):
            raw(client, "/feeds/en.rss", coding)
    assert sorted(calls) == ["br", "gzip", "zstd"]


def test_api_answers_above_the_threshold_are_compressed(client, keys, publish):
    for i in range(4):
        publish(headline=f"Acme news {i}")
    plain_headers, plain = raw(client, "/api/v1/releases", None)
    assert len(plain) > compression.THRESHOLD and "content-encoding" not in plain_headers
    headers, body = raw(client, "/api/v1/releases", "br")
    assert headers["content-encoding"] == "br" and brotli.decompress(body) == plain
    assert "accept-encoding" in headers["vary"].lower()
    with client.stream("GET", "/api/v1/releases/99999", headers={"Accept-Encoding": "br"}) as small:
        assert small.status_code == 404 and "content-encoding" not in small.headers  # below the threshold
    assert client.get("/api/v1/releases", headers={"Accept-Encoding": "gzip", **auth(keys["editor"])}).json()["items"]


def test_static_files_are_compressed(client):
    headers, body = raw(client, "/static/app.css", "gzip")
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body).strip()
    part = client.get("/static/app.css", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert part.status_code == 206 and "content-encoding" not in part.headers and len(part.content) == 100


def test_the_live_stream_is_never_compressed_and_streams(app, wire, publish):
    with running(app) as base:
        stream = Stream(f"{base}/live", {"Accept-Encoding": "br, gzip, zstd"})
        try:
            assert stream.response.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in stream.response.headers
            r = publish(headline="Acme on the stream")
            event = stream.event()  # each event arrives while the response is still open
            assert event["data"]["id"] == r.id or str(r.id) in str(event["data"])
        finally:
            stream.close()
