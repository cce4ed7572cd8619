"""A digest batch costs the same number of queries for 10 members as for 100.

Each member follows a discussion with new replies, a tag with a new discussion and a group
with a new discussion and an upcoming event, and was @mentioned: every query of the batch runs.
The larger batch also has more to read (more discussions, replies and follows).

PostgreSQL only: SQLite allows 999 parameters per query, so Django splits the bulk insert of
100 outbox emails (11 columns) in two; real batches hold 30 members (``digests.BATCH_SIZE``).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from discussions import services as discussion_services
from groups.models import Membership
from members.models import User
from subscriptions import digests
from subscriptions.models import DigestDelivery, Follow, Notification, OutgoingEmail
from tests.discussions.factories import make_discussion
from tests.events.factories import make_event
from tests.groups.factories import make_group
from tests.members.factories import UserFactory
from tests.query_guard import assert_max_queries, assert_same_queries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# The already-sent markers, members, follows, memberships, open groups, new discussions (+ their
# tags), replies, mentions, events, then the markers and the emails in one savepoint.
DIGEST_BATCH_MAX_QUERIES = 14


@pytest.fixture
def shared():
    """What every member hears about: a group with a new discussion and an upcoming event, and
    a new discussion under a followed tag."""
    organiser = UserFactory()
    group = make_group(kind="open", organiser=organiser, name="Local reporters")
    discussion_services.discussion_create(
        author=organiser, title="Group news", body="In the group", group=group
    )
    make_event(title="Reporters' meet-up", group=group, organiser=organiser)
    make_discussion(author=organiser, title="Tagged news", tags=["social reporting"])
    return {
        "author": organiser,
        "group": group,
        "tag": Tag.objects.get(name="social reporting"),
    }


def _cohort(size: int, shared, label: str) -> list[int]:
    """``size`` daily-digest members with follows; one followed discussion per five members,
    each with a new reply."""
    people = User.objects.bulk_create(
        User(username=f"{label}{i:03d}", email=f"{label}{i:03d}@example.org") for i in range(size)
    )
    User.objects.filter(pk__in=[p.pk for p in people]).update(digest_frequency="daily")
    threads = [
        make_discussion(author=shared["author"], title=f"{label} thread {n}")
        for n in range(max(2, size // 5))
    ]
    for thread in threads:
        discussion_services.reply_create(
            discussion=thread, author=shared["author"], body=f"New in {thread.title}"
        )
    Follow.objects.bulk_create(
        follow
        for i, person in enumerate(people)
        for follow in (
            Follow(member=person, discussion=threads[i % len(threads)]),
            Follow(member=person, group=shared["group"]),
            Follow(member=person, tag=shared["tag"]),
        )
    )
    Membership.objects.bulk_create(
        Membership(group=shared["group"], member=p, state=Membership.State.ACTIVE) for p in people
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind=Notification.Kind.MENTION,
            actor=shared["author"],
            discussion=threads[i % len(threads)],
            delivery="digest",
        )
        for i, person in enumerate(people)
    )
    return [p.pk for p in people]


def _send_batch(ids: list[int]) -> tuple[int, list[str]]:
    period, since = digests.period_of("daily")
    with CaptureQueriesContext(connection) as ctx:
        queued = digests.send_batch(member_ids=ids, frequency="daily", period=period, since=since)
    assert queued == len(ids), f"{queued} of {len(ids)} digests queued"
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_a_batch_of_100_costs_the_queries_of_a_batch_of_10(shared):
    small_ids = _cohort(10, shared, "small")
    large_ids = _cohort(100, shared, "large")

    small = _send_batch(small_ids)
    large = _send_batch(large_ids)

    assert_same_queries(small, large, "digests.send_batch")
    assert_max_queries(large, DIGEST_BATCH_MAX_QUERIES, "digests.send_batch")
    assert DigestDelivery.objects.count() == 110
    # Every digest really had every section (otherwise a query could have been skipped).
    body = OutgoingEmail.objects.filter(kind="digest", to="large099@example.org").get().body_text
    for section in ("MENTIONS", "NEW DISCUSSIONS", "NEW REPLIES", "UPCOMING EVENTS"):
        assert section in body, body
