"""The discussion pages cost the same number of queries for 10 and 1,000 rows, on any page."""

import pytest
from django.core.cache import cache

from discussions import services
from discussions.models import Discussion, Reply
from tests.discussions.factories import make_discussion
from tests.members.factories import UserFactory
from tests.query_guard import assert_max_queries, assert_same_queries, queries_for

pytestmark = pytest.mark.django_db

DISCUSSION_PAGE_MAX_QUERIES = 8


def _bulk_replies(discussion, count, authors):
    """Many replies at once (positions and counters as the service would leave them)."""
    discussion.refresh_from_db()
    start = discussion.reply_total
    Reply.objects.bulk_create(
        Reply(
            discussion=discussion,
            author=authors[i % len(authors)],
            position=start + i + 1,
            body=f"Reply {start + i + 1}",
            body_html=f"<p>Reply {start + i + 1}</p>",
            in_reply_to=None,
        )
        for i in range(count)
    )
    Discussion.objects.filter(pk=discussion.pk).update(
        reply_total=start + count, reply_count=start + count
    )
    discussion.refresh_from_db()


def _cold(client, url):
    cache.clear()  # the worst case: nothing cached yet
    return queries_for(client, url)


@pytest.mark.parametrize("logged_in", [False, True])
def test_discussion_page_is_constant_for_10_and_1000_replies_and_any_page(client, logged_in):
    authors = UserFactory.create_batch(5)
    discussion = make_discussion(author=authors[0], tags=["workshops", "events"])
    for i in range(3):  # threaded replies with in_reply_to, so joins are exercised
        services.reply_create(discussion=discussion, author=authors[i + 1], body=f"threaded {i}")
    _bulk_replies(discussion, 7, authors)
    if logged_in:
        client.force_login(UserFactory())
    url = discussion.get_absolute_url()
    small = _cold(client, url)
    assert_max_queries(small, DISCUSSION_PAGE_MAX_QUERIES, "discussion page")

    _bulk_replies(discussion, 990, authors)
    assert_same_queries(small, _cold(client, url), "discussion page, 1,000 replies")
    assert_same_queries(small, _cold(client, url + "?page=20"), "discussion page 20")
    # Warm: the shared replies block comes from the cache.
    warm = queries_for(client, url + "?page=20")
    assert warm[0] <= small[0]


def test_discussion_list_is_constant_for_10_and_1000_discussions(client):
    authors = UserFactory.create_batch(5)
    for i in range(10):
        make_discussion(author=authors[i % 5], title=f"Topic {i}", tags=["a", "b"])
    client.force_login(authors[0])
    small = queries_for(client, "/discussions/")
    Discussion.objects.bulk_create(
        Discussion(
            title=f"Bulk {i}",
            slug=f"bulk-{i}",
            body="b",
            body_html="<p>b</p>",
            author=authors[i % 5],
            last_activity_at=Discussion.objects.first().last_activity_at,
        )
        for i in range(990)
    )
    assert_same_queries(small, queries_for(client, "/discussions/"), "discussion list")
    assert_same_queries(small, queries_for(client, "/discussions/?page=30"), "list page 30")
    tag_page = queries_for(client, "/discussions/tags/a/")
    assert_max_queries(tag_page, small[0] + 2, "tag page (the tag, and whether you follow it)")


def test_search_page_is_bounded(client):
    authors = UserFactory.create_batch(3)
    for i in range(30):
        discussion = make_discussion(author=authors[i % 3], title=f"Workshop {i}", body="agenda")
        services.reply_create(discussion=discussion, author=authors[0], body="workshop agenda")
    assert_max_queries(queries_for(client, "/search/?q=workshop"), 4, "search")


def test_home_is_constant(client):
    authors = UserFactory.create_batch(2)
    make_discussion(author=authors[0], title="One")
    small = queries_for(client, "/")
    for i in range(20):
        make_discussion(author=authors[1], title=f"More {i}")
    assert_same_queries(small, queries_for(client, "/"), "home")
