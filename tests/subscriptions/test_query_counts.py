"""Subscription pages cost the same number of queries however much there is."""

import pytest

from subscriptions.models import Notification
from subscriptions.tokens import unsubscribe_token
from tests.discussions.factories import make_discussion
from tests.members.factories import UserFactory
from tests.query_guard import assert_max_queries, assert_same_queries, queries_for

pytestmark = pytest.mark.django_db


def _notify(member, discussions):
    Notification.objects.bulk_create(
        Notification(
            recipient=member, kind="mention", actor=d.author, discussion=d, delivery="email"
        )
        for d in discussions
    )


def test_notifications_page_is_constant_for_5_and_200(client):
    member = UserFactory()
    client.force_login(member)
    author = UserFactory()
    _notify(member, [make_discussion(author=author, title=f"T{i}") for i in range(5)])
    small = queries_for(client, "/notifications/")
    _notify(member, [make_discussion(author=author, title=f"U{i}") for i in range(195)])
    assert_same_queries(small, queries_for(client, "/notifications/"), "notifications")
    assert_same_queries(small, queries_for(client, "/notifications/?page=5"), "notifications p5")


def test_the_other_subscription_pages_are_cheap(client):
    member = UserFactory()
    discussion = make_discussion()
    assert_max_queries(
        queries_for(client, f"/unsubscribe/{unsubscribe_token(member_id=member.pk)}/"), 0, "unsub"
    )
    assert_max_queries(queries_for(client, f"/subscribe/discussion/{discussion.pk}/"), 1, "sub")
    assert_max_queries(queries_for(client, "/subscribe/events/"), 0, "subscribe events")
    client.force_login(member)
    assert_max_queries(queries_for(client, "/members/me/notifications/"), 3, "preferences")
