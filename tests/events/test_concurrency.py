"""PostgreSQL only: an RSVP storm never overbooks. The negative control proves it could."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from events import services
from events.models import Rsvp
from tests.events.factories import make_event
from tests.members.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STORM = 200
WORKERS = 40  # PostgreSQL allows 100 connections; each worker thread holds one
CAPACITY = 30


def _storm(event, members):
    """Fire one RSVP per member from WORKERS threads at once; return the errors."""
    start = threading.Barrier(WORKERS)
    errors = []

    def rsvp(member):
        try:
            services.rsvp_create(event=event, member=member)
        except Exception as exc:  # noqa: BLE001 -- every error is reported below
            errors.append(repr(exc))

    def worker(batch):
        start.wait()
        try:
            for member in batch:
                rsvp(member)
        finally:
            connections.close_all()

    batches = [members[i::WORKERS] for i in range(WORKERS)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(worker, batches))
    return errors


def test_200_concurrent_rsvps_fill_exactly_30_places_and_queue_the_rest_in_order():
    event = make_event(capacity=CAPACITY)
    members = UserFactory.create_batch(STORM)
    errors = _storm(event, members)
    assert errors == []
    assert services.seats(event).taken == CAPACITY
    rsvps = list(Rsvp.objects.filter(event=event).order_by("pk"))
    assert len(rsvps) == STORM
    # Arrival order is the order the lock was granted, which is the order rows were inserted.
    assert [r.state for r in rsvps] == ["going"] * CAPACITY + ["waitlisted"] * (STORM - CAPACITY)
    queue = [r.queue_number for r in rsvps[CAPACITY:]]
    assert queue == list(range(1, STORM - CAPACITY + 1))


def test_negative_control_without_the_lock_the_same_storm_overbooks(monkeypatch):
    """With the row lock switched off (a test-only switch) the recount races and the event
    overbooks: so the test above can fail, and the lock is what makes it pass."""
    import time

    monkeypatch.setattr(services, "LOCKING", False)
    monkeypatch.setattr(services, "_after_recount", lambda: time.sleep(0.005))
    event = make_event(capacity=CAPACITY)
    _storm(event, UserFactory.create_batch(STORM))
    assert services.seats(event).taken > CAPACITY


def test_concurrent_cancels_and_rsvps_keep_the_waitlist_fair():
    event = make_event(capacity=10)
    members = UserFactory.create_batch(40)
    for member in members[:25]:
        services.rsvp_create(event=event, member=member)
    going = list(Rsvp.objects.filter(event=event, state="going"))
    barrier = threading.Barrier(20)

    def cancel(rsvp):
        barrier.wait()
        try:
            services.rsvp_cancel(rsvp=rsvp, actor=rsvp.member)
        finally:
            connections.close_all()

    def join(member):
        barrier.wait()
        try:
            services.rsvp_create(event=event, member=member)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(cancel, r) for r in going[:5]]
        futures += [pool.submit(join, m) for m in members[25:40]]
        for future in futures:
            future.result()
    count = services.seats(event)
    assert count.taken == 10
    waiting = Rsvp.objects.filter(event=event, state="waitlisted").order_by("queue_number")
    # Those promoted were the earliest in the queue: everyone still waiting came later.
    promoted = Rsvp.objects.filter(event=event, state="going").exclude(pk__in=[r.pk for r in going])
    assert max(p.pk for p in promoted) < min(w.pk for w in waiting) or not waiting
