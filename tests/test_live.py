"""The live stream (GET /live): Server-Sent Events read from a real uvicorn server, filters,
Last-Event-ID resume, withdrawals and embargoes. Two processes: test_live_processes.py."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from helpers import assert_problem, written_in
from sse_client import TIMEOUT, Stream, running
from newswire.workers import live_events
from newswire.workers.live import Filter
from newswire.storage import stream


@pytest.fixture
def live(app):
    """The server's base URL and a factory for streams, all closed before the server stops."""
    streams: list[Stream] = []
    with running(app) as base:
        def open_stream(query: str = "", headers: dict | None = None) -> Stream:
            streams.append(Stream(f"{base}/live{query}", headers))
            return streams[-1]
        try:
            yield base, open_stream
        finally:
            for s in streams:
                s.close()


def publish(wire, keys, sample, **fields):
    editor = wire.accounts.authenticate(keys["editor"])
    r = wire.releases.create(editor, {**sample, "issuer": "acme", **fields})
    return wire.releases.publish(editor, r.id)


def stream_ids(wire) -> list[int]:
    with wire.engine.connect() as conn:
        return [row.id for row in stream.since(conn, 0)]


def test_a_connected_client_receives_published_and_corrected_releases(live, wire, keys, sample):
    base, open_stream = live
    s = open_stream()
    assert s.response.headers["content-type"].startswith("text/event-stream")
    assert s.response.headers["cache-control"] == "no-cache"
    assert s.response.headers["x-accel-buffering"] == "no"
    r = publish(wire, keys, sample)
    ev = s.event()
    assert ev["event"] == "release.published" and ev["id"] == stream_ids(wire)[-1]
    assert ev["data"] == {
        "id": r.public_id, "url": f"http://testserver/en/releases/{r.public_id}/{r.slug}", "headline": sample["headline"],
        "language": "en", "issuer": {"slug": "acme", "name": "Acme Corporation"},
        "industries": ["medtop:04000000"], "regions": ["DE", "US"], "version": 1,
        "published_at": r.published_at.isoformat()}
    wire.releases.correct(wire.accounts.authenticate(keys["editor"]), r.id,
                 {"headline": "Acme unveils the Rocket Skate 3001", "correction_note": "Model number"})
    ev = s.event()
    assert ev["event"] == "release.corrected"
    assert ev["data"]["headline"] == "Acme unveils the Rocket Skate 3001" and ev["data"]["version"] == 2


def test_filters_exclude_what_does_not_match(live, wire, keys, sample):
    base, open_stream = live
    publish(wire, keys, sample)  # acme is public from its first release on: until then it is no issuer to anyone
    queries = {"lang": "?lang=en", "industry": "?industry=medtop:04000000", "region": "?region=us",
               "issuer": "?issuer=acme", "all": "?lang=en&industry=medtop:04000000&region=US&issuer=acme"}
    streams = {name: open_stream(q) for name, q in queries.items()}
    every = open_stream()
    editor = wire.accounts.authenticate(keys["editor"])
    misses = {  # each release fails exactly one filter
        "lang": written_in("de"),
        "industry": {"industries": ["medtop:01000000"]},
        "region": {"regions": ["FR"]},
        "issuer": {"issuer": "globex"},
    }
    ids = {}
    for name, fields in misses.items():
        ids[name] = wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme", **fields}).id).public_id
    # Matches every filter; its topic (agriculture) is two levels below the filter's (economy).
    ids["match"] = publish(wire, keys, sample, industries=["medtop:20000210"], regions=["US"]).public_id
    assert [e["data"]["id"] for e in every.events(5)] == list(ids.values())
    for name, s in streams.items():
        expected = [rid for miss, rid in ids.items() if miss != name] if name != "all" else [ids["match"]]
        assert [e["data"]["id"] for e in s.events(len(expected))] == expected, name


def test_bad_filters_are_refused(live):
    base, _ = live
    assert_problem(httpx.get(f"{base}/live?industry=medtop:99999999", timeout=TIMEOUT), 422, "industry")
    assert_problem(httpx.get(f"{base}/live?lang=xx&region=XX", timeout=TIMEOUT), 422, "region")
    assert_problem(httpx.get(f"{base}/live", headers={"Last-Event-ID": "abc"}, timeout=TIMEOUT), 422,
                   "last_event_id")


@pytest.mark.parametrize("how", ["header", "query"])
def test_last_event_id_replays_exactly_what_was_missed(live, wire, keys, sample, how):
    base, open_stream = live
    first = open_stream("?lang=en")
    publish(wire, keys, sample)
    seen = first.event()
    first.close()  # the reader goes offline …
    missed = [publish(wire, keys, sample).public_id,
              publish(wire, keys, sample, **written_in("de", "Nur für deutsche Leser")).public_id,
              publish(wire, keys, sample).public_id]
    if how == "header":
        again = open_stream("?lang=en", headers={"Last-Event-ID": str(seen["id"])})
    else:
        again = open_stream(f"?lang=en&last_event_id={seen['id']}")
    later = publish(wire, keys, sample).public_id
    got = again.events(3)
    assert [e["data"]["id"] for e in got] == [missed[0], missed[2], later]  # no gap, no duplicate, no German
    assert [e["id"] for e in got] == sorted(e["id"] for e in got)


def test_withdrawal_emits_release_withdrawn_and_replays_drop_its_text(live, wire, keys, sample):
    base, open_stream = live
    s = open_stream()
    r = publish(wire, keys, sample)
    assert s.event()["event"] == "release.published"
    wire.releases.withdraw(wire.accounts.authenticate(keys["editor"]), r.id, "Issued in error")
    ev = s.event()
    url = f"http://testserver/en/releases/{r.public_id}/{r.slug}"
    assert ev["event"] == "release.withdrawn" and ev["data"] == {"id": r.public_id, "url": url}
    replay = open_stream(headers={"Last-Event-ID": "0"}).events(2)
    assert [e["event"] for e in replay] == ["release.published", "release.withdrawn"]
    assert replay[0]["data"] == {"id": r.public_id, "url": url}  # a withdrawn release's words are not resent


def test_a_scheduled_release_emits_nothing_until_its_time(live, wire, keys, sample, clock):
    base, open_stream = live
    clock.set(dt.datetime.now(dt.timezone.utc))
    s = open_stream()
    when = clock() + dt.timedelta(hours=1)
    embargoed = publish(wire, keys, sample, embargo_until=when.isoformat(), headline="Embargoed news")
    assert embargoed.status.value == "scheduled" and stream_ids(wire) == []
    marker = publish(wire, keys, sample, headline="Out now")
    assert s.event()["data"]["id"] == marker.public_id  # the embargoed one did not come first
    clock.advance(minutes=59)
    assert wire.releases.release_due() == []
    clock.advance(minutes=1, seconds=1)
    assert wire.releases.release_due() == [embargoed.id]
    ev = s.event()
    assert ev["data"]["id"] == embargoed.public_id and ev["data"]["headline"] == "Embargoed news"


@pytest.fixture
def fast_heartbeat(monkeypatch):
    monkeypatch.setattr("newswire.workers.live.HEARTBEAT", 0.1)  # before the server's hub starts


def test_idle_streams_get_keepalive_comments(fast_heartbeat, live):
    base, open_stream = live
    assert open_stream().block()["comments"] == ["keepalive"]


def test_each_event_is_rendered_once_however_many_clients(live, wire, keys, sample, monkeypatch):
    base, open_stream = live
    renders = []
    real = live_events.Events._render
    monkeypatch.setattr(live_events.Events, "_render", lambda self, row, release: renders.append(row.id) or real(
        self, row, release))
    streams = [open_stream() for _ in range(4)]
    r = publish(wire, keys, sample)
    frames = [s.event() for s in streams]
    assert all(f == frames[0] for f in frames) and frames[0]["data"]["id"] == r.public_id
    assert renders == stream_ids(wire)  # one event, one rendering


def test_a_slow_client_is_dropped_without_holding_back_the_others(wire, keys, sample, monkeypatch):
    monkeypatch.setattr("newswire.workers.live.QUEUE", 2)
    ids = [publish(wire, keys, sample).id for _ in range(3)]
    event_ids = stream_ids(wire)

    async def run():
        hub = wire.live_hub()
        await hub.start()
        try:
            slow, fast = hub.subscribe(Filter()), hub.subscribe(Filter())
            got = []
            for event_id in event_ids:
                hub.publish(event_id)
                got.append(await asyncio.wait_for(fast.get(), TIMEOUT))
            return got, slow.closed, slow in hub._subs, fast.closed
        finally:
            await hub.stop()

    got, slow_closed, slow_subscribed, fast_closed = asyncio.run(run())
    assert [e.release_id for e in got] == ids and not fast_closed
    assert slow_closed and not slow_subscribed
