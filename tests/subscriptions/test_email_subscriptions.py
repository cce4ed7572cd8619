"""Posts by email (double opt-in) and unsubscribing (RFC 8058 one-click)."""

import re

import pytest
from django.core import signing
from django.test import Client

from discussions import services as discussion_services
from members.models import User
from subscriptions.models import EmailSubscription
from subscriptions.tokens import CONFIRM_SALT, unsubscribe_token
from tests.discussions.factories import make_discussion
from tests.events.factories import make_event
from tests.groups.factories import make_group
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link(message, path):
    return re.search(rf"http://[^\s]+{path}[^\s]+/", message.body).group(0).split("8000", 1)[1]


def test_double_opt_in_then_posts_arrive_with_an_unsubscribe_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    discussion = make_discussion(title="Open thread")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/subscribe/discussion/{discussion.pk}/", {"email": "pat@example.org"}
        )
    assert "Check your email" in response.content.decode()
    assert len(mailoutbox) == 1 and "confirm" in mailoutbox[0].subject.lower()

    # Nothing is sent before confirming.
    with django_capture_on_commit_callbacks(execute=True):
        discussion_services.reply_create(discussion=discussion, author=UserFactory(), body="Early")
    assert sum(m.to == ["pat@example.org"] for m in mailoutbox) == 1  # just the confirmation

    confirm = _link(mailoutbox[0], "/subscribe/confirm/")
    assert "Yes, email me new posts" in client.get(confirm).content.decode()
    assert "confirmed" in client.post(confirm).content.decode()
    again = client.post(confirm)
    assert again.status_code == 400 and "already confirmed" in again.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        discussion_services.reply_create(discussion=discussion, author=UserFactory(), body="News!")
    post = next(m for m in mailoutbox if m.to == ["pat@example.org"] and "News!" in m.body)
    assert post.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # One-click: a POST with no session and no CSRF token unsubscribes at once.
    url = post.extra_headers["List-Unsubscribe"].strip("<>").split("8000", 1)[1]
    one_click = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert not EmailSubscription.objects.exists()


def test_subscribing_bad_or_confirmed_addresses_is_refused_clearly(client, mailoutbox):
    discussion = make_discussion()
    response = client.post(f"/subscribe/discussion/{discussion.pk}/", {"email": "not-an-email"})
    assert (
        response.status_code == 400 and "Enter a valid email address." in response.content.decode()
    )
    EmailSubscription.objects.create(
        email="done@example.org",
        kind="discussion",
        discussion=discussion,
        confirmed_at="2026-01-01T00:00Z",
    )
    response = client.post(f"/subscribe/discussion/{discussion.pk}/", {"email": "DONE@example.org"})
    assert "already gets these posts" in response.content.decode()
    assert mailoutbox == []


def test_confirmation_links_that_are_tampered_or_expired_say_so(client):
    sub = EmailSubscription.objects.create(email="x@example.org", kind="events")
    assert client.get("/subscribe/confirm/garbage/").status_code == 400
    old = signing.dumps(sub.pk, salt=CONFIRM_SALT)
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=10**10):
        response = client.get(f"/subscribe/confirm/{old}/")
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_closed_and_private_content_cannot_be_subscribed_or_emailed(client, mailoutbox):
    organiser = UserFactory()
    closed = make_group(kind="closed", organiser=organiser)
    secret = discussion_services.discussion_create(
        author=organiser, title="Secret", body="x", group=closed
    )
    assert client.get(f"/subscribe/discussion/{secret.pk}/").status_code == 404
    assert client.get(f"/subscribe/group/{closed.slug}/").status_code == 404
    EmailSubscription.objects.create(
        email="spy@example.org",
        kind="discussion",
        discussion=secret,
        confirmed_at="2026-01-01T00:00Z",
    )
    discussion_services.reply_create(discussion=secret, author=organiser, body="inside")
    assert all("spy@example.org" not in m.to for m in mailoutbox)


def test_new_public_events_go_to_event_subscribers(mailoutbox, django_capture_on_commit_callbacks):
    EmailSubscription.objects.create(
        email="e@example.org", kind="events", confirmed_at="2026-01-01T00:00Z"
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_event(title="Open day")
    assert [m.to for m in mailoutbox] == [["e@example.org"]]
    assert "Open day" in mailoutbox[0].subject


def test_member_unsubscribe_page_offers_less_or_stop_without_logging_in(client):
    member = UserFactory(digest_frequency="daily", notify_mentions="email")
    url = f"/unsubscribe/{unsubscribe_token(member_id=member.pk)}/"
    html = client.get(url).content.decode()
    assert "Less often: one weekly digest" in html and "Stop all these emails" in html
    client.post(url, {"how": "less"})
    member.refresh_from_db()
    assert (member.digest_frequency, member.notify_mentions) == ("weekly", "digest")
    Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    member.refresh_from_db()
    assert (member.digest_frequency, member.notify_mentions) == ("off", "off")


def test_tampered_unsubscribe_tokens_get_a_400(client):
    member = UserFactory(digest_frequency="daily")
    token = unsubscribe_token(member_id=member.pk)
    for bad in (token[:-2] + "xx", "nonsense", signing.dumps({"m": member.pk}, salt="other")):
        assert (
            client.post(f"/unsubscribe/{bad}/", {"List-Unsubscribe": "One-Click"}).status_code
            == 400
        )
    assert User.objects.get(pk=member.pk).digest_frequency == "daily"
