import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import Event, Rsvp, RsvpLog
from events.services import RsvpRefused
from tests.events.factories import make_event
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def _states(event):
    return {
        r.member.username: (r.state, r.guests, r.queue_number)
        for r in Rsvp.objects.filter(event=event).select_related("member")
    }


def test_rsvps_fill_the_room_then_the_waitlist_in_order():
    event = make_event(capacity=2)
    a, b, c, d = (UserFactory(username=n) for n in "abcd")
    assert services.rsvp_create(event=event, member=a).state == Rsvp.State.GOING
    assert services.rsvp_create(event=event, member=b).state == Rsvp.State.GOING
    assert services.rsvp_create(event=event, member=c).state == Rsvp.State.WAITLISTED
    assert services.rsvp_create(event=event, member=d).state == Rsvp.State.WAITLISTED
    assert services.seats(event).taken == 2
    states = _states(event)
    assert states["c"][2] < states["d"][2]


def test_without_a_waitlist_a_full_event_refuses_with_the_reason():
    event = make_event(capacity=1, waitlist_enabled=False)
    services.rsvp_create(event=event, member=UserFactory())
    late = UserFactory()
    with pytest.raises(RsvpRefused, match="this event is full: 0 places left and no waitlist"):
        services.rsvp_create(event=event, member=late)
    assert not Rsvp.objects.filter(member=late).exists()
    assert RsvpLog.objects.filter(action="refused", member=late).exists()


def test_cancel_promotes_in_queue_order_and_a_big_party_does_not_block_a_small_one():
    event = make_event(capacity=4, max_guests=2)
    first = services.rsvp_create(event=event, member=UserFactory(username="first"), guests=2)
    services.rsvp_create(event=event, member=UserFactory(username="solo1"))
    big = services.rsvp_create(event=event, member=UserFactory(username="big"), guests=2)
    small = services.rsvp_create(event=event, member=UserFactory(username="small"))
    assert (big.state, small.state) == ("waitlisted", "waitlisted")

    services.rsvp_cancel(rsvp=Rsvp.objects.get(member__username="solo1"), actor=first.member)
    # One place free: the party of 3 cannot fit; the single behind it gets the place.
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.state == Rsvp.State.WAITLISTED
    assert small.state == Rsvp.State.GOING
    skipped = RsvpLog.objects.get(action="skipped", member=big.member)
    assert skipped.reason == "Party of 3 needs 3 places; only 1 free"
    assert RsvpLog.objects.filter(action="promoted", member=small.member).exists()

    # The first party leaves: 3 places free, and the party of 3 finally fits.
    services.rsvp_cancel(rsvp=first, actor=first.member)
    big.refresh_from_db()
    assert big.state == Rsvp.State.GOING
    assert services.seats(event).taken == 4


def test_rsvping_again_changes_guests_within_the_rules():
    event = make_event(capacity=3, max_guests=2)
    member = UserFactory()
    rsvp = services.rsvp_create(event=event, member=member)
    services.rsvp_create(event=event, member=UserFactory())
    rsvp = services.rsvp_create(event=event, member=member, guests=1)
    assert (rsvp.state, rsvp.guests) == ("going", 1)
    with pytest.raises(RsvpRefused, match="Only 0 places left"):
        services.rsvp_create(event=event, member=member, guests=2)
    rsvp.refresh_from_db()
    assert (rsvp.state, rsvp.guests) == ("going", 1)  # kept as it was
    assert Rsvp.objects.filter(event=event, member=member).count() == 1


def test_a_double_submission_never_counts_a_seat_twice():
    event = make_event(capacity=5)
    member = UserFactory()
    for _ in range(3):
        services.rsvp_create(event=event, member=member)
    assert services.seats(event).taken == 1
    assert Rsvp.objects.count() == 1


def test_fewer_guests_frees_places_for_the_waitlist():
    event = make_event(capacity=3, max_guests=2)
    host = UserFactory()
    services.rsvp_create(event=event, member=host, guests=2)
    waiting = services.rsvp_create(event=event, member=UserFactory())
    assert waiting.state == "waitlisted"
    services.rsvp_create(event=event, member=host, guests=1)
    waiting.refresh_from_db()
    assert waiting.state == "going"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Event.Status.CANCELLED}, "was cancelled"),
        ({"starts_at": -1}, "already started"),
        ({"rsvp_opens_at": +2}, "RSVPs open on"),
        ({"rsvp_closes_at": -1}, "have closed"),
    ],
)
def test_rsvps_refused_when_the_event_is_not_open(change, message):
    event = make_event()
    now = timezone.now()
    for field, value in change.items():
        if isinstance(value, int):
            value = now + timedelta(days=value)
            if field == "starts_at":
                Event.objects.filter(pk=event.pk).update(
                    starts_at=value, ends_at=now + timedelta(1)
                )
                continue
        Event.objects.filter(pk=event.pk).update(**{field: value})
    with pytest.raises(RsvpRefused, match=message):
        services.rsvp_create(event=event, member=UserFactory())
    assert Rsvp.objects.count() == 0


@pytest.mark.parametrize("guests", [-1, 3])
def test_guest_numbers_outside_the_rule_are_refused(guests):
    event = make_event(max_guests=2)
    with pytest.raises(RsvpRefused, match="up to 2 guests"):
        services.rsvp_create(event=event, member=UserFactory(), guests=guests)


def test_raising_capacity_promotes_at_once():
    event = make_event(capacity=1)
    services.rsvp_create(event=event, member=UserFactory())
    waiting = [services.rsvp_create(event=event, member=UserFactory()) for _ in range(3)]
    services.event_set_capacity(event=event, capacity=3, actor=UserFactory())
    states = [Rsvp.objects.get(pk=r.pk).state for r in waiting]
    assert states == ["going", "going", "waitlisted"]
    services.event_set_capacity(event=event, capacity=None, actor=UserFactory())
    assert Rsvp.objects.filter(state="waitlisted").count() == 0


def test_capacity_can_be_lowered_only_down_to_the_places_taken():
    event = make_event(capacity=10)
    for _ in range(4):
        services.rsvp_create(event=event, member=UserFactory())
    with pytest.raises(ValidationError, match="4 places are already taken"):
        services.event_set_capacity(event=event, capacity=3, actor=UserFactory())
    services.event_set_capacity(event=event, capacity=4, actor=UserFactory())
    event.refresh_from_db()
    assert event.capacity == 4
    assert Rsvp.objects.filter(state="going").count() == 4
    with pytest.raises(ValidationError, match="below zero"):
        services.event_set_capacity(event=event, capacity=-1, actor=UserFactory())


def test_event_rules_on_times_and_places():
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            created_by=UserFactory(),
            title="Backwards",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=1),
            venue_name="Room",
        )
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            created_by=UserFactory(),
            title="Nowhere",
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=2),
        )
    assert "venue_name" in exc.value.message_dict
    assert Event.objects.count() == 0


def test_changing_an_event_bumps_the_sequence_and_tells_people(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event()
    member = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_create(event=event, member=member)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, actor=event.created_by, venue_name="New room")
    event.refresh_from_db()
    assert event.sequence == 1
    assert [m.subject for m in mailoutbox] == ["[Social by Social] Changed: Mapping workshop"]
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, actor=event.created_by, description="Just words")
    assert event.__class__.objects.get().sequence == 1  # description is not news
    assert len(mailoutbox) == 1


def test_randomised_operations_keep_the_invariants():
    """A seeded storm of RSVPs, guest changes, cancels and capacity changes, checked after every
    step: places going never exceed capacity, and nobody waits while their party would fit."""
    rng = random.Random(20261124)
    event = make_event(capacity=6, max_guests=2)
    members = UserFactory.create_batch(12)
    actor = members[0]
    for _step in range(300):
        member = rng.choice(members)
        operation = rng.random()
        try:
            if operation < 0.55:
                services.rsvp_create(event=event, member=member, guests=rng.randint(0, 2))
            elif operation < 0.85:
                rsvp = Rsvp.objects.filter(event=event, member=member).first()
                if rsvp:
                    services.rsvp_cancel(rsvp=rsvp, actor=member)
            else:
                new = rng.randint(0, 10)
                services.event_set_capacity(event=event, capacity=new, actor=actor)
        except ValidationError:
            pass  # refused with a message: allowed
        event.refresh_from_db()
        count = services.seats(event)
        assert count.taken <= event.capacity, _step
        free = event.capacity - count.taken
        waiting = Rsvp.objects.filter(event=event, state="waitlisted")
        assert all(r.party > free for r in waiting), (_step, free, [r.party for r in waiting])
        live = Rsvp.objects.filter(event=event).exclude(state="cancelled")
        assert live.values("member").distinct().count() == live.count()


def test_event_cancel_tells_everyone_with_a_live_rsvp(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(capacity=1)
    going, waiting = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_create(event=event, member=going)
        services.rsvp_create(event=event, member=waiting)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=event.created_by)
        services.event_cancel(event=event, actor=event.created_by)  # twice: nothing more
    assert sorted(m.to[0] for m in mailoutbox) == sorted([going.email, waiting.email])
    assert all("Cancelled: Mapping workshop" in m.subject for m in mailoutbox)
    with pytest.raises(RsvpRefused, match="cancelled"):
        services.rsvp_create(event=event, member=UserFactory())


def test_reminders_go_once_to_everyone_going_the_day_before(
    mailoutbox, django_capture_on_commit_callbacks
):
    soon = make_event(days=0, capacity=1, title="Tomorrow's workshop")
    Event.objects.filter(pk=soon.pk).update(
        starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=22)
    )
    later = make_event(days=10, title="Later")
    going, waiting, other = UserFactory(), UserFactory(), UserFactory()
    services.rsvp_create(event=soon, member=going)
    services.rsvp_create(event=soon, member=waiting)
    services.rsvp_create(event=later, member=other)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_due()
        second = services.reminders_due()  # the task ran twice
    assert len(first) == 1 and second == []
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([going.email], "[Social by Social] Tomorrow: Tomorrow's workshop")
    ]
