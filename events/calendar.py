"""iCalendar files: one event, the site's upcoming events, or a member's own events."""

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import Event
from socialbysocial.links import site_url
from socialbysocial.text import one_line, printable

PRODID = "-//Social by Social//events//EN"


def _location(event: Event) -> str:
    parts = [event.venue_name, " ".join(event.venue_address.split()), event.online_url]
    return ", ".join(part for part in parts if part)


def vevent(event: Event) -> VEvent:
    entry = VEvent()
    entry.add("uid", f"{event.uid}@{settings.SITE_DOMAIN}")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", one_line(event.title))
    # Still escaped (&lt;): some calendar apps render descriptions as HTML.
    entry.add("description", printable(strip_tags(event.description_html)).strip())
    entry.add("location", one_line(_location(event)))
    entry.add("url", site_url(event.get_absolute_url()))
    entry.add("sequence", event.sequence)
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    entry.add("last-modified", event.updated)
    return entry


def calendar_bytes(events: Iterable[Event], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", one_line(name))
    for event in events:
        calendar.add_component(vevent(event))
    return calendar.to_ical()


def event_ics(event: Event) -> bytes:
    return calendar_bytes([event], name=event.title)
