"""Pre-routing (services/prerouting.py): a scheduled release's ledger rows are written when it is
scheduled, held where no claim, listing, report or count can see them, and moved into the ledger at
its second, as the recipients stand then: whatever changed before the second (an endpoint added,
disabled or removed, preferences changed, a subscriber gone, the release edited, rescheduled or
withdrawn) counts, and each recipient gets one row, once, however many clocks run."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from smtp_sink import add_journalist
from webhook_receiver import add_webhook

from newswire.distribution.schedule import next_digest
from newswire.domain.subscriptions import Preferences
from newswire.storage import deliveries as ledger
from newswire.storage import subscribers as subs
from newswire.storage.tables import deliveries, held_deliveries, prerouted

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
SECOND = T0 + dt.timedelta(hours=1)
TECH, SPORT = "medtop:13000000", "medtop:15000000"


@pytest.fixture
def editor(wire, keys, clock):
    clock.set(T0)
    return wire.accounts.authenticate(keys["editor"])


@pytest.fixture
def admin(wire, keys):
    return wire.accounts.authenticate(keys["admin"])


def schedule(wire, editor, sample, second=SECOND, **fields):
    r = wire.releases.create(editor, {**sample, "issuer": "acme", "industries": [TECH], **fields})
    r = wire.releases.publish(editor, r.id, second.isoformat())
    assert r.status.value == "scheduled"
    return r


def ledger_rows(wire, release_id) -> dict[int, tuple]:
    """endpoint id → (version, status, next_attempt_at) of the release's ledger rows."""
    with wire.engine.connect() as conn:
        rows = conn.execute(sa.select(deliveries.c.endpoint_id, deliveries.c.version, deliveries.c.status,
                                      deliveries.c.next_attempt_at).where(deliveries.c.release_id == release_id))
        return {r[0]: tuple(r[1:]) for r in rows}


def held(wire, release_id) -> set[int]:
    with wire.engine.connect() as conn:
        return set(conn.execute(sa.select(held_deliveries.c.endpoint_id)
                                .where(held_deliveries.c.release_id == release_id)).scalars())


def go_live(wire, clock, release_id, at=SECOND) -> None:
    clock.set(at)
    assert wire.releases.release_due() == [release_id]


def test_held_rows_are_invisible_and_unclaimable_until_the_second(wire, editor, admin, sample, clock):
    a, _ = add_webhook(wire, "http://127.0.0.1:9/a")
    b, _ = add_webhook(wire, "http://127.0.0.1:9/b")
    r = schedule(wire, editor, sample)
    assert held(wire, r.id) == {a, b}  # routed ahead ...
    assert ledger_rows(wire, r.id) == {}  # ... and nowhere a reader or a worker looks
    with wire.engine.begin() as conn:
        claim, params = ledger.claim_sql(wire.engine.dialect.name == "postgresql", now=SECOND + dt.timedelta(days=9),
                                         worker="w", limit=100, lease_seconds=60)
        assert conn.exec_driver_sql(claim, tuple(params)).all() == []
    assert wire.subscriptions.release_deliveries(admin, r.id).items == []
    for sid in {subs_of(wire, a), subs_of(wire, b)}:
        assert wire.subscriptions.subscriber_deliveries(admin, sid).items == []
    clock.set(SECOND - dt.timedelta(seconds=1))
    assert wire.releases.release_due() == []
    assert ledger_rows(wire, r.id) == {}
    go_live(wire, clock, r.id)
    assert ledger_rows(wire, r.id) == {a: (1, "pending", SECOND), b: (1, "pending", SECOND)}
    assert held(wire, r.id) == set()
    with wire.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(prerouted)).scalar() == 0


def subs_of(wire, endpoint_id) -> int:
    with wire.engine.connect() as conn:
        return subs.get_endpoint_row(conn, endpoint_id).subscriber_id


def test_recipients_changed_before_the_second_count_as_they_stand_at_it(wire, editor, admin, sample, clock):
    kept, _ = add_webhook(wire, "http://127.0.0.1:9/kept")
    disabled, _ = add_webhook(wire, "http://127.0.0.1:9/disabled")
    removed, _ = add_webhook(wire, "http://127.0.0.1:9/removed")
    narrowed, _ = add_webhook(wire, "http://127.0.0.1:9/narrowed")
    widened, _ = add_webhook(wire, "http://127.0.0.1:9/widened", Preferences(industries=(SPORT,)))
    gone, _ = add_webhook(wire, "http://127.0.0.1:9/gone")
    digest, _ = add_journalist(wire, "ada@paper.test", timezone="Europe/Berlin")
    r = schedule(wire, editor, sample)
    assert held(wire, r.id) == {kept, disabled, removed, narrowed, gone, digest}

    added, _ = add_webhook(wire, "http://127.0.0.1:9/added")
    with wire.db.transaction() as conn:  # straight into storage: the triggers see every writer
        ledger.disable_endpoint(conn, disabled, "410 Gone", T0)
        subs.update_subscriber(conn, subs_of(wire, narrowed), T0, preferences=Preferences(industries=(SPORT,)))
        subs.update_subscriber(conn, subs_of(wire, widened), T0, preferences=Preferences(industries=(TECH,)))
        subs.update_endpoint(conn, digest, digest_hour=8)
    wire.subscriptions.remove_endpoint(admin, subs_of(wire, removed), removed)
    wire.subscriptions.delete(admin, subs_of(wire, gone))
    go_live(wire, clock, r.id)
    rows = ledger_rows(wire, r.id)
    assert set(rows) == {kept, widened, added, digest}
    assert rows[digest][2] == next_digest(SECOND, "Europe/Berlin", 8)  # the digest's time, from the second
    assert rows[kept] == (1, "pending", SECOND)


def test_an_endpoint_disabled_after_the_last_check_is_still_left_out(wire, editor, sample, clock):
    """The move itself keeps only endpoints that can be reached, whatever the re-check saw."""
    a, _ = add_webhook(wire, "http://127.0.0.1:9/a")
    b, _ = add_webhook(wire, "http://127.0.0.1:9/b")
    r = schedule(wire, editor, sample)
    with wire.engine.begin() as conn:  # as if no trigger had noted it
        conn.execute(sa.text("UPDATE endpoints SET status = 'disabled' WHERE id = :id"), {"id": b})
        conn.execute(sa.text("UPDATE endpoints SET changed_at = 0"))
    go_live(wire, clock, r.id)
    assert set(ledger_rows(wire, r.id)) == {a}


def test_an_edit_before_the_second_routes_the_release_as_edited(wire, editor, sample, clock):
    tech, _ = add_webhook(wire, "http://127.0.0.1:9/tech", Preferences(industries=(TECH,)))
    sport, _ = add_webhook(wire, "http://127.0.0.1:9/sport", Preferences(industries=(SPORT,)))
    r = schedule(wire, editor, sample)
    assert held(wire, r.id) == {tech}
    wire.releases.edit(editor, r.id, {"industries": [SPORT], "headline": "Acme turns to sport"})
    assert held(wire, r.id) == {sport}
    go_live(wire, clock, r.id)
    assert ledger_rows(wire, r.id) == {sport: (2, "pending", SECOND)}


def test_a_rescheduled_release_goes_out_at_its_new_second_only(wire, editor, sample, clock):
    a, _ = add_webhook(wire, "http://127.0.0.1:9/a")
    r = schedule(wire, editor, sample)
    later = SECOND + dt.timedelta(hours=2)
    wire.releases.edit(editor, r.id, {"embargo_until": later.isoformat()})
    clock.set(SECOND + dt.timedelta(minutes=5))
    assert wire.releases.release_due() == []
    assert ledger_rows(wire, r.id) == {}
    go_live(wire, clock, r.id, later)
    assert ledger_rows(wire, r.id) == {a: (1, "pending", later)}


def test_a_release_withdrawn_before_its_second_leaves_nothing_to_send(wire, editor, sample, clock):
    add_webhook(wire, "http://127.0.0.1:9/a")
    r = schedule(wire, editor, sample)
    wire.releases.withdraw(editor, r.id, "The deal fell through")
    assert held(wire, r.id) == set()
    clock.set(SECOND + dt.timedelta(minutes=1))
    assert wire.releases.release_due() == []
    assert ledger_rows(wire, r.id) == {}


def test_a_release_going_live_long_after_its_second_is_routed_afresh(wire, editor, sample, clock):
    a, _ = add_webhook(wire, "http://127.0.0.1:9/a")
    r = schedule(wire, editor, sample)
    late = SECOND + dt.timedelta(hours=3)  # the clock was down
    with wire.engine.begin() as conn:
        conn.execute(sa.text("UPDATE endpoints SET changed_at = 0"))  # (the fresh routing needs no re-check)
    go_live(wire, clock, r.id, late)
    assert ledger_rows(wire, r.id) == {a: (1, "pending", late)}
    assert held(wire, r.id) == set()


def test_racing_clocks_queue_each_recipient_once(wire, editor, sample, clock):
    ids = {add_webhook(wire, f"http://127.0.0.1:9/{i}")[0] for i in range(20)}
    releases = [schedule(wire, editor, sample, headline=f"Release {i}").id for i in range(4)]
    add_webhook(wire, "http://127.0.0.1:9/late")  # changed since: every clock re-checks it
    clock.set(SECOND)
    barrier = threading.Barrier(3)

    def run():
        barrier.wait()
        wire.releases.release_due()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with wire.engine.connect() as conn:
        for rid in releases:
            n = conn.execute(sa.select(sa.func.count()).select_from(deliveries)
                             .where(deliveries.c.release_id == rid)).scalar()
            assert n == len(ids) + 1
            assert held(wire, rid) == set()


def test_a_large_fan_out_goes_live_in_chunks_and_a_crash_between_loses_nothing(wire, editor, sample, clock):
    from newswire.services.prerouting import FIRST
    from webhook_receiver import add_webhooks

    add_webhooks(wire, [f"http://127.0.0.1:9/{i}" for i in range(FIRST + 50)])
    r = schedule(wire, editor, sample)
    clock.set(SECOND)
    assert wire.releases.release_due(drain=False) == [r.id]  # the go-live transaction: the first rows ...
    assert len(ledger_rows(wire, r.id)) == FIRST
    assert len(held(wire, r.id)) == 50  # ... the rest held, live: a "crash" here ...
    assert wire.releases.release_due() == []  # ... and the next look of any clock moves them in
    rows = ledger_rows(wire, r.id)
    assert len(rows) == FIRST + 50 and {v[2] for v in rows.values()} == {SECOND}
    assert held(wire, r.id) == set()


def test_a_release_withdrawn_before_its_held_rows_are_moved_sends_no_more(wire, editor, sample, clock):
    from newswire.services.prerouting import FIRST
    from webhook_receiver import add_webhooks

    add_webhooks(wire, [f"http://127.0.0.1:9/{i}" for i in range(FIRST + 10)])
    r = schedule(wire, editor, sample)
    clock.set(SECOND)
    assert wire.releases.release_due(drain=False) == [r.id]
    wire.releases.withdraw(editor, r.id, "Sent in error")
    assert wire.releases.drain_held() == 0
    assert held(wire, r.id) == set()
    with wire.engine.connect() as conn:
        events = conn.execute(sa.select(deliveries.c.event, sa.func.count()).where(deliveries.c.release_id == r.id)
                              .group_by(deliveries.c.event)).all()
    assert dict(events) == {"release.published": FIRST, "release.withdrawn": FIRST}  # the kill to those it reached
