"""PostgreSQL only: counters under concurrent replies, and full-text search served by GIN."""

import threading

import pytest
from django.db import connection, connections

from discussions import selectors, services
from discussions.models import Discussion, Reply
from tests.discussions.factories import make_discussion
from tests.members.factories import UserFactory

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db(transaction=True)
def test_counters_and_positions_stay_exact_under_concurrent_replies():
    discussion = make_discussion()
    authors = UserFactory.create_batch(4)
    writers, per_writer = 8, 6
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(index: int):
        try:
            barrier.wait()
            for n in range(per_writer):
                services.reply_create(
                    discussion=discussion, author=authors[index % 4], body=f"w{index} n{n}"
                )
        except BaseException as exc:  # noqa: BLE001 -- collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    discussion.refresh_from_db()
    total = writers * per_writer
    assert discussion.reply_count == total
    assert discussion.reply_total == total
    positions = sorted(Reply.objects.values_list("position", flat=True))
    assert positions == list(range(1, total + 1))


@pytest.mark.django_db
def test_search_ranks_title_matches_first_and_finds_replies_by_stem():
    author = UserFactory()
    in_title = make_discussion(author=author, title="Funding for hyperlocal sites", body="x")
    in_body = make_discussion(author=author, title="Other", body="We discussed funding briefly.")
    services.reply_create(
        discussion=in_body, author=author, body="The funders meet in March to decide."
    )
    make_discussion(author=author, title="Unrelated", body="Nothing to see")

    results = selectors.search(user=author, query="funding")
    assert [r.discussion for r in results][:2] == [in_title, in_body]
    assert "<mark>funding</mark>" in results[1].excerpt

    # Stemming: "funders" finds the reply, and websearch syntax is accepted.
    results = selectors.search(user=author, query='funders -"nothing"')
    assert [r.reply.body for r in results if r.reply] == ["The funders meet in March to decide."]


@pytest.mark.django_db
def test_search_queries_use_the_gin_indexes():
    author = UserFactory()
    discussion = make_discussion(author=author, title="Workshop", body="agenda")
    words = ["local", "media", "funding", "reporting", "council", "websites", "training"]
    Discussion.objects.bulk_create(
        Discussion(
            title=f"Topic {i} {words[i % 7]}",
            slug=f"t{i}",
            body=f"{words[(i * 3) % 7]} {words[(i * 5) % 7]} number {i}",
            body_html="",
            author=author,
            last_activity_at=discussion.last_activity_at,
        )
        for i in range(3000)
    )
    Reply.objects.bulk_create(
        Reply(discussion=discussion, author=author, position=i + 1, body=f"{words[i % 7]} {i}")
        for i in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE discussions_discussion; ANALYZE discussions_reply")
    visible = selectors.visible_discussions(None)
    discussions, replies = selectors.search_querysets_postgres(visible, "workshop agenda")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for queryset, index in (
            (discussions, "discussion_search_idx"),
            (replies, "reply_search_idx"),
        ):
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan
        cursor.execute("SET enable_seqscan = on")


@pytest.mark.django_db
def test_removed_content_is_not_found():
    author = UserFactory()
    gone = make_discussion(author=author, title="Secret plans", body="removed")
    services.discussion_remove(discussion=gone, moderator=author)
    kept = make_discussion(author=author, title="Open", body="x")
    reply = services.reply_create(discussion=kept, author=author, body="secret plans here")
    services.reply_remove(reply=reply, remover=author)
    assert selectors.search(user=author, query="secret plans") == []
    assert Discussion.objects.count() == 2
