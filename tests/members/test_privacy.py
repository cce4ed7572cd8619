"""GDPR: a member downloads all their data, or deletes their account."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from discussions import services as discussion_services
from discussions.models import Discussion, Reply
from events import services as event_services
from events.models import Event, Rsvp
from groups.models import Membership
from members.models import User
from subscriptions.models import EmailSubscription
from tests.discussions.factories import make_discussion
from tests.events.factories import make_event
from tests.groups.factories import make_group
from tests.members.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_download_holds_everything_about_the_member(client):
    member = UserFactory(username="owen", organisation="Talk About Local")
    discussion = make_discussion(author=member, title="My thread")
    discussion_services.reply_create(discussion=discussion, author=member, body="My reply")
    event_services.rsvp_create(
        event=make_event(title="Workshop"), member=member, note="Step-free please"
    )
    make_group(kind="open", name="Reporters", members=[member])
    EmailSubscription.objects.create(email=member.email, kind="events")
    client.force_login(member)
    response = client.get("/members/me/data.json")
    assert response["Content-Disposition"] == 'attachment; filename="owen-data.json"'
    data = json.loads(response.content)
    assert data["profile"]["organisation"] == "Talk About Local"
    assert [d["title"] for d in data["discussions"]] == ["My thread"]
    assert [r["body"] for r in data["replies"]] == ["My reply"]
    assert data["rsvps"][0]["note_to_organisers"] == "Step-free please"
    assert data["group_memberships"][0]["group"] == "Reporters"
    assert data["email_subscriptions"][0]["kind"] == "events"
    assert data["notification_preferences"]["digest"] == "off"


def test_deleting_keeps_posts_as_a_former_member_and_promotes_the_waitlist(client):
    leaving = UserFactory(username="leaving")
    waiting = UserFactory()
    discussion = make_discussion(author=leaving, title="Kept thread")
    discussion_services.reply_create(discussion=discussion, author=leaving, body="Kept reply")
    event = make_event(capacity=1)
    event_services.rsvp_create(event=event, member=leaving, note="Private need")
    queued = event_services.rsvp_create(event=event, member=waiting)
    group = make_group(kind="open", members=[leaving])
    client.force_login(leaving)

    response = client.post("/members/me/delete/", {"password": "wrong"}, follow=True)
    assert "That password is not right" in response.content.decode()
    assert User.objects.filter(username="leaving").exists()

    response = client.post("/members/me/delete/", {"password": PASSWORD}, follow=True)
    assert "Your account is deleted" in response.content.decode()
    assert not User.objects.filter(username="leaving").exists()
    assert Discussion.objects.get().author is None
    assert Reply.objects.get().author is None
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert "a former member" in page and "Kept reply" in page
    assert Rsvp.objects.get(pk=queued.pk).state == "going"
    assert not Rsvp.objects.filter(note="Private need").exists()
    group.refresh_from_db()
    assert group.member_count == 1


def test_the_only_organiser_of_a_group_must_hand_over_first(client):
    organiser = UserFactory()
    make_group(kind="closed", name="Agenda group", organiser=organiser)
    client.force_login(organiser)
    response = client.post("/members/me/delete/", {"password": PASSWORD}, follow=True)
    assert "You are the only organiser of Agenda group" in response.content.decode()
    assert User.objects.filter(pk=organiser.pk).exists()
    assert Membership.objects.filter(member=organiser).exists()


def test_private_notes_are_erased_30_days_after_the_event():
    member = UserFactory()
    old, recent = make_event(title="Old"), make_event(title="Recent")
    for event in (old, recent):
        event_services.rsvp_create(event=event, member=member, note="Needs a hearing loop")
    Event.objects.filter(pk=old.pk).update(
        starts_at=timezone.now() - timedelta(days=40), ends_at=timezone.now() - timedelta(days=39)
    )
    assert event_services.rsvp_notes_erase_old(days=30) == 1
    assert Rsvp.objects.get(event=old).note == ""
    assert Rsvp.objects.get(event=recent).note == "Needs a hearing loop"


def test_data_pages_need_login(client):
    for url in ("/members/me/data/", "/members/me/data.json"):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client.post("/members/me/delete/").status_code == 302
