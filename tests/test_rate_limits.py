"""Posting, replying, RSVPing, reporting and subscribing are rate limited, tighter on a
member's first day; over the limit people get a 429 page saying when to try again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from discussions.models import Discussion, Reply
from members.models import User
from tests.discussions.factories import make_discussion
from tests.events.factories import make_event
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMITS = {
    "post": {"member": "3/h", "first_day": "1/h", "address": "100/h"},
    "reply": {"member": "3/h", "first_day": "2/h", "address": "4/h"},
    "rsvp": {"member": "2/h", "first_day": "2/h", "address": "100/h"},
    "report": {"member": "2/h", "first_day": "2/h", "address": "100/h"},
    "subscribe": {"member": "2/h", "first_day": "2/h", "address": "2/h"},
}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.RATE_LIMITS = LIMITS


def _established():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    user.refresh_from_db()
    return user


def _post(client, n):
    return [
        client.post("/discussions/new/", {"title": f"T{i}", "body": "b"}).status_code
        for i in range(n)
    ]


def test_established_members_get_the_normal_limit_then_a_429_page(client):
    client.force_login(_established())
    assert _post(client, 4) == [302, 302, 302, 429]
    response = client.post("/discussions/new/", {"title": "more", "body": "b"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Please try again within the hour." in response.content.decode()
    assert Discussion.objects.count() == 3


def test_first_day_members_get_a_tighter_limit(client):
    client.force_login(UserFactory())  # joined just now
    assert _post(client, 2) == [302, 429]


def test_a_limit_per_address_covers_everyone_behind_it(client):
    discussion = make_discussion()
    statuses = []
    for _ in range(3):
        client.force_login(_established())
        statuses += [
            client.post(f"/discussions/{discussion.pk}/reply/", {"body": "x"}).status_code
            for _ in range(2)
        ]
    assert statuses == [302, 302, 302, 302, 429, 429]
    assert Reply.objects.count() == 4


def test_reading_is_never_limited(client):
    client.force_login(UserFactory())
    discussion = make_discussion()
    assert all(client.get(discussion.get_absolute_url()).status_code == 200 for _ in range(10))


def test_rsvps_reports_and_subscriptions_are_limited(client):
    member = _established()
    client.force_login(member)
    events = [make_event(title=f"E{i}") for i in range(3)]
    assert [client.post(f"/events/{e.pk}/rsvp/", {"guests": "0"}).status_code for e in events] == [
        302,
        302,
        429,
    ]
    discussion = make_discussion()
    reports = [
        client.post(f"/discussions/{discussion.pk}/report/", {"reason": f"r{i}"}).status_code
        for i in range(3)
    ]
    assert reports[-1] == 429
    client.logout()
    subscribes = [
        client.post("/subscribe/events/", {"email": f"p{i}@example.org"}).status_code
        for i in range(3)
    ]
    assert subscribes == [200, 200, 429]


def test_first_day_members_can_put_only_a_few_links_in_a_post(client, settings):
    settings.NEW_MEMBER_MAX_LINKS = 2
    client.force_login(UserFactory())
    body = " ".join(f"[l{i}](https://example.org/{i})" for i in range(3))
    response = client.post("/discussions/new/", {"title": "Links", "body": body})
    assert "at most 2 links in a post" in response.content.decode()
    assert not Discussion.objects.exists()
    client.force_login(_established())
    assert client.post("/discussions/new/", {"title": "Links", "body": body}).status_code == 302
