import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Event, Rsvp
from tests.events.factories import make_event
from tests.members.factories import UserFactory
from tests.query_guard import assert_same_queries, queries_for

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_list_shows_upcoming_events_with_a_capacity_bar(client):
    event = make_event(title="Mapping workshop", capacity=30)
    for _ in range(3):
        services.rsvp_create(event=event, member=UserFactory())
    make_event(title="Unconference", capacity=None)
    html = _text(client.get("/events/"))
    assert "Mapping workshop" in html and "Unconference" in html
    assert "3 of 30 places taken" in html and "27 left" in html
    assert '<rect class="capacity-used" x="0" y="0" width="10"' in html
    assert "no limit on places" in html


def test_past_events_have_their_own_page(client):
    event = make_event(title="Last month's demo")
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=30), ends_at=timezone.now() - timedelta(days=29)
    )
    assert "Last month&#x27;s demo" not in _text(client.get("/events/"))
    assert "Last month&#x27;s demo" in _text(client.get("/events/past/"))


def test_rsvp_then_cancel_then_the_waitlisted_member_is_promoted(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(capacity=1)
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.pk}/rsvp/", {"guests": "0", "note": "Step-free"})
    assert response.status_code == 302
    page = _text(client.get(event.get_absolute_url()))
    assert "You're going" in page and "1 of 1 place taken" in page

    client.force_login(second)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/{event.pk}/rsvp/", {"guests": "0"})
    assert "You're number 1 on the waitlist." in _text(client.get(event.get_absolute_url()))

    client.force_login(first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/{event.pk}/rsvp/cancel/")
    assert Rsvp.objects.get(member=second).state == "going"
    subjects = [(m.to[0], m.subject.removeprefix("[Social by Social] ")) for m in mailoutbox]
    assert (first.email, "You're going: Mapping workshop") in subjects
    assert (second.email, "You're on the waitlist: Mapping workshop") in subjects
    assert (second.email, "A place opened: you're going to Mapping workshop") in subjects
    promoted = next(m for m in mailoutbox if m.subject.endswith("you're going to Mapping workshop"))
    ics = Calendar.from_ical(promoted.attachments[0][1])
    vevent = ics.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Mapping workshop"
    assert str(vevent["UID"]).startswith(str(event.uid))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"guests": "-1"}, "Choose between 0 and 1 guests."),
        ({"guests": "5"}, "Choose between 0 and 1 guests."),
        ({"guests": "abc"}, "Choose between 0 and 1 guests."),
        ({"guests": "0", "note": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_rsvps_get_a_clear_message_and_no_seat(client, data, message):
    event = make_event(max_guests=1)
    client.force_login(UserFactory())
    response = client.post(f"/events/{event.pk}/rsvp/", data, follow=True)
    assert message in _text(response)
    assert Rsvp.objects.count() == 0


def test_rsvp_to_a_cancelled_or_past_event_is_refused_with_a_message(client):
    event = make_event()
    services.event_cancel(event=event, actor=event.created_by)
    client.force_login(UserFactory())
    response = client.post(f"/events/{event.pk}/rsvp/", {"guests": "0"}, follow=True)
    assert "This event was cancelled, so it takes no RSVPs." in _text(response)
    assert Rsvp.objects.count() == 0


def test_anonymous_visitors_are_asked_to_log_in(client):
    event = make_event()
    html = _text(client.get(event.get_absolute_url()))
    assert "to RSVP" in html and "Who's going" not in html
    response = client.post(f"/events/{event.pk}/rsvp/", {"guests": "0"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_json_ld_describes_the_event_and_its_places(client):
    event = make_event(capacity=30, online_url="https://meet.example.org/x")
    services.rsvp_create(event=event, member=UserFactory())
    html = _text(client.get(event.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(
        1
    )
    data = json.loads(block)
    assert data["@type"] == "Event"
    assert data["startDate"] == event.starts_at.isoformat()
    assert data["endDate"] == event.ends_at.isoformat()
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["maximumAttendeeCapacity"] == 30
    assert data["remainingAttendeeCapacity"] == 29
    assert {loc["@type"] for loc in data["location"]} == {"Place", "VirtualLocation"}


def test_json_ld_cannot_be_broken_out_of(client):
    event = make_event(title="</script><script>alert(1)</script>")
    html = _text(client.get(event.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(
        1
    )
    assert json.loads(block)["name"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_event_ics_has_a_stable_uid_and_sequence_and_marks_cancellation(client):
    event = make_event()
    first = Calendar.from_ical(client.get(f"/events/{event.pk}/event.ics").content)
    services.event_update(event=event, actor=event.created_by, venue_name="Another room")
    services.event_cancel(event=event, actor=event.created_by)
    response = client.get(f"/events/{event.pk}/event.ics")
    assert response["Content-Type"].startswith("text/calendar")
    later = Calendar.from_ical(response.content)
    a, b = first.walk("VEVENT")[0], later.walk("VEVENT")[0]
    assert str(a["UID"]) == str(b["UID"])
    assert (int(a["SEQUENCE"]), int(b["SEQUENCE"])) == (0, 2)
    assert str(b["STATUS"]) == "CANCELLED"
    assert "Another room" in str(b["LOCATION"])


def test_site_calendar_lists_upcoming_events(client):
    make_event(title="One")
    make_event(title="Two")
    calendar = Calendar.from_ical(client.get("/events/calendar.ics").content)
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == ["One", "Two"]


def test_private_calendar_works_without_a_session_and_stops_after_reset(client):
    member = UserFactory()
    going = make_event(title="Going")
    make_event(title="Not going")
    services.rsvp_create(event=going, member=member)
    client.force_login(member)
    page = _text(client.get("/events/calendar/"))
    url = re.search(r'value="(http://testserver/events/my/[^"]+\.ics)"', page).group(1)
    path = url.removeprefix("http://testserver")
    client.logout()
    calendar = Calendar.from_ical(client.get(path).content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Going"]

    client.force_login(member)
    client.post("/events/calendar/")
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get("/events/my/tampered-token.ics").status_code == 404


def test_attendees_page_and_csv_are_for_organisers_only(client):
    organiser = UserFactory(username="org")
    event = make_event(capacity=1, organiser=organiser)
    services.rsvp_create(
        event=event, member=UserFactory(display_name="=HYPERLINK(1)"), note="Wheelchair"
    )
    services.rsvp_create(event=event, member=UserFactory(display_name="Waiting One"))
    client.force_login(UserFactory())
    assert client.get(f"/events/{event.pk}/attendees/").status_code == 403
    assert client.get(f"/events/{event.pk}/attendees.csv").status_code == 403
    assert "Wheelchair" not in _text(client.get(event.get_absolute_url()))

    client.force_login(organiser)
    html = _text(client.get(f"/events/{event.pk}/attendees/"))
    assert "Wheelchair" in html and "Waiting One" in html
    assert "Joined the waitlist" in html and "Party of 1 did not fit: 0 places free" in html
    rows = list(csv.reader(io.StringIO(_text(client.get(f"/events/{event.pk}/attendees.csv")))))
    assert rows[0][:4] == ["name", "username", "email", "state"]
    assert rows[1][0] == "'=HYPERLINK(1)"  # no formula injection
    assert rows[1][3] == "Going" and rows[1][6] == "Wheelchair"
    assert rows[2][3] == "On the waitlist" and rows[2][5] == "1"


def test_organisers_create_edit_and_cancel(client, mailoutbox, django_capture_on_commit_callbacks):
    organiser = UserFactory()
    client.force_login(organiser)
    start = (timezone.localtime() + timedelta(days=5)).replace(second=0, microsecond=0)
    data = {
        "title": "Workshop agenda session",
        "description": "Bring **ideas**",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue_name": "Room 4",
        "capacity": "2",
        "max_guests": "0",
        "waitlist_enabled": "on",
    }
    response = client.post("/events/new/", data)
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert event.description_html == "<p>Bring <strong>ideas</strong></p>"
    assert list(event.organisers.all()) == [organiser]
    for _ in range(2):
        services.rsvp_create(event=event, member=UserFactory())
    waiting = services.rsvp_create(event=event, member=UserFactory())

    response = client.post(f"/events/{event.pk}/edit/", {**data, "capacity": "1"})
    assert "2 places are already taken, so capacity can go down to 2" in _text(response)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/{event.pk}/edit/", {**data, "capacity": "3", "venue_name": "Room 5"})
    event.refresh_from_db()
    assert (event.capacity, event.venue_name, event.sequence) == (3, "Room 5", 1)
    assert Rsvp.objects.get(pk=waiting.pk).state == "going"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/{event.pk}/cancel/")
    event.refresh_from_db()
    assert event.is_cancelled
    assert sum("Cancelled:" in m.subject for m in mailoutbox) == 3


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"ends_at": "2020-01-01T10:00"}, "The event must end after it starts."),
        ({"venue_name": ""}, "Give a venue, an address or an online link."),
        ({"capacity": "-3"}, "greater than or equal to 0"),
        ({"max_guests": "99"}, "less than or equal to 10"),
        ({"starts_at": "not a date"}, "Enter a valid date/time."),
        ({"online_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_bad_event_forms_get_field_errors(client, change, field_error):
    client.force_login(UserFactory())
    start = timezone.localtime() + timedelta(days=5)
    data = {
        "title": "T",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue_name": "Room",
        "max_guests": "0",
        **change,
    }
    response = client.post("/events/new/", data)
    assert response.status_code == 200
    assert field_error in _text(response)
    assert Event.objects.count() == 0


def test_non_organisers_cannot_edit_or_cancel(client):
    event = make_event()
    client.force_login(UserFactory())
    assert client.get(f"/events/{event.pk}/edit/").status_code == 403
    assert client.post(f"/events/{event.pk}/cancel/").status_code == 403
    event.refresh_from_db()
    assert not event.is_cancelled


def test_missing_events_are_404(client):
    for url in ("/events/999/", "/events/999/x/", "/events/999/event.ics", "/events/abc/"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("path", ["/events/", "/events/past/", "/"])
def test_event_lists_cost_the_same_for_5_and_500_events(client, path):
    organiser = UserFactory()
    client.force_login(organiser)
    now = timezone.now()
    sign = -1 if "past" in path else 1

    def bulk(n, start):
        Event.objects.bulk_create(
            Event(
                title=f"Event {i}",
                slug=f"event-{i}",
                starts_at=now + sign * timedelta(days=i + 2),
                ends_at=now + sign * timedelta(days=i + 2) + timedelta(hours=1),
                venue_name="Room",
                capacity=30,
            )
            for i in range(start, start + n)
        )

    bulk(5, 0)
    if sign > 0:
        for event in Event.objects.all()[:3]:
            services.rsvp_create(event=event, member=organiser)
    small = queries_for(client, path)
    bulk(495, 5)
    assert_same_queries(small, queries_for(client, path), path)


def test_event_page_costs_the_same_for_5_and_500_rsvps(client):
    event = make_event(capacity=None, max_guests=2)
    organiser = event.created_by
    for _ in range(5):
        services.rsvp_create(event=event, member=UserFactory(), guests=1)
    client.force_login(organiser)
    small = queries_for(client, event.get_absolute_url())
    small_attendees = queries_for(client, f"/events/{event.pk}/attendees/")
    Rsvp.objects.bulk_create(
        Rsvp(event=event, member=member, state="going", guests=1)
        for member in UserFactory.create_batch(495)
    )
    assert_same_queries(small, queries_for(client, event.get_absolute_url()), "event page")
    assert_same_queries(
        small_attendees, queries_for(client, f"/events/{event.pk}/attendees/"), "attendees"
    )
