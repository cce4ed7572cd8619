"""Every write to events and RSVPs.

Each rule runs in one transaction that locks the event row (``select_for_update``) and recounts
the seats inside the lock, so concurrent RSVPs can never overbook. Every decision about a place
is written to ``RsvpLog``. Emails go to Celery after commit, with ids.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.text import slugify

from events.models import MAX_GUESTS_LIMIT, Event, Rsvp, RsvpLog
from groups.models import Membership
from groups.services import group_touch
from socialbysocial.markdown import render_markdown
from socialbysocial.queue import enqueue
from socialbysocial.text import clean_text
from subscriptions import services as subscriptions

# Test-only switches for the negative control of the concurrency test: with LOCKING off the
# event row is not locked, and ``_after_recount`` can widen the race window. Never change them
# outside tests.
LOCKING = True


def _after_recount() -> None:
    return None


class RsvpRefused(ValidationError):
    """The RSVP cannot be taken; the message says why."""


class _Refusal(Exception):
    """Raised inside the locked transaction to refuse after the refusal has been logged."""

    def __init__(self, message: str, *, log_reason: str | None = None):
        super().__init__(message)
        self.message, self.log_reason = message, log_reason


def _refusable(service):
    """Run ``service`` atomically; a ``_Refusal`` is logged in its own committed transaction
    (so "why was I refused?" has an answer) and then raised as ``RsvpRefused``."""

    def wrapper(*, event: Event, member, **kwargs):
        try:
            with transaction.atomic():
                return service(event=event, member=member, **kwargs)
        except _Refusal as refusal:
            if refusal.log_reason:
                _log(event, RsvpLog.Action.REFUSED, refusal.log_reason, member=member, actor=member)
            raise RsvpRefused(refusal.message) from None

    wrapper.__name__ = service.__name__
    wrapper.__doc__ = service.__doc__
    return wrapper


@dataclass(frozen=True)
class Seats:
    taken: int
    capacity: int | None
    waitlisted: int

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.taken)

    def fits(self, party: int) -> bool:
        return self.capacity is None or self.taken + party <= self.capacity


def seats(event: Event) -> Seats:
    """Count the seats from the RSVP rows (never from a stored counter)."""
    going = Rsvp.objects.filter(event=event, state=Rsvp.State.GOING).aggregate(
        people=Count("pk"), guests=Sum("guests")
    )
    waitlisted = Rsvp.objects.filter(event=event, state=Rsvp.State.WAITLISTED).count()
    taken = going["people"] + (going["guests"] or 0)
    return Seats(taken=taken, capacity=event.capacity, waitlisted=waitlisted)


def _lock(event: Event) -> Event:
    if not LOCKING:
        return Event.objects.get(pk=event.pk)
    return Event.objects.select_for_update().get(pk=event.pk)


def _log(event, action, reason, *, member=None, actor=None) -> None:
    RsvpLog.objects.create(event=event, action=action, reason=reason, member=member, actor=actor)


def _notify(rsvp_id: int, kind: str) -> None:
    from events.tasks import send_rsvp_email

    enqueue(send_rsvp_email, rsvp_id, kind)


def _places(n: int) -> str:
    return f"{n} place" if n == 1 else f"{n} places"


# --- RSVPs -----------------------------------------------------------------------------------


def _check_open(event: Event, now: datetime) -> None:
    if event.is_cancelled:
        raise _Refusal("This event was cancelled, so it takes no RSVPs.")
    if event.starts_at <= now:
        raise _Refusal("This event has already started, so it takes no more RSVPs.")
    if event.rsvp_opens_at and now < event.rsvp_opens_at:
        local = timezone.localtime(event.rsvp_opens_at)
        raise _Refusal(f"RSVPs open on {local:%-d %B %Y at %H:%M}.")
    if event.rsvp_closes_at and now >= event.rsvp_closes_at:
        raise _Refusal("RSVPs for this event have closed.")


@_refusable
def rsvp_create(*, event: Event, member: AbstractBaseUser, guests: int = 0, note: str = "") -> Rsvp:
    """RSVP, or change the number of guests of a live RSVP, within the event's rules.

    A party (the member and their guests) that fits gets places; otherwise it joins the back
    of the waitlist if the event has one; otherwise it is refused with the reason.
    """
    event = _lock(event)
    now = timezone.now()
    _check_open(event, now)
    if not 0 <= guests <= event.max_guests:
        allowed = "no guests" if event.max_guests == 0 else f"up to {event.max_guests} guests"
        raise _Refusal(f"You can bring {allowed} to this event.")
    note = clean_text(note)
    rsvp = Rsvp.objects.filter(event=event, member=member).first()
    count = seats(event)
    _after_recount()

    if rsvp is not None and rsvp.state == Rsvp.State.GOING:
        return _change_guests(event, rsvp, guests, note, count)
    if rsvp is not None and rsvp.state == Rsvp.State.WAITLISTED:
        rsvp.guests, rsvp.note = guests, note
        rsvp.full_clean(exclude=["event", "member"], validate_constraints=False)
        rsvp.save(update_fields=["guests", "note", "updated"])
        _log(event, RsvpLog.Action.GUESTS, f"Waiting with a party of {rsvp.party}", member=member)
        _promote(event, actor=member)
        rsvp.refresh_from_db()
        return rsvp

    party = 1 + guests
    rsvp = rsvp or Rsvp(event=event, member=member)
    rsvp.guests, rsvp.note = guests, note
    if count.fits(party):
        rsvp.state, rsvp.queue_number = Rsvp.State.GOING, None
        reason = f"Party of {party} fitted: {count.taken + party} of {count.capacity} taken"
        if count.capacity is None:
            reason = f"Party of {party}; no capacity limit"
        action, kind = RsvpLog.Action.GOING, "going"
    elif event.waitlist_enabled:
        Event.objects.filter(pk=event.pk).update(queue_counter=F("queue_counter") + 1)
        event.refresh_from_db(fields=["queue_counter"])
        rsvp.state, rsvp.queue_number = Rsvp.State.WAITLISTED, event.queue_counter
        reason = f"Party of {party} did not fit: {_places(count.free)} free"
        action, kind = RsvpLog.Action.WAITLISTED, "waitlisted"
    else:
        raise _Refusal(
            f"Sorry, this event is full: {_places(count.free)} left and no waitlist.",
            log_reason=f"Party of {party} did not fit: {_places(count.free)} free, no waitlist",
        )
    rsvp.full_clean(exclude=["event", "member"], validate_constraints=False)
    rsvp.save()
    _log(event, action, reason, member=member, actor=member)
    _notify(rsvp.pk, kind)
    return rsvp


def _change_guests(event: Event, rsvp: Rsvp, guests: int, note: str, count: Seats) -> Rsvp:
    difference = guests - rsvp.guests
    if difference > 0 and not count.fits(difference):
        raise _Refusal(
            f"Only {_places(count.free)} left, so you cannot add {difference} guest(s). "
            "Your place is kept as it was.",
            log_reason=f"Asked for {difference} more place(s); {_places(count.free)} free",
        )
    rsvp.guests, rsvp.note = guests, note
    rsvp.full_clean(exclude=["event", "member"], validate_constraints=False)
    rsvp.save(update_fields=["guests", "note", "updated"])
    if difference:
        _log(event, RsvpLog.Action.GUESTS, f"Party is now {rsvp.party}", member=rsvp.member)
    if difference < 0:
        _promote(event, actor=rsvp.member)
    return rsvp


@transaction.atomic
def rsvp_cancel(*, rsvp: Rsvp, actor: AbstractBaseUser) -> Rsvp:
    """Give up a place (or a waitlist spot); freed places go to the waitlist at once."""
    event = _lock(rsvp.event)
    rsvp = Rsvp.objects.get(pk=rsvp.pk)
    if rsvp.state == Rsvp.State.CANCELLED:
        return rsvp
    was_going = rsvp.state == Rsvp.State.GOING
    rsvp.state, rsvp.queue_number = Rsvp.State.CANCELLED, None
    rsvp.save(update_fields=["state", "queue_number", "updated"])
    freed = f"freed {_places(rsvp.party)}" if was_going else "left the waitlist"
    _log(event, RsvpLog.Action.CANCELLED, f"Cancelled: {freed}", member=rsvp.member, actor=actor)
    if was_going and not event.is_cancelled:
        _promote(event, actor=actor)
    return rsvp


def _promote(event: Event, *, actor=None) -> list[Rsvp]:
    """Promote waitlisted parties in queue order while they fit (call with the event locked).

    A party that does not fit does not block smaller parties behind it; each skip is logged
    with the reason.
    """
    if event.is_cancelled or event.starts_at <= timezone.now():
        return []
    count = seats(event)
    taken = count.taken
    promoted = []
    for rsvp in Rsvp.objects.filter(event=event, state=Rsvp.State.WAITLISTED).order_by(
        "queue_number"
    ):
        free = None if event.capacity is None else event.capacity - taken
        if free is not None and free <= 0:
            break
        if free is None or rsvp.party <= free:
            rsvp.state, rsvp.queue_number = Rsvp.State.GOING, None
            rsvp.save(update_fields=["state", "queue_number", "updated"])
            taken += rsvp.party
            reason = f"A place opened: party of {rsvp.party} fitted ({_places(free)} free)"
            if free is None:
                reason = "Capacity is now unlimited"
            _log(event, RsvpLog.Action.PROMOTED, reason, member=rsvp.member, actor=actor)
            _notify(rsvp.pk, "promoted")
            promoted.append(rsvp)
        else:
            _log(
                event,
                RsvpLog.Action.SKIPPED,
                f"Party of {rsvp.party} needs {_places(rsvp.party)}; only {free} free",
                member=rsvp.member,
                actor=actor,
            )
    return promoted


@transaction.atomic
def event_promote(*, event: Event, actor: AbstractBaseUser | None = None) -> list[Rsvp]:
    """Run promotion now (e.g. from the admin); normally it runs whenever places free up."""
    return _promote(_lock(event), actor=actor)


# --- Events ----------------------------------------------------------------------------------


def _slug(title: str) -> str:
    return slugify(title)[:200].strip("-") or "event"


EVENT_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "online_url",
    "max_guests",
    "rsvp_opens_at",
    "rsvp_closes_at",
    "waitlist_enabled",
)
# A change to any of these is news for people coming: bump SEQUENCE and tell them.
NOTIFY_FIELDS = ("title", "starts_at", "ends_at", "venue_name", "venue_address", "online_url")


def _clean_event(event: Event) -> None:
    errors = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = "The event must end after it starts."
    if event.rsvp_opens_at and event.rsvp_closes_at and event.rsvp_closes_at <= event.rsvp_opens_at:
        errors["rsvp_closes_at"] = "RSVPs must close after they open."
    if not event.venue_name and not event.venue_address and not event.online_url:
        errors["venue_name"] = "Give a venue, an address or an online link."
    if event.max_guests > MAX_GUESTS_LIMIT:
        errors["max_guests"] = f"Members can bring at most {MAX_GUESTS_LIMIT} guests."
    if errors:
        raise ValidationError(errors)
    event.full_clean(validate_constraints=False)


@transaction.atomic
def event_create(
    *,
    created_by: AbstractBaseUser,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int | None = None,
    organisers=(),
    group=None,
    **details,
) -> Event:
    """Publish an event; in a group, only the group's organisers may (and staff)."""
    if group is not None and not created_by.is_staff:
        if not Membership.objects.filter(
            group=group,
            member=created_by,
            state=Membership.State.ACTIVE,
            role=Membership.Role.ORGANISER,
        ).exists():
            raise PermissionDenied("Only the group's organisers can add events to it.")
    event = Event(
        created_by=created_by,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        group=group,
    )
    for field, value in details.items():
        if field not in EVENT_FIELDS:
            raise TypeError(f"event_create() got an unexpected field {field!r}")
        setattr(event, field, value.strip() if isinstance(value, str) else value)
    event.capacity = capacity
    event.slug = _slug(event.title)
    event.description_html = render_markdown(event.description)
    _clean_event(event)
    event.save()
    event.organisers.set([created_by, *organisers])
    if group is not None:
        group_touch(group_id=group.pk)
    subscriptions.event_published(event=event)
    return event


@transaction.atomic
def event_update(*, event: Event, actor: AbstractBaseUser, **changes) -> Event:
    """Change an event's details. Capacity has its own rule: ``event_set_capacity``."""
    event = _lock(event)
    notify = False
    for field, value in changes.items():
        if field not in EVENT_FIELDS:
            raise TypeError(f"event_update() got an unexpected field {field!r}")
        value = value.strip() if isinstance(value, str) else value
        if getattr(event, field) != value:
            notify = notify or field in NOTIFY_FIELDS
            setattr(event, field, value)
    event.slug = _slug(event.title)
    event.description_html = render_markdown(event.description)
    _clean_event(event)
    if notify:
        event.sequence += 1
    event.save()
    if notify and not event.is_cancelled:
        for rsvp_id in _live_rsvp_ids(event):
            _notify(rsvp_id, "changed")
    return event


@transaction.atomic
def event_set_capacity(*, event: Event, capacity: int | None, actor: AbstractBaseUser) -> Event:
    """Change the capacity. Raising it promotes from the waitlist at once; it can be lowered
    only down to the places already taken, so confirmed places are never dropped."""
    event = _lock(event)
    if capacity is not None and capacity < 0:
        raise ValidationError({"capacity": "Capacity cannot be below zero."})
    count = seats(event)
    if capacity is not None and capacity < count.taken:
        raise ValidationError(
            {
                "capacity": f"{_places(count.taken)} are already taken, so capacity can go "
                f"down to {count.taken} but not lower. Ask people to cancel first."
            }
        )
    if capacity != event.capacity:
        old = "no limit" if event.capacity is None else event.capacity
        new = "no limit" if capacity is None else capacity
        event.capacity = capacity
        event.save(update_fields=["capacity", "updated"])
        _log(event, RsvpLog.Action.CAPACITY, f"Capacity changed from {old} to {new}", actor=actor)
        _promote(event, actor=actor)
    return event


@transaction.atomic
def event_edit(*, event: Event, actor: AbstractBaseUser, capacity: int | None, **changes) -> Event:
    """The organisers' edit form: details and capacity, all or nothing."""
    event = event_update(event=event, actor=actor, **changes)
    return event_set_capacity(event=event, capacity=capacity, actor=actor)


def _live_rsvp_ids(event: Event) -> list[int]:
    return list(
        Rsvp.objects.filter(
            event=event, state__in=[Rsvp.State.GOING, Rsvp.State.WAITLISTED]
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def event_cancel(*, event: Event, actor: AbstractBaseUser) -> Event:
    """Cancel the event and tell everyone with a live RSVP (with a cancelled calendar entry)."""
    event = _lock(event)
    if event.is_cancelled:
        return event
    event.status = Event.Status.CANCELLED
    event.sequence += 1
    event.save(update_fields=["status", "sequence", "updated"])
    live = _live_rsvp_ids(event)
    _log(
        event,
        RsvpLog.Action.EVENT_CANCELLED,
        f"Event cancelled; {len(live)} people told",
        actor=actor,
    )
    for rsvp_id in live:
        _notify(rsvp_id, "cancelled")
    return event


# --- Privacy --------------------------------------------------------------------------------


def rsvp_notes_erase_old(*, days: int = 30, now: datetime | None = None) -> int:
    """Erase organisers' private RSVP notes (access needs and the like) once an event is
    ``days`` days in the past. Returns how many notes were erased."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return Rsvp.objects.filter(event__ends_at__lt=cutoff).exclude(note="").update(note="")


# --- Reminders -------------------------------------------------------------------------------


def reminders_due(*, now: datetime | None = None, window_hours: int = 24) -> list[int]:
    """Mark and return the RSVPs whose reminder is due: going, event within the window.

    The mark (``reminder_sent_at``) is set by a conditional UPDATE, so a second run, or two
    workers at once, never remind anybody twice.
    """
    now = now or timezone.now()
    candidates = Rsvp.objects.filter(
        state=Rsvp.State.GOING,
        reminder_sent_at__isnull=True,
        event__status=Event.Status.SCHEDULED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + timedelta(hours=window_hours),
    ).values_list("pk", flat=True)
    marked = []
    for rsvp_id in candidates:
        with transaction.atomic():
            if Rsvp.objects.filter(pk=rsvp_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                marked.append(rsvp_id)
                _notify(rsvp_id, "reminder")
    return marked
