"""News pages: /news/, its RSS, "Latest from" on programme and group pages, organisers adding
and removing feeds, visibility of closed groups' news, the admin and query-count guards."""

import itertools
from datetime import timedelta

import feedparser
import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from groups.models import Membership
from news.models import ExternalFeed, FeedEntry
from programmes import services as programme_services
from tests.groups.factories import make_group
from tests.members.factories import UserFactory
from tests.programmes.factories import make_programme
from tests.query_guard import assert_max_queries, assert_same_queries, queries_for

pytestmark = pytest.mark.django_db

_seq = itertools.count()


def add_entries(feed, n, *, prefix="Post", age=timedelta(0)):
    now = timezone.now() - age
    start = next(_seq) * 10_000
    FeedEntry.objects.bulk_create(
        FeedEntry(
            feed=feed,
            guid=f"{prefix}-{start + i}",
            title=f"{prefix} {i}",
            link=f"https://site.example.org/{start + i}",
            summary_html=f"<p>Summary of {prefix.lower()} {i}</p>",
            published_at=now - timedelta(minutes=i),
        )
        for i in range(n)
    )


@pytest.fixture
def sources():
    organiser = UserFactory(username="org")
    member = UserFactory(username="mem")
    programme = make_programme("Newsy programme")
    open_group = make_group(kind="open", organiser=organiser, name="Open newsroom")
    closed_group = make_group(
        kind="closed", organiser=organiser, name="Closed newsroom", members=[member]
    )
    feeds = {
        "programme": ExternalFeed.objects.create(
            url="https://p.example.org/feed", programme=programme, title="Programme blog"
        ),
        "open": ExternalFeed.objects.create(url="https://o.example.org/feed", group=open_group),
        "closed": ExternalFeed.objects.create(url="https://c.example.org/feed", group=closed_group),
    }
    add_entries(feeds["programme"], 3, prefix="Programme post", age=timedelta(days=1))
    add_entries(feeds["open"], 3, prefix="Open post", age=timedelta(days=1))
    add_entries(feeds["closed"], 3, prefix="Closed secret", age=timedelta(days=1))
    return {
        "organiser": organiser,
        "member": member,
        "programme": programme,
        "open": open_group,
        "closed": closed_group,
        "feeds": feeds,
    }


def test_news_page_lists_public_entries_with_source_and_safe_links(client, sources):
    html = client.get("/news/").content.decode()
    assert "Programme post 0" in html and "Open post 0" in html
    assert "Closed secret" not in html
    assert '<a href="https://site.example.org/' in html
    assert 'rel="nofollow noopener"' in html
    assert 'From the programme <a href="/programmes/newsy-programme/">Newsy programme</a>' in html
    assert 'From the group <a href="/groups/open-newsroom/">Open newsroom</a>' in html
    assert 'type="application/rss+xml"' in html and "/news/feed/" in html
    # newest first: every source's post 0 comes before its post 2
    assert html.index("Open post 0") < html.index("Open post 2")


def test_closed_group_news_is_for_its_members_only(client, sources):
    for who in (None, UserFactory()):
        if who:
            client.force_login(who)
        assert "Closed secret" not in client.get("/news/").content.decode()
        assert "Closed secret" not in client.get("/news/feed/").content.decode()
        page = client.get(sources["closed"].get_absolute_url()).content.decode()
        assert "Closed secret" not in page and "Latest from this group" not in page
    client.force_login(sources["member"])
    assert "Closed secret 0" in client.get("/news/").content.decode()
    assert "Closed secret" not in client.get("/news/feed/").content.decode()  # public feed
    page = client.get(sources["closed"].get_absolute_url()).content.decode()
    assert "Latest from this group" in page and "Closed secret 0" in page


def test_news_feed_is_rss_of_public_entries(client, sources):
    response = client.get("/news/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.feed.title == "News from the network"
    titles = [e.title for e in parsed.entries]
    assert len(titles) == 6
    assert "Programme post 0 (Newsy programme)" in titles
    assert all("Closed" not in t for t in titles)
    assert all(e.link.startswith("https://site.example.org/") for e in parsed.entries)
    assert all(e.id for e in parsed.entries)


def test_an_entry_without_link_links_to_the_news_page(client, sources):
    FeedEntry.objects.filter(title="Open post 0").update(link="")
    parsed = feedparser.parse(client.get("/news/feed/").content)
    entry = next(e for e in parsed.entries if e.title.startswith("Open post 0"))
    assert entry.link.startswith("http") and "/news/#entry-" in entry.link


def test_news_page_is_paginated(client, sources):
    add_entries(sources["feeds"]["open"], 30, prefix="Many")
    first = client.get("/news/").content.decode()
    assert "Page 1 of 2" in first
    second = client.get("/news/?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert client.get("/news/?page=999").status_code == 200


def test_programme_page_shows_latest_five(client, sources):
    add_entries(sources["feeds"]["programme"], 4, prefix="Fresh")
    html = client.get(sources["programme"].get_absolute_url()).content.decode()
    assert "Latest from this programme" in html
    assert html.count('rel="nofollow noopener">Fresh ') == 4
    assert "Programme post 0" in html and "Programme post 1" not in html
    assert "Add feed" not in html  # not an organiser


def test_group_page_shows_latest_five(client, sources):
    add_entries(sources["feeds"]["open"], 10, prefix="Recent")
    html = client.get(sources["open"].get_absolute_url()).content.decode()
    assert "Latest from this group" in html
    assert html.count('rel="nofollow noopener">Recent ') == 5


def test_inactive_feeds_are_not_shown(client, sources):
    ExternalFeed.objects.filter(pk=sources["feeds"]["open"].pk).update(active=False)
    assert "Open post" not in client.get("/news/").content.decode()


# --- Organisers register feeds -----------------------------------------------------------------


def _message(response):
    """The message this response added (earlier ones wait in the cookie too)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_group_organiser_adds_and_removes_a_feed(client, sources):
    group = sources["open"]
    client.force_login(sources["organiser"])
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Feed address (RSS or Atom)" in page
    url = f"/news/groups/{group.slug}/feeds/"
    response = client.post(url, {"url": "https://new.example.org/rss"})
    assert response.status_code == 302 and response["Location"].endswith("#news-feeds")
    feed = ExternalFeed.objects.get(url="https://new.example.org/rss")
    assert (feed.group, feed.added_by) == (group, sources["organiser"])
    assert "https://new.example.org/rss" in client.get(group.get_absolute_url()).content.decode()

    response = client.post(url, {"url": "https://new.example.org/rss"})
    assert [_message(response)] == ["That feed is already listed here."]
    response = client.post(url, {"url": "ftp://new.example.org/rss"})
    assert "starting with http:// or https://" in _message(response)
    response = client.post(url, {"url": "javascript:alert(1)"})
    assert "starting with http:// or https://" in _message(response)
    assert ExternalFeed.objects.filter(group=group).count() == 2

    response = client.post(f"/news/feeds/{feed.pk}/remove/")
    assert response.status_code == 302
    assert not ExternalFeed.objects.filter(pk=feed.pk).exists()


def test_at_most_five_feeds_per_owner(client, sources):
    group = sources["open"]
    client.force_login(sources["organiser"])
    for i in range(4):
        client.post(f"/news/groups/{group.slug}/feeds/", {"url": f"https://f{i}.example.org/"})
    assert ExternalFeed.objects.filter(group=group).count() == 5
    response = client.post(f"/news/groups/{group.slug}/feeds/", {"url": "https://six.example.org/"})
    assert [_message(response)] == ["At most 5 feeds can be listed; remove one first."]
    assert ExternalFeed.objects.filter(group=group).count() == 5


def test_members_who_do_not_organise_cannot_add_or_remove(client, sources):
    client.force_login(sources["member"])
    closed = sources["closed"]
    assert (
        client.post(f"/news/groups/{closed.slug}/feeds/", {"url": "https://x.org/"}).status_code
        == 403
    )
    feed = sources["feeds"]["closed"]
    assert client.post(f"/news/feeds/{feed.pk}/remove/").status_code == 403
    slug = sources["programme"].slug
    assert (
        client.post(f"/news/programmes/{slug}/feeds/", {"url": "https://x.org/"}).status_code == 403
    )
    assert ExternalFeed.objects.count() == 3
    assert "Add feed" not in client.get(closed.get_absolute_url()).content.decode()


def test_programme_organiser_adds_a_feed(client, sources):
    programme = sources["programme"]
    organiser = UserFactory()
    programme_services.programme_role_add(
        programme=programme, member=organiser, role="Lead", is_organiser=True
    )
    client.force_login(organiser)
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "Add feed" in page and "Programme blog" in page
    client.post(f"/news/programmes/{programme.slug}/feeds/", {"url": "https://blog.example.org/"})
    assert ExternalFeed.objects.filter(programme=programme).count() == 2


def test_adding_a_feed_polls_it_after_commit(
    client, sources, django_capture_on_commit_callbacks, monkeypatch
):
    from news import tasks

    queued = []
    monkeypatch.setattr(tasks.poll_feed, "delay", queued.append)
    client.force_login(sources["organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/news/groups/{sources['open'].slug}/feeds/", {"url": "https://q.example.org/"}
        )
    assert queued == [ExternalFeed.objects.get(url="https://q.example.org/").pk]


def test_feeds_page_lists_the_news_feed(client):
    html = client.get("/feeds/").content.decode()
    assert 'href="/news/feed/"' in html


# --- Admin ---------------------------------------------------------------------------------------


def test_admin_shows_errors_and_polls_now(client, sources, monkeypatch):
    from news import tasks

    feed = sources["feeds"]["open"]
    ExternalFeed.objects.filter(pk=feed.pk).update(
        last_error="The server answered HTTP 500 Internal Server Error.",
        consecutive_failures=3,
        next_check_at=timezone.now() + timedelta(hours=2),
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/news/externalfeed/?health=failing").content.decode()
    assert "HTTP 500" in html and "Open newsroom (group)" in html
    assert client.get(f"/admin/news/externalfeed/{feed.pk}/change/").status_code == 200
    assert client.get("/admin/news/feedentry/").status_code == 200
    queued = []
    monkeypatch.setattr(tasks.poll_feed, "delay", queued.append)
    client.post(
        "/admin/news/externalfeed/",
        {"action": "poll_now", "_selected_action": [feed.pk]},
    )
    feed.refresh_from_db()
    assert feed.next_check_at <= timezone.now()


# --- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "member", "organiser"])
def test_pages_cost_the_same_for_10_and_500_entries(client, role):
    organiser = UserFactory()
    member = UserFactory()
    programme = make_programme("Counted programme")
    group = make_group(kind="closed", organiser=organiser, name="Counted group", members=[member])
    programme_services.programme_role_add(
        programme=programme, member=organiser, role="Lead", is_organiser=True
    )
    feeds = [
        ExternalFeed.objects.create(url="https://a.example.org/", programme=programme),
        ExternalFeed.objects.create(url="https://b.example.org/", group=group),
        ExternalFeed.objects.create(url="https://c.example.org/", group=make_group(name="Other")),
    ]
    if role != "anonymous":
        client.force_login(member if role == "member" else organiser)
    paths = ["/news/", "/news/?page=3", programme.get_absolute_url(), group.get_absolute_url()]
    for feed, n in zip(feeds, (4, 3, 3), strict=True):
        add_entries(feed, n)
    for path in paths:
        client.get(path)  # warm up: a member's private feed token is made on the first visit
    small = {path: queries_for(client, path) for path in paths}
    for feed, n in zip(feeds, (164, 163, 163), strict=True):
        add_entries(feed, n)
    assert FeedEntry.objects.count() == 500
    for path in paths:
        assert_same_queries(small[path], queries_for(client, path), path)
    assert_max_queries(queries_for(client, "/news/"), 6, "/news/")
    assert Membership.objects.filter(group=group).count() == 2


def test_news_feed_answers_conditional_get_with_304(client):
    first = client.get("/news/feed/")
    assert first.status_code == 200 and first["ETag"]
    again = client.get("/news/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
