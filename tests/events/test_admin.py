"""Capacity managed in the Django admin goes through the services: the waitlist is promoted."""

import pytest

from events import services
from events.models import Event, Rsvp, RsvpLog
from tests.events.factories import make_event
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def full_event():
    event = make_event(capacity=2)
    for _ in range(2):
        services.rsvp_create(event=event, member=UserFactory())
    waiting = [services.rsvp_create(event=event, member=UserFactory()) for _ in range(2)]
    return event, waiting


def _change_form_data(client, event):
    """The admin change form's own data, as a browser would post it back."""
    response = client.get(f"/admin/events/event/{event.pk}/change/")
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif hasattr(value, "strftime"):
            data[f"{name}_0"] = value.strftime("%Y-%m-%d")
            data[f"{name}_1"] = value.strftime("%H:%M:%S")
        else:
            data[name] = str(value)
    for formset in response.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        management = formset.formset.management_form
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{key}"] = management[key].value()
        for i, inline in enumerate(formset.formset.forms):
            data[f"{prefix}-{i}-id"] = inline.instance.pk
            data[f"{prefix}-{i}-event"] = event.pk
    return data


def test_raising_capacity_in_the_change_form_promotes_the_waitlist(client, staff, full_event):
    event, waiting = full_event
    data = _change_form_data(client, event)
    data["capacity"] = "3"
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Rsvp.objects.get(pk=waiting[0].pk).state == "going"
    assert Rsvp.objects.get(pk=waiting[1].pk).state == "waitlisted"
    log = RsvpLog.objects.filter(action="promoted", actor=staff)
    assert log.count() == 1


def test_lowering_capacity_below_places_taken_is_a_form_error(client, staff, full_event):
    event, _ = full_event
    data = _change_form_data(client, event)
    data["capacity"] = "1"
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 200
    assert "2 places are already taken" in response.content.decode()
    assert Event.objects.get().capacity == 2


def test_list_editable_capacity_promotes_too(client, staff, full_event):
    event, waiting = full_event
    response = client.post(
        "/admin/events/event/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(event.pk),
            "form-0-capacity": "10",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert Event.objects.get().capacity == 10
    assert Rsvp.objects.filter(state="going").count() == 4


def test_list_editable_refuses_too_low_capacity(client, staff, full_event):
    event, _ = full_event
    response = client.post(
        "/admin/events/event/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(event.pk),
            "form-0-capacity": "0",
            "_save": "Save",
        },
    )
    assert "2 places are already taken" in response.content.decode()
    assert Event.objects.get().capacity == 2


def test_admin_actions_cancel_rsvps_and_events_through_the_services(client, staff, full_event):
    event, waiting = full_event
    going = Rsvp.objects.filter(state="going").first()
    client.post("/admin/events/rsvp/", {"action": "cancel_rsvps", "_selected_action": [going.pk]})
    assert Rsvp.objects.get(pk=waiting[0].pk).state == "going"
    client.post("/admin/events/event/", {"action": "cancel_events", "_selected_action": [event.pk]})
    assert Event.objects.get().is_cancelled


def test_changelist_shows_places_taken_and_waiting(client, staff, full_event):
    html = client.get("/admin/events/event/").content.decode()
    assert "Places taken" in html and "Waiting" in html
    assert client.get("/admin/events/rsvplog/").status_code == 200
