"""Event pages. Each view: fetch with permission, one service call, response."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import selectors, services
from events.calendar import calendar_bytes, event_ics
from events.forms import EventForm, RsvpForm
from events.models import Event, Rsvp
from groups import visibility
from groups.models import Group
from members import services as member_services
from members.models import User
from socialbysocial.limits import limit
from socialbysocial.text import csv_cell

EVENTS_PER_PAGE = 20
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _event(request: HttpRequest, pk: int) -> Event:
    event = selectors.event_for_page(user=request.user, pk=pk)
    if event is None:
        raise Http404("No such event.")
    return event


def _organised(request: HttpRequest, pk: int) -> Event:
    event = _event(request, pk)
    if not selectors.is_organiser(request.user, event):
        raise PermissionDenied("Only the event's organisers can do that.")
    return event


def _listing(request: HttpRequest, events, *, past: bool) -> HttpResponse:
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.seats = selectors.capacity_summary(event)
    return render(
        request,
        "events/index.html",
        {
            "page_obj": page,
            "events": page.object_list,
            "past": past,
            "subscribe_url": reverse("subscriptions:subscribe_events"),
        },
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _listing(request, selectors.upcoming_events(user=request.user), past=False)


@require_GET
def past(request: HttpRequest) -> HttpResponse:
    return _listing(request, selectors.past_events(user=request.user), past=True)


@require_GET
def detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    event = _event(request, pk)
    if slug != event.slug:
        return redirect(event, permanent=True)
    rsvp = selectors.member_rsvp(event=event, user=request.user)
    live = rsvp is not None and rsvp.state != Rsvp.State.CANCELLED
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "seats": selectors.capacity_summary(event),
            "rsvp": rsvp if live else None,
            "waitlist_place": (
                selectors.waitlist_place(rsvp)
                if live and rsvp.state == Rsvp.State.WAITLISTED
                else None
            ),
            "form": RsvpForm(
                event=event, initial={"guests": rsvp.guests, "note": rsvp.note} if live else None
            ),
            "going": selectors.going(event) if request.user.is_authenticated else None,
            "is_organiser": selectors.is_organiser(request.user, event),
            "is_past": event.starts_at <= timezone.now(),
            "json_ld": selectors.json_ld(
                event, request.build_absolute_uri(event.get_absolute_url())
            ),
        },
    )


@login_required
@limit("rsvp")
@require_POST
def rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = RsvpForm(request.POST, event=event)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(event)
    try:
        result = services.rsvp_create(event=event, member=request.user, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(event)
    if result.state == Rsvp.State.GOING:
        messages.success(request, "You're going. We've emailed you the details.")
    else:
        messages.success(
            request,
            "The event is full, so you're on the waitlist. "
            "If a place opens you get it automatically, and we'll email you.",
        )
    return redirect(event)


@login_required
@require_POST
def rsvp_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    rsvp = selectors.member_rsvp(event=event, user=request.user)
    if rsvp is None or rsvp.state == Rsvp.State.CANCELLED:
        messages.info(request, "You had no RSVP to cancel.")
        return redirect(event)
    services.rsvp_cancel(rsvp=rsvp, actor=request.user)
    messages.success(request, "Your RSVP is cancelled. Thank you for freeing the place.")
    return redirect(event)


@login_required
@require_GET
def attendees(request: HttpRequest, pk: int) -> HttpResponse:
    event = _organised(request, pk)
    log = event.log.select_related("member", "actor")
    return render(
        request,
        "events/attendees.html",
        {
            "event": event,
            "seats": selectors.capacity_summary(event),
            "going": selectors.going(event),
            "waitlist": selectors.waitlist(event),
            "log_page": Paginator(log, 100).get_page(request.GET.get("page")),
        },
    )


@login_required
@require_GET
def attendees_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = _organised(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-{event.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["name", "username", "email", "state", "guests", "waitlist place", "note", "rsvp time"]
    )
    places = [(rsvp, "") for rsvp in selectors.going(event)]
    places += [(rsvp, n) for n, rsvp in enumerate(selectors.waitlist(event), start=1)]
    for rsvp, place in places:
        member = rsvp.member
        writer.writerow(
            [
                csv_cell(member.name),
                member.username,
                member.email,
                rsvp.get_state_display(),
                rsvp.guests,
                place,
                csv_cell(rsvp.note),
                timezone.localtime(rsvp.created).isoformat(timespec="minutes"),
            ]
        )
    return response


# --- Calendars -------------------------------------------------------------------------------


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    return _ics_response(event_ics(event), f"{event.slug}.ics")


@require_GET
def site_calendar(request: HttpRequest) -> HttpResponse:
    events = selectors.visible_events(AnonymousUser()).filter(ends_at__gte=timezone.now())[:500]
    return _ics_response(calendar_bytes(events, name="Social by Social events"), "events.ics")


@require_GET
def member_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The events a member is going to, at a secret address calendar apps can poll."""
    member = get_object_or_404(User, feed_token=token, is_active=True)
    events = (
        selectors.visible_events(member)
        .filter(rsvps__member=member, rsvps__state=Rsvp.State.GOING)
        .order_by("starts_at")
    )
    return _ics_response(calendar_bytes(events, name=f"{member.name}: my events"), "my-events.ics")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        member_services.member_reset_feed_token(user=request.user)
        messages.success(request, "You have a new private address. The old one no longer works.")
        return redirect("events:calendar_settings")
    token = member_services.member_feed_token(user=request.user)
    url = request.build_absolute_uri(f"/events/my/{token}.ics")
    return render(request, "events/calendar_settings.html", {"private_url": url})


# --- Organising ------------------------------------------------------------------------------


def _event_group(request: HttpRequest) -> Group | None:
    """The group named by ``?group=<slug>``: visible, and the person one of its organisers."""
    slug = request.GET.get("group")
    if not slug:
        return None
    group = get_object_or_404(visibility.visible_groups(request.user), slug=slug)
    if not visibility.is_organiser(request.user, group, visibility.membership(request.user, group)):
        raise PermissionDenied("Only the group's organisers can add events to it.")
    return group


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    group = _event_group(request)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(created_by=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Your event is published.")
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "event": None, "group": group})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _organised(request, pk)
    initial = {field: getattr(event, field) for field in EventForm.base_fields}
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        capacity = data.pop("capacity")
        try:
            services.event_edit(event=event, actor=request.user, capacity=capacity, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "The event is updated. People coming have been told.")
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "event": event})


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _organised(request, pk)
    services.event_cancel(event=event, actor=request.user)
    messages.success(request, "The event is cancelled and everyone who RSVPed has been told.")
    return redirect(event)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
