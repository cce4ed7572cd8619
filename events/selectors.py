"""Reads shared by event pages, calendars and emails. Every read starts from ``visible_events``."""

import json

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Event, Rsvp
from groups import visibility
from groups.visibility import readable_content

GOING = Q(rsvps__state=Rsvp.State.GOING)


def visible_events(user) -> QuerySet[Event]:
    """Events a person may see, under the groups rule."""
    return Event.objects.filter(readable_content(user))


def with_seats(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate ``taken`` (members going plus their guests) in the same query."""
    return events.annotate(
        going_people=Count("rsvps", filter=GOING),
        going_guests=Coalesce(Sum("rsvps__guests", filter=GOING), Value(0)),
    )


def upcoming_events(*, user) -> QuerySet[Event]:
    return with_seats(
        visible_events(user).filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")
    )


def past_events(*, user) -> QuerySet[Event]:
    return with_seats(
        visible_events(user).filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-pk")
    )


def event_for_page(*, user, pk: int) -> Event | None:
    return with_seats(visible_events(user).filter(pk=pk).select_related("group")).first()


def taken(event: Event) -> int:
    return event.going_people + event.going_guests


def capacity_summary(event: Event) -> dict:
    """What the capacity bar shows, from an event annotated by ``with_seats``."""
    used = taken(event)
    if event.capacity is None:
        return {"taken": used, "capacity": None, "percent": 0, "full": False, "free": None}
    capacity = event.capacity
    percent = 100 if capacity == 0 else min(100, round(100 * used / capacity))
    return {
        "taken": used,
        "capacity": capacity,
        "percent": percent,
        "full": used >= capacity,
        "free": max(0, capacity - used),
    }


def member_rsvp(*, event: Event, user) -> Rsvp | None:
    if not user.is_authenticated:
        return None
    return Rsvp.objects.filter(event=event, member=user).first()


def waitlist_place(rsvp: Rsvp) -> int:
    """1 for the first party waiting, and so on."""
    ahead = Rsvp.objects.filter(
        event_id=rsvp.event_id, state=Rsvp.State.WAITLISTED, queue_number__lt=rsvp.queue_number
    ).count()
    return ahead + 1


def going(event: Event) -> QuerySet[Rsvp]:
    return (
        Rsvp.objects.filter(event=event, state=Rsvp.State.GOING)
        .select_related("member")
        .order_by("created")
    )


def waitlist(event: Event) -> QuerySet[Rsvp]:
    return (
        Rsvp.objects.filter(event=event, state=Rsvp.State.WAITLISTED)
        .select_related("member")
        .order_by("queue_number")
    )


def is_organiser(user, event: Event) -> bool:
    """Staff, the event's organisers, and the organisers of the event's group."""
    if not user.is_authenticated:
        return False
    if user.is_staff or event.organisers.filter(pk=user.pk).exists():
        return True
    if event.group_id is None:
        return False
    member = visibility.membership(user, event.group)
    return visibility.is_organiser(user, event.group, member)


def json_ld(event: Event, url: str) -> str:
    """schema.org Event, escaped for a <script type="application/ld+json"> block."""
    summary = capacity_summary(event)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if event.is_cancelled else "EventScheduled"),
        "eventAttendanceMode": "https://schema.org/"
        + (
            "MixedEventAttendanceMode"
            if event.online_url and (event.venue_name or event.venue_address)
            else "OnlineEventAttendanceMode"
            if event.online_url
            else "OfflineEventAttendanceMode"
        ),
    }
    locations = []
    if event.venue_name or event.venue_address:
        locations.append(
            {"@type": "Place", "name": event.venue_name, "address": event.venue_address}
        )
    if event.online_url:
        locations.append({"@type": "VirtualLocation", "url": event.online_url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = summary["free"]
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
