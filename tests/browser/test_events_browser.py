"""Members RSVP, wait, get promoted and organise events in a real browser; the database agrees."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from events.models import Event, Rsvp, RsvpLog
from tests.events.factories import make_event
from tests.members.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PROMOTED_SUBJECT = "A place opened: you're going to Mapping workshop"


def _url(site, event):
    return f"{site}{event.get_absolute_url()}"


def _rsvp_box(page):
    return page.get_by_role("region", name="Your place")


def _bar_text(page):
    return page.get_by_role("article").locator(".capacity-text")


def _status(page):
    return page.get_by_role("main").get_by_role("status")


def _local_input(moment):
    """A datetime as a datetime-local input wants it, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- The waitlist flow -------------------------------------------------------------------------


def test_a_freed_place_goes_to_the_first_on_the_waitlist(
    page, new_page, site, people, log_in, mailoutbox
):
    event = make_event(capacity=1, organiser=people["nadia"])
    a, b = people["owen"], people["grace"]

    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, event))
    expect(_bar_text(page)).to_have_text("0 of 1 place taken · 1 left")
    _rsvp_box(page).get_by_role("button", name="RSVP: I'm going").click()
    expect(_status(page)).to_contain_text("You're going. We've emailed you the details.")
    expect(_rsvp_box(page).locator(".status-line")).to_contain_text("You're going")
    expect(_bar_text(page)).to_have_text("1 of 1 place taken · full")
    assert Rsvp.objects.get(event=event, member=a).state == Rsvp.State.GOING

    other = new_page()
    log_in(other, "grace", PASSWORD)
    other.goto(_url(site, event))
    expect(_bar_text(other)).to_have_text("1 of 1 place taken · full")
    _rsvp_box(other).get_by_role("button", name="Join the waitlist").click()
    expect(_status(other)).to_contain_text("The event is full, so you're on the waitlist.")
    expect(_rsvp_box(other)).to_contain_text("You're number 1 on the waitlist.")
    expect(_rsvp_box(other).get_by_role("button", name="Leave the waitlist")).to_be_visible()
    waiting = Rsvp.objects.get(event=event, member=b)
    assert (waiting.state, waiting.queue_number) == (Rsvp.State.WAITLISTED, 1)

    mailoutbox.clear()
    page.reload()
    _rsvp_box(page).get_by_role("button", name="Cancel my place").click()
    expect(_status(page)).to_contain_text("Your RSVP is cancelled.")
    expect(_rsvp_box(page).locator(".status-line")).to_have_count(0)
    expect(_rsvp_box(page).get_by_role("button", name="Join the waitlist")).to_be_visible()

    other.reload()
    expect(_rsvp_box(other).locator(".status-line")).to_contain_text("You're going")
    expect(_rsvp_box(other)).not_to_contain_text("waitlist")
    expect(_bar_text(other)).to_have_text("1 of 1 place taken · full")
    expect(other.get_by_role("region", name="Who's going")).to_contain_text("Grace Okafor")
    expect(other.get_by_role("region", name="Who's going")).not_to_contain_text("Owen Price")

    assert Rsvp.objects.get(event=event, member=a).state == Rsvp.State.CANCELLED
    promoted = Rsvp.objects.get(event=event, member=b)
    assert (promoted.state, promoted.queue_number) == (Rsvp.State.GOING, None)

    assert [m.to for m in mailoutbox] == [[b.email]]
    email = mailoutbox[0]
    assert PROMOTED_SUBJECT in email.subject
    assert "A place opened" in email.body
    assert len(email.attachments) == 1
    filename, content, mimetype = email.attachments[0]
    assert filename == "event.ics"
    assert mimetype.startswith("text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in text and "Mapping workshop" in text


# --- Organisers --------------------------------------------------------------------------------


@pytest.fixture
def busy_event(people):
    """Capacity 1: Owen went then cancelled, Grace was promoted, Felix and Nadia wait."""
    event = make_event(capacity=1, organiser=people["nadia"])
    owen = services.rsvp_create(event=event, member=people["owen"], note="Vegetarian")
    services.rsvp_create(event=event, member=people["grace"], note="I need step-free access")
    services.rsvp_create(event=event, member=people["felix"], note="Bringing a laptop")
    services.rsvp_cancel(rsvp=owen, actor=people["owen"])
    services.rsvp_create(event=event, member=UserFactory(username="ruth", display_name="Ruth Ng"))
    return event


def test_organiser_sees_notes_waitlist_and_the_log(page, site, people, busy_event, log_in):
    log_in(page, "nadia", PASSWORD)
    page.goto(_url(site, busy_event))
    page.get_by_role("link", name="Attendees, notes and waitlist").click()
    page.wait_for_url(f"{site}/events/{busy_event.pk}/attendees/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendees: Mapping workshop")

    going = page.get_by_role("region", name=re.compile(r"^Going"))
    expect(going.get_by_role("heading")).to_have_text("Going (1 member)")
    rows = going.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Grace Okafor")
    expect(rows.first).to_contain_text("I need step-free access")

    waitlist = page.get_by_role("region", name=re.compile(r"^Waitlist"))
    expect(waitlist.get_by_role("heading")).to_have_text("Waitlist (2)")
    rows = waitlist.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("1")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("Felix Moreau")
    expect(rows.nth(0)).to_contain_text("Bringing a laptop")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("2")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("Ruth Ng")

    log = page.get_by_role("region", name="Decisions about places")
    promoted = log.get_by_role("row").filter(has_text="Promoted from the waitlist")
    expect(promoted).to_have_count(1)
    expect(promoted).to_contain_text("Grace Okafor")
    expect(promoted).to_contain_text("A place opened: party of 1 fitted (1 place free)")
    expect(promoted.locator("td").nth(4)).to_have_text("Owen Price")  # whose cancel did it
    cancelled = log.get_by_role("row").filter(has_text="Cancelled RSVP")
    expect(cancelled).to_contain_text("Cancelled: freed 1 place")
    expect(log.get_by_role("row").filter(has_text="Joined the waitlist")).to_have_count(3)
    assert RsvpLog.objects.filter(event=busy_event).count() == 6
    expect(log.get_by_role("row")).to_have_count(7)  # six decisions and the header


def test_members_who_do_not_organise_get_403_and_never_see_notes(
    page, site, people, busy_event, log_in
):
    log_in(page, "felix", PASSWORD)
    response = page.goto(f"{site}/events/{busy_event.pk}/attendees/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not allowed to do that")
    expect(page.get_by_role("main")).to_contain_text("Only the event's organisers can do that.")
    expect(page.get_by_role("main")).not_to_contain_text("step-free")

    page.goto(_url(site, busy_event))
    main = page.get_by_role("main")
    expect(main.get_by_role("region", name="Who's going")).to_contain_text("Grace Okafor")
    expect(main.get_by_role("link", name="Attendees, notes and waitlist")).to_have_count(0)
    expect(main.get_by_role("link", name="Edit event")).to_have_count(0)
    content = page.content()
    for note in ("I need step-free access", "Vegetarian"):
        assert note not in content
    # Felix's own note is his to see in his form; nobody else's is.
    expect(page.get_by_label("A note to the organisers (optional)")).to_have_value(
        "Bringing a laptop"
    )


# --- Creating and editing ----------------------------------------------------------------------


def test_organiser_creates_an_event_then_cannot_shrink_it_below_places_taken(
    page, site, people, log_in
):
    starts = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    starts = timezone.localtime(starts).replace(hour=10, minute=30)
    ends = starts + timedelta(hours=2)

    log_in(page, "nadia", PASSWORD)
    page.goto(f"{site}/events/")
    page.get_by_role("link", name="Add an event").click()
    page.wait_for_url(f"{site}/events/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an event")
    page.get_by_label("Title").fill("Hyperlocal news clinic")
    page.get_by_label("Description").fill("Bring your **site** and questions.")
    page.get_by_label("Starts").fill(_local_input(starts))
    page.get_by_label("Ends").fill(_local_input(ends))
    page.get_by_label("Venue").fill("Leeds Central Library")
    page.get_by_label("Capacity").fill("2")
    page.get_by_role("button", name="Publish event").click()

    event = Event.objects.get(title="Hyperlocal news clinic")
    assert (event.starts_at, event.ends_at) == (starts, ends)
    assert event.capacity == 2 and event.venue_name == "Leeds Central Library"
    assert list(event.organisers.all()) == [people["nadia"]]
    page.wait_for_url(_url(site, event))
    expect(_status(page)).to_contain_text("Your event is published.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hyperlocal news clinic")
    expect(page.locator(".prose strong")).to_have_text("site")

    page.get_by_role("link", name="Events", exact=True).click()
    page.wait_for_url(f"{site}/events/")
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name="Hyperlocal news clinic")
    )
    expect(card.locator(".capacity-text")).to_have_text("0 of 2 places taken · 2 left")
    expect(card).to_contain_text("Leeds Central Library")

    services.rsvp_create(event=event, member=people["owen"])
    services.rsvp_create(event=event, member=people["grace"])
    page.reload()
    expect(card.locator(".capacity-text")).to_have_text("2 of 2 places taken · full")

    card.get_by_role("link", name="Hyperlocal news clinic").click()
    page.get_by_role("link", name="Edit event").click()
    page.wait_for_url(f"{site}/events/{event.pk}/edit/")
    capacity = page.get_by_label("Capacity")
    expect(capacity).to_have_value("2")
    capacity.fill("1")
    page.get_by_role("button", name="Save changes").click()

    message = (
        "2 places are already taken, so capacity can go down to 2 but not lower. "
        "Ask people to cancel first."
    )
    expect(page.get_by_role("main").locator(".errorlist")).to_have_text(message)
    expect(page.get_by_label("Capacity")).to_have_value("1")
    expect(page.get_by_label("Capacity")).to_have_attribute("aria-invalid", "true")
    event.refresh_from_db()
    assert event.capacity == 2
    assert Rsvp.objects.filter(event=event, state=Rsvp.State.GOING).count() == 2


# --- Guests ------------------------------------------------------------------------------------


def test_member_brings_two_guests(page, site, people, log_in):
    event = make_event(capacity=5, max_guests=2, organiser=people["nadia"])
    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, event))
    expect(page.get_by_role("article")).to_contain_text("Each member may bring up to 2")
    guests = page.get_by_label("Guests you are bringing")
    expect(guests.locator("option")).to_have_text(["0", "1", "2"])
    guests.select_option("2")
    page.get_by_role("button", name="RSVP: I'm going").click()

    expect(_status(page)).to_contain_text("You're going.")
    expect(_rsvp_box(page).locator(".status-line")).to_contain_text("You're going with 2 guests")
    expect(_bar_text(page)).to_have_text("3 of 5 places taken · 2 left")
    expect(page.get_by_label("Guests you are bringing")).to_have_value("2")
    expect(page.get_by_role("region", name="Who's going")).to_contain_text("Owen Price +2")
    rsvp = Rsvp.objects.get(event=event, member=people["owen"])
    assert (rsvp.state, rsvp.guests, rsvp.party) == (Rsvp.State.GOING, 2, 3)


def test_status_line_has_no_space_before_its_full_stop(page, site, people, log_in):
    event = make_event(capacity=5, max_guests=2)
    services.rsvp_create(event=event, member=people["owen"], guests=2)
    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, event))
    line = _rsvp_box(page).locator(".status-line")
    expect(line).to_have_text("You're going with 2 guests.", timeout=2_000)


# --- Accessibility -----------------------------------------------------------------------------

AXE_PAGES = [
    "upcoming events",
    "past events",
    "event page, anonymous",
    "event page, going",
    "event page, waitlisted",
    "attendees page",
    "create form with errors",
    "private calendar feed page",
]


@pytest.mark.parametrize("label", AXE_PAGES)
def test_event_pages_have_no_axe_violations(
    page, site, people, busy_event, log_in, assert_accessible, label
):
    past = make_event(title="Last month's demo", capacity=10)
    Event.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
    )
    make_event(title="Open meet-up", capacity=None, online_url="https://meet.example.org/x")
    main = page.get_by_role("main")
    login = {
        "event page, anonymous": None,
        "event page, going": "grace",
        "event page, waitlisted": "felix",
        "attendees page": "nadia",
    }.get(label, "owen")
    if login:
        log_in(page, login, PASSWORD)

    if label == "upcoming events":
        page.goto(f"{site}/events/")
        expect(main.locator(".event-card")).to_have_count(2)
        expect(main).to_contain_text("1 of 1 place taken")
        expect(main).to_contain_text("0 going · no limit on places")
    elif label == "past events":
        page.goto(f"{site}/events/past/")
        expect(main.get_by_role("link", name="Last month's demo")).to_be_visible()
    elif label == "event page, anonymous":
        page.goto(_url(site, busy_event))
        expect(_rsvp_box(page).get_by_role("link", name="Log in")).to_be_visible()
        expect(main.get_by_role("button")).to_have_count(0)
    elif label == "event page, going":
        page.goto(_url(site, busy_event))
        expect(_rsvp_box(page).locator(".status-line")).to_contain_text("You're going")
    elif label == "event page, waitlisted":
        page.goto(_url(site, busy_event))
        expect(_rsvp_box(page)).to_contain_text("You're number 1 on the waitlist.")
    elif label == "attendees page":
        page.goto(f"{site}/events/{busy_event.pk}/attendees/")
        expect(main.get_by_role("table")).to_have_count(3)
    elif label == "create form with errors":
        page.goto(f"{site}/events/new/")
        starts = timezone.now() + timedelta(days=3)
        page.get_by_label("Title").fill("Broken times")
        page.get_by_label("Starts").fill(_local_input(starts))
        page.get_by_label("Ends").fill(_local_input(starts - timedelta(hours=1)))
        page.get_by_role("button", name="Publish event").click()
        expect(main).to_contain_text("The event must end after it starts.")
        expect(main).to_contain_text("Give a venue, an address or an online link.")
        expect(page.get_by_label("Ends")).to_have_attribute("aria-invalid", "true")
        assert not Event.objects.filter(title="Broken times").exists()
    elif label == "private calendar feed page":
        page.goto(f"{site}/events/calendar/")
        address = page.get_by_label("Your private address")
        expect(address).to_have_value(re.compile(rf"^{re.escape(site)}/events/my/.+\.ics$"))
    assert_accessible(page, label)


# --- Keyboard ----------------------------------------------------------------------------------


def test_keyboard_reaches_the_rsvp_button_and_enter_submits_it(page, site, people, log_in):
    event = make_event(capacity=10)
    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, event))

    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        if focused == "RSVP: I'm going":
            break
    else:
        pytest.fail("Tab never reached the RSVP button")

    page.keyboard.press("Enter")
    expect(_status(page)).to_contain_text("You're going.")
    expect(_rsvp_box(page).locator(".status-line")).to_contain_text("You're going")
    assert Rsvp.objects.get(event=event, member=people["owen"]).state == Rsvp.State.GOING


# --- Without JavaScript ------------------------------------------------------------------------


def test_rsvp_and_cancel_work_without_javascript(new_page, site, people, log_in):
    event = make_event(capacity=10)
    page = new_page(java_script_enabled=False)
    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, event))

    _rsvp_box(page).get_by_role("button", name="RSVP: I'm going").click()
    page.wait_for_url(_url(site, event))
    expect(_rsvp_box(page).locator(".status-line")).to_contain_text("You're going")
    expect(_bar_text(page)).to_have_text("1 of 10 places taken · 9 left")
    assert Rsvp.objects.get(event=event, member=people["owen"]).state == Rsvp.State.GOING

    _rsvp_box(page).get_by_role("button", name="Cancel my place").click()
    expect(_status(page)).to_contain_text("Your RSVP is cancelled.")
    expect(_rsvp_box(page).locator(".status-line")).to_have_count(0)
    expect(_bar_text(page)).to_have_text("0 of 10 places taken · 10 left")
    assert Rsvp.objects.get(event=event, member=people["owen"]).state == Rsvp.State.CANCELLED
