"""An organiser adds their group's blog feed in a real browser; a poll (the Celery task, called
directly) reads it from a local server; the post shows on the group page and on /news/."""

import pytest
from playwright.sync_api import expect

from news import tasks
from news.models import ExternalFeed, FeedEntry
from tests.groups.factories import make_group
from tests.members.factories import PASSWORD, UserFactory
from tests.news.feedserver import FeedServer, rss

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def feed_server():
    server = FeedServer().start()
    yield server
    server.stop()


def test_organiser_adds_a_feed_and_its_posts_show(
    page, site, log_in, feed_server, assert_accessible
):
    grace = UserFactory(username="grace", display_name="Grace Okafor")
    group = make_group(kind="open", organiser=grace, name="Social reporters")
    feed_url = feed_server.route(
        "/blog/feed.xml",
        rss(
            (
                "urn:post:1",
                "Reporting from the allotment open day",
                "https://reporters.example.org/allotment",
                "<p>Photos and <strong>three short interviews</strong>.</p>"
                "<script>alert('x')</script>",
            ),
            title="Social reporters' blog",
        ),
    )

    log_in(page, "grace", PASSWORD)
    page.goto(f"{site}{group.get_absolute_url()}")
    feeds = page.get_by_role("region", name="News feeds")
    feeds.get_by_label("Feed address (RSS or Atom)").fill(feed_url)
    feeds.get_by_role("button", name="Add feed").click()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "Feed added. Its latest posts will appear here shortly."
    )
    feed = ExternalFeed.objects.get(group=group)
    assert feed.url == feed_url and feed.added_by == grace

    tasks.poll_feed(feed.pk)  # what beat's poll_due_feeds queues for a worker
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_success_at is not None
    assert FeedEntry.objects.filter(feed=feed).count() == 1

    page.goto(f"{site}{group.get_absolute_url()}")
    latest = page.get_by_role("region", name="Latest from this group")
    link = latest.get_by_role("link", name="Reporting from the allotment open day")
    expect(link).to_have_attribute("href", "https://reporters.example.org/allotment")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    expect(page.get_by_role("region", name="News feeds")).to_contain_text("Social reporters' blog")
    assert_accessible(page, "a group page with its news feeds, as its organiser")

    page.goto(f"{site}/news/")
    expect(page.get_by_role("heading", level=1)).to_have_text("News from the network")
    entry = page.get_by_role("article", name="Reporting from the allotment open day")
    expect(entry).to_contain_text("From the group Social reporters")
    expect(entry).to_contain_text("three short interviews")
    expect(entry.locator("script")).to_have_count(0)
    assert_accessible(page, "/news/")
