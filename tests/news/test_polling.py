"""Polling external feeds from a local HTTP server: RSS and Atom, de-duplication, conditional
GET, and every way a feed can fail or attack without breaking the task or a page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from news import services, tasks
from news.models import ExternalFeed, FeedEntry
from tests.groups.factories import make_group
from tests.news.feedserver import rss
from tests.programmes.factories import make_programme

pytestmark = pytest.mark.django_db

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Local site news</title>
  <id>urn:uuid:local-site</id>
  <updated>2025-03-02T10:00:00Z</updated>
  <entry>
    <title type="html">Street party &amp;amp; &lt;b&gt;bunting&lt;/b&gt;</title>
    <id>urn:uuid:entry-1</id>
    <link href="https://local.example.org/street-party"/>
    <updated>2025-03-02T10:00:00Z</updated>
    <content type="html">&lt;p&gt;Bring a chair.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Older post</title>
    <id>urn:uuid:entry-0</id>
    <link href="https://local.example.org/older"/>
    <updated>2025-02-01T10:00:00Z</updated>
    <summary>Earlier news.</summary>
  </entry>
</feed>"""


@pytest.fixture
def feed(db):
    def make(url, **fields):
        return ExternalFeed.objects.create(url=url, programme=make_programme(), **fields)

    return make


def _poll(feed):
    """Through the Celery task (eager), as beat would: it must never raise."""
    tasks.poll_feed.delay(feed.pk)
    feed.refresh_from_db()
    return feed


def _short(guid: str) -> str:
    """feedparser resolves a relative guid against the feed's address; the last part is ours."""
    return guid.rsplit("/", 1)[-1]


def _assert_failed(feed, words, failures=1):
    assert words in feed.last_error
    assert feed.consecutive_failures == failures
    assert feed.last_success_at is None
    wait = feed.next_check_at - feed.last_checked_at
    assert wait == services.backoff(failures)


def test_rss_is_read_and_stored_once(feed_server, feed):
    url = feed_server.route(
        "/rss",
        rss(
            ("g-2", "Second post", "https://blog.example.org/2", "<p>Newer <em>news</em></p>"),
            ("g-1", "First post", "https://blog.example.org/1", "<p>Hello</p>"),
        ),
    )
    f = _poll(feed(url))
    assert [(_short(e.guid), e.title, e.link) for e in FeedEntry.objects.all()] == [
        ("g-2", "Second post", "https://blog.example.org/2"),
        ("g-1", "First post", "https://blog.example.org/1"),
    ]
    assert FeedEntry.objects.get(guid__endswith="/g-2").summary_html == "<p>Newer <em>news</em></p>"
    assert f.title == "A programme blog"
    assert (f.last_error, f.consecutive_failures) == ("", 0)
    assert f.last_success_at is not None and f.next_check_at > timezone.now()
    user_agent = feed_server.requests[0][1]["User-Agent"]
    assert "Social by Social" in user_agent

    _poll(f)  # again: nothing twice
    assert FeedEntry.objects.count() == 2


def test_atom_is_read(feed_server, feed):
    f = _poll(feed(feed_server.route("/atom", ATOM, content_type="application/atom+xml")))
    newest, older = FeedEntry.objects.all()
    assert newest.title == "Street party & bunting"  # plain text; the page escapes it
    assert newest.link == "https://local.example.org/street-party"
    assert newest.summary_html == "<p>Bring a chair.</p>"
    assert newest.published_at.isoformat() == "2025-03-02T10:00:00+00:00"
    assert older.summary_html == "Earlier news."
    assert f.title == "Local site news"


def test_conditional_get_sends_the_stored_validators_and_304_stores_nothing(feed_server, feed):
    lm = "Sat, 01 Mar 2025 09:00:00 GMT"
    body = rss(("g-1", "Only post", "https://blog.example.org/1", "x"))
    f = _poll(feed(feed_server.route("/c", body, etag='"v1"', last_modified=lm)))
    assert (f.etag, f.last_modified) == ('"v1"', lm)
    assert FeedEntry.objects.count() == 1
    first_success = f.last_success_at

    FeedEntry.objects.all().delete()  # were the body read again, the entry would come back
    f = _poll(f)
    headers = feed_server.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == lm
    assert FeedEntry.objects.count() == 0
    assert f.last_success_at > first_success and f.last_error == ""
    assert f.etag == '"v1"'


def test_a_timeout_is_recorded_and_backs_off(feed_server, feed, settings):
    settings.NEWS_FEED_TIMEOUT = 0.5
    f = _poll(feed(feed_server.route("/slow", rss(), delay=2)))
    _assert_failed(f, "timed out")
    f = _poll(f)
    _assert_failed(f, "timed out", failures=2)
    assert services.backoff(2) == timedelta(hours=1)


def test_http_500_is_recorded(feed_server, feed):
    f = _poll(feed(feed_server.route("/broken", "oops", status=500)))
    _assert_failed(f, "HTTP 500")


def test_a_missing_page_is_recorded(feed_server, feed):
    f = _poll(feed(feed_server.url("/nothing-here")))
    _assert_failed(f, "HTTP 404")


def test_a_huge_body_is_cut_off(feed_server, feed, settings):
    settings.NEWS_FEED_MAX_BYTES = 100_000
    f = _poll(feed(feed_server.route("/huge", stream_bytes=3_000_000)))
    _assert_failed(f, "too large")
    declared = feed_server.route("/declared", "x" * 200_000)
    f = _poll(feed(declared))
    _assert_failed(f, "too large")


def test_malformed_xml_is_recorded(feed_server, feed):
    f = _poll(feed(feed_server.route("/bad", "<<<this is not a feed & never was")))
    _assert_failed(f, "Not a readable RSS or Atom feed")
    f = _poll(feed(feed_server.route("/html", "<html><body>Hello</body></html>")))
    _assert_failed(f, "Not a readable RSS or Atom feed")
    assert FeedEntry.objects.count() == 0


def test_a_closed_port_is_recorded(feed):
    f = _poll(feed("http://127.0.0.1:9/feed"))
    _assert_failed(f, "Could not connect")


def test_private_addresses_are_refused_outside_development(feed_server, feed, settings):
    settings.NEWS_FEED_ALLOW_PRIVATE_HOSTS = False
    f = _poll(feed(feed_server.route("/rss", rss(("g", "t", "https://x.example.org/", "d")))))
    _assert_failed(f, "private network")
    assert feed_server.requests == []


def test_script_and_unsafe_links_are_removed(feed_server, feed):
    hostile = (
        '<p onclick="steal()">Hi<script>alert(1)</script>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">click</a>'
        '<a href="https://ok.example.org/" style="color:red">fine</a></p>'
    )
    url = feed_server.route(
        "/evil",
        rss(
            ("e-1", "<script>alert(4)</script>Title", "javascript:alert(5)", hostile),
            ("e-2", "Data link", "data:text/html,<b>x</b>", "ok"),
            ("e-3", "FTP link", "ftp://files.example.org/a", "ok"),
        ),
    )
    f = _poll(feed(url))
    assert f.consecutive_failures == 0
    entries = {_short(e.guid): e for e in FeedEntry.objects.all()}
    evil = entries["e-1"]
    for bad in ("<script", "alert", "onerror", "onclick", "javascript:", "style=", "<img"):
        assert bad not in evil.summary_html
        assert bad not in evil.title
    assert evil.title == "Title"
    assert 'href="https://ok.example.org/"' in evil.summary_html
    assert 'rel="nofollow ugc noopener"' in evil.summary_html
    assert {e.link for e in entries.values()} == {""}


def test_only_the_newest_entries_are_kept(feed_server, feed, settings):
    settings.NEWS_FEED_MAX_ENTRIES = 5
    items = [(f"g-{i}", f"Post {i}", f"https://b.example.org/{i}", "x") for i in range(12, 0, -1)]
    f = _poll(feed(feed_server.route("/many", rss(*items))))
    assert {_short(g) for g in FeedEntry.objects.values_list("guid", flat=True)} == {
        f"g-{i}" for i in range(12, 7, -1)
    }
    feed_server.route("/many", rss(("g-13", "Post 13", "https://b.example.org/13", "x"), *items))
    _poll(f)
    assert FeedEntry.objects.count() == 5
    assert _short(FeedEntry.objects.first().guid) == "g-13"


def test_entries_without_guid_fall_back_to_link_then_a_hash(feed_server, feed):
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>Linked</title><link>https://b.example.org/a</link></item>"
        "<item><title>Bare</title><description>No link, no guid</description></item>"
        "</channel></rss>"
    )
    f = _poll(feed(feed_server.route("/noguid", body)))
    _poll(f)
    guids = sorted(FeedEntry.objects.values_list("guid", flat=True))
    assert len(guids) == 2
    assert guids[0] == "https://b.example.org/a" and guids[1].startswith("sha256:")


def test_future_dates_are_clamped_to_now(feed_server, feed):
    body = rss(("f", "From the future", "https://b.example.org/f", "x")).replace("2025", "2099")
    _poll(feed(feed_server.route("/future", body)))
    assert FeedEntry.objects.get().published_at <= timezone.now()


def test_backoff_is_capped_at_a_day():
    assert services.backoff(0) == timedelta(minutes=15)
    assert services.backoff(1) == timedelta(minutes=30)
    assert services.backoff(7) == timedelta(days=1)
    assert services.backoff(500) == timedelta(days=1)


def test_a_success_after_failures_resets_the_count(feed_server, feed):
    f = feed(feed_server.route("/flaky", "oops", status=503))
    f = _poll(f)
    assert f.consecutive_failures == 1
    feed_server.route("/flaky", rss(("g", "Back", "https://b.example.org/", "x")))
    f = _poll(f)
    assert (f.consecutive_failures, f.last_error) == (0, "")
    assert FeedEntry.objects.count() == 1


def test_poll_due_feeds_queues_only_due_active_feeds_once(feed_server, feed, monkeypatch):
    url = feed_server.route("/rss", rss(("g", "t", "https://b.example.org/", "x")))
    due = feed(url)
    later = feed(url, next_check_at=timezone.now() + timedelta(hours=1))
    off = feed(url, active=False)
    queued = []
    monkeypatch.setattr(tasks.poll_feed, "delay", queued.append)
    assert tasks.poll_due_feeds.delay().get() == 1
    assert queued == [due.pk]
    assert tasks.poll_due_feeds.delay().get() == 0  # leased: not queued twice
    assert later.pk not in queued and off.pk not in queued


def test_an_inactive_or_deleted_feed_is_skipped(feed_server, feed):
    f = feed(
        feed_server.route("/rss", rss(("g", "t", "https://b.example.org/", "x"))), active=False
    )
    assert tasks.poll_feed.delay(f.pk).get() == 0
    assert tasks.poll_feed.delay(987654).get() == 0
    assert feed_server.requests == []


def test_a_broken_group_feed_still_leaves_pages_working(feed_server, client):
    group = make_group(kind="open", name="Broken feed group")
    feed = ExternalFeed.objects.create(url=feed_server.route("/bad", "<<<"), group=group)
    FeedEntry.objects.create(
        feed=feed,
        guid="old",
        title="Kept from before",
        link="https://b.example.org/",
        published_at=timezone.now(),
    )
    _poll(feed)
    assert feed.consecutive_failures == 1
    for path in ("/news/", group.get_absolute_url(), "/news/feed/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Kept from before" in response.content.decode()
