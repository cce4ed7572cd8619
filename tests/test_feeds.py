"""Outgoing feeds, read as a feed reader reads them (feedparser): titles, absolute links,
stable guids, conditional GET, the visibility rule, private addresses and query counts."""

import re
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date

from discussions import services as discussion_services
from discussions.models import Discussion, Reply
from events import services as event_services
from events.models import Event
from members.services import member_feed_token, member_reset_feed_token
from programmes.models import Programme
from socialbysocial.feeds import site_url
from tests.events.factories import make_event
from tests.groups.factories import make_group
from tests.members.factories import UserFactory
from tests.programmes.factories import bulk_programmes, make_programme
from tests.query_guard import assert_max_queries, assert_same_queries, queries_for

pytestmark = pytest.mark.django_db

FEED_MAX_QUERIES = 5


def _parse(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, f"{url} answered {response.status_code}"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, f"{url}: {feed.bozo_exception}"
    return feed, response


@pytest.fixture
def world():
    author = UserFactory(username="nadia", display_name="Nadia Hussain")
    member = UserFactory(username="owen")
    closed = make_group(kind="closed", organiser=author, name="Workshop planners", members=[member])
    public = discussion_services.discussion_create(
        author=author,
        title="Who maps the programmes?",
        body="Let's **map** who does what.",
        tags=["mapping"],
    )
    secret = discussion_services.discussion_create(
        author=author,
        title="Secret agenda draft",
        body="closed-body-text",
        group=closed,
        tags=["mapping"],
    )
    discussion_services.reply_create(discussion=public, author=member, body="I can help.")
    discussion_services.reply_create(discussion=secret, author=member, body="closed-reply-text")
    return {
        "author": author,
        "member": member,
        "closed": closed,
        "public": public,
        "secret": secret,
    }


# --- What the feeds say ----------------------------------------------------------------------


def test_latest_discussions_feed_items_are_complete_and_absolute(client, world):
    public = world["public"]
    feed, response = _parse(client, "/discussions/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert feed.feed.title == "Social by Social: latest discussions"
    assert feed.feed.link == site_url("/discussions/")
    assert [e.title for e in feed.entries] == ["Who maps the programmes?"]
    entry = feed.entries[0]
    assert entry.link == site_url(public.get_absolute_url())
    assert entry.id == site_url(f"/discussions/{public.pk}/")
    guid = ElementTree.fromstring(response.content).find("channel/item/guid")
    assert guid.get("isPermaLink") == "true" and guid.text == entry.id
    assert entry.author == "Nadia Hussain"
    assert entry.published_parsed is not None
    # The stored, sanitised HTML: markdown is not run on GET.
    assert entry.summary == public.body_html and "<strong>map</strong>" in entry.summary
    for link in [feed.feed.link, entry.link, entry.id]:
        assert link.startswith(("http://", "https://"))


def test_atom_twin_has_the_same_entries(client, world):
    feed, response = _parse(client, "/discussions/feed/?format=atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Who maps the programmes?"]
    assert feed.entries[0].id == site_url(f"/discussions/{world['public'].pk}/")
    assert feed.feed.subtitle == "New discussions on Social by Social."
    rss_etag = client.get("/discussions/feed/")["ETag"]
    assert client.get("/discussions/feed/?format=atom")["ETag"] != rss_etag


def test_guid_is_stable_when_the_title_changes(client, world):
    public = world["public"]
    before, _ = _parse(client, "/discussions/feed/")
    discussion_services.discussion_edit(
        discussion=public, editor=world["author"], title="Mapping the programmes", body="New."
    )
    after, _ = _parse(client, "/discussions/feed/")
    assert after.entries[0].id == before.entries[0].id
    assert after.entries[0].title == "Mapping the programmes"
    assert after.entries[0].link != before.entries[0].link  # the page's address follows the title


def test_tag_feed(client, world):
    discussion_services.discussion_create(author=world["author"], title="Untagged", body="x")
    feed, _ = _parse(client, "/discussions/tags/mapping/feed/")
    assert feed.feed.title == "Social by Social: discussions tagged “mapping”"
    assert [e.title for e in feed.entries] == ["Who maps the programmes?"]
    assert client.get("/discussions/tags/no-such-tag/feed/").status_code == 404


def test_discussion_replies_feed(client, world):
    public = world["public"]
    extra = discussion_services.reply_create(
        discussion=public, author=world["author"], body="Second *reply*."
    )
    gone = discussion_services.reply_create(discussion=public, author=world["member"], body="oops")
    discussion_services.reply_remove(reply=gone, remover=world["member"])
    feed, _ = _parse(client, f"/discussions/{public.pk}/feed/")
    assert feed.feed.title == "Replies to “Who maps the programmes?”"
    assert [e.author for e in feed.entries] == ["Nadia Hussain", world["member"].name]
    assert feed.entries[0].title == "Nadia Hussain replied to “Who maps the programmes?”"
    assert feed.entries[0].id == site_url(f"/discussions/replies/{extra.pk}/")
    assert feed.entries[0].link == feed.entries[0].id
    assert feed.entries[0].summary == extra.body_html
    assert "oops" not in str(feed)
    assert client.get("/discussions/999999/feed/").status_code == 404


def test_events_feed_shows_upcoming_public_events(client, world):
    make_event(title="Mapping workshop", description="Bring **maps**.")
    make_event(title="Planners only", organiser=world["author"], group=world["closed"])
    past = make_event(title="Last year's meet-up")
    Event.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
    )
    cancelled = make_event(title="Rained off", days=9)
    event_services.event_cancel(event=cancelled, actor=cancelled.created_by)
    feed, _ = _parse(client, "/events/feed/")
    titles = [e.title for e in feed.entries]
    assert len(titles) == 2
    assert titles[0].startswith("Mapping workshop (") and titles[1].startswith("Cancelled: Rained")
    entry = feed.entries[0]
    assert "<strong>maps</strong>" in entry.summary and "Eland House" in entry.summary
    assert entry.id == site_url(f"/events/{Event.objects.get(title='Mapping workshop').pk}/")
    assert entry.link.startswith(site_url("/events/"))


def test_programmes_feed_lists_approved_programmes_only(client):
    make_programme("Talk About Local", summary="Hyperlocal websites.")
    hidden = make_programme("Not yet approved")
    Programme.objects.filter(pk=hidden.pk).update(approved_at=None)
    feed, _ = _parse(client, "/programmes/feed/")
    assert [e.title for e in feed.entries] == ["Talk About Local"]
    assert feed.entries[0].link == site_url("/programmes/talk-about-local/")
    assert "Hyperlocal websites." in feed.entries[0].summary


# --- Private content ---------------------------------------------------------------------------


SECRETS = ("Secret agenda draft", "closed-body-text", "closed-reply-text")


def test_public_feeds_never_show_closed_content_even_to_members(client, world):
    client.force_login(world["member"])  # public addresses ignore who is logged in
    for url in ["/discussions/feed/", "/discussions/tags/mapping/feed/", "/events/feed/"]:
        body = client.get(url).content.decode()
        assert not any(text in body for text in SECRETS), url
    assert client.get(f"/discussions/{world['secret'].pk}/feed/").status_code == 404
    assert client.get(f"/groups/{world['closed'].slug}/feed/").status_code == 404


def test_private_feed_shows_a_members_closed_groups_until_reset(client, world):
    member = world["member"]
    token = member_feed_token(user=member)
    url = f"/feeds/private/{token}/discussions/"
    feed, _ = _parse(client, url)
    assert {e.title for e in feed.entries} == {"Secret agenda draft", "Who maps the programmes?"}
    assert "This address is private" in feed.feed.description

    thread = f"/feeds/private/{token}/discussions/{world['secret'].pk}/"
    replies, _ = _parse(client, thread)
    assert [e.summary for e in replies.entries] == ["<p>closed-reply-text</p>"]

    # Someone outside the group gets only what they may read.
    outsider = member_feed_token(user=UserFactory())
    outsider_feed, _ = _parse(client, f"/feeds/private/{outsider}/discussions/")
    assert [e.title for e in outsider_feed.entries] == ["Who maps the programmes?"]
    assert (
        client.get(f"/feeds/private/{outsider}/discussions/{world['secret'].pk}/").status_code
        == 404
    )

    # Tampered and reset addresses stop at once.
    assert client.get(f"/feeds/private/{token}x/discussions/").status_code == 404
    member_reset_feed_token(user=member)
    assert client.get(url).status_code == 404
    assert client.get(thread).status_code == 404


def test_leaving_the_group_takes_its_content_out_of_the_private_feed(client, world):
    from groups import services as group_services

    member = world["member"]
    url = f"/feeds/private/{member_feed_token(user=member)}/discussions/"
    etag = client.get(url)["ETag"]
    group_services.group_leave(group=world["closed"], member=member)
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Secret agenda draft" not in response.content.decode()


# --- Conditional GET -----------------------------------------------------------------------------


def _feed_urls(world):
    return [
        "/discussions/feed/",
        "/discussions/feed/?format=atom",
        "/discussions/tags/mapping/feed/",
        f"/discussions/{world['public'].pk}/feed/",
        "/events/feed/",
        "/programmes/feed/",
        f"/feeds/private/{member_feed_token(user=world['member'])}/discussions/",
        f"/groups/{world['closed'].slug}/feed/{member_feed_token(user=world['member'])}/",
    ]


def test_every_feed_answers_a_repeat_request_with_304(client, world):
    make_event(title="Mapping workshop")
    make_programme("Talk About Local")
    for url in _feed_urls(world):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first.has_header("ETag") and first.has_header("Last-Modified"), url
        by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
        assert by_etag.status_code == 304 and by_etag.content == b"", url
        by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
        assert by_date.status_code == 304, url
        again = client.get(url)
        assert again["ETag"] == first["ETag"], url


def test_a_new_post_makes_the_feed_new_again(client, world):
    url = "/discussions/feed/"
    first = client.get(url)
    new = discussion_services.discussion_create(author=world["author"], title="Fresh", body="x")
    later = timezone.now() + timedelta(seconds=5)
    Discussion.objects.filter(pk=new.pk).update(created=later)  # a later second than the first
    by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
    assert by_etag.status_code == 200 and by_etag["ETag"] != first["ETag"]
    assert by_etag["Last-Modified"] == http_date(int(later.timestamp()))
    by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert by_date.status_code == 200
    assert "Fresh" in by_date.content.decode()


def test_a_reply_edit_or_removal_makes_the_replies_feed_new_again(client, world):
    public = world["public"]
    url = f"/discussions/{public.pk}/feed/"
    etag = client.get(url)["ETag"]
    reply = Reply.objects.get(discussion=public)
    discussion_services.reply_edit(reply=reply, editor=world["member"], body="I can help a lot.")
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200 and "I can help a lot." in response.content.decode()
    etag = response["ETag"]
    discussion_services.reply_remove(reply=reply, remover=world["member"])
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200 and "I can help" not in response.content.decode()


def test_feeds_are_read_only(client, world):
    assert client.post("/discussions/feed/").status_code == 405
    assert client.head("/discussions/feed/").status_code == 200


# --- Query counts --------------------------------------------------------------------------


def _bulk_discussions(n, *, author, group=None, tag=None, start=0):
    now = timezone.now()
    rows = Discussion.objects.bulk_create(
        Discussion(
            title=f"Bulk discussion {i}",
            slug=f"bulk-discussion-{i}",
            body=f"Body {i}",
            body_html=f"<p>Body {i}</p>",
            author=author,
            group=group,
            last_activity_at=now,
        )
        for i in range(start, start + n)
    )
    if tag:
        through = Discussion.tags.through
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(Discussion)
        through.objects.bulk_create(
            through(content_type=content_type, object_id=d.pk, tag=tag) for d in rows
        )


def _bulk_replies(discussion, n, *, author):
    discussion.refresh_from_db()
    start = discussion.reply_total
    Reply.objects.bulk_create(
        Reply(
            discussion=discussion,
            author=author,
            position=start + i + 1,
            body=f"Reply {i}",
            body_html=f"<p>Reply {i}</p>",
        )
        for i in range(n)
    )
    Discussion.objects.filter(pk=discussion.pk).update(reply_total=start + n, reply_count=start + n)


def _bulk_events(n, *, creator, start=0):
    soon = timezone.now() + timedelta(days=3)
    Event.objects.bulk_create(
        Event(
            title=f"Bulk event {i}",
            slug=f"bulk-event-{i}",
            description_html=f"<p>Event {i}</p>",
            created_by=creator,
            starts_at=soon + timedelta(hours=i),
            ends_at=soon + timedelta(hours=i + 1),
            venue_name="Somewhere",
        )
        for i in range(start, start + n)
    )


def test_feed_queries_are_the_same_for_10_and_1000_items(client, world):
    from taggit.models import Tag

    author, member = world["author"], world["member"]
    tag = Tag.objects.get(slug="mapping")
    public, closed = world["public"], world["closed"]
    token = member_feed_token(user=member)
    grow = {
        "/discussions/feed/": lambda n, s: _bulk_discussions(n, author=author, start=s),
        "/discussions/feed/?format=atom": lambda n, s: None,
        "/discussions/tags/mapping/feed/": lambda n, s: _bulk_discussions(
            n, author=author, tag=tag, start=10_000 + s
        ),
        f"/discussions/{public.pk}/feed/": lambda n, s: _bulk_replies(public, n, author=member),
        f"/feeds/private/{token}/discussions/": lambda n, s: _bulk_discussions(
            n, author=author, group=closed, start=20_000 + s
        ),
        f"/groups/{closed.slug}/feed/{token}/": lambda n, s: None,
        "/events/feed/": lambda n, s: _bulk_events(n, creator=author, start=s),
        "/programmes/feed/": lambda n, s: bulk_programmes(n, start=s),
    }
    for add in grow.values():
        add(10, 0)
    client.get("/discussions/feed/")  # the first request of the process caches the Site row
    small = {url: queries_for(client, url) for url in grow}
    for add in grow.values():
        add(990, 10)
    for url in grow:
        cache.clear()
        assert_max_queries(small[url], FEED_MAX_QUERIES, url)
        large = queries_for(client, url)
        assert_same_queries(small[url], large, f"{url} with 1,000 items")
        # and the feed shows its full complement, not 10
        items = ElementTree.fromstring(client.get(url).content)
        count = len(items.findall("channel/item")) or len(
            items.findall("{http://www.w3.org/2005/Atom}entry")
        )
        assert count >= 30, url


def test_a_304_reads_no_items(client, world):
    _bulk_discussions(50, author=world["author"])
    etag = client.get("/discussions/feed/")["ETag"]
    with_items = queries_for(client, "/discussions/feed/")[0]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/discussions/feed/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert len(ctx.captured_queries) < with_items


# --- Advertised on the pages ---------------------------------------------------------------------


def _alternates(html: str) -> list[str]:

    return re.findall(
        r'<link rel="alternate"\s+type="application/rss\+xml"[^>]*href="([^"]+)"', html
    )


def test_pages_advertise_their_feeds(client, world):
    public, secret = world["public"], world["secret"]
    open_group = make_group(kind="open", organiser=world["author"], name="Open planners")
    pages = {
        "/discussions/": "/discussions/feed/",
        "/discussions/tags/mapping/": "/discussions/tags/mapping/feed/",
        public.get_absolute_url(): f"/discussions/{public.pk}/feed/",
        "/events/": "/events/feed/",
        "/programmes/": "/programmes/feed/",
        open_group.get_absolute_url(): f"/groups/{open_group.slug}/feed/",
        "/feeds/": "/discussions/feed/",
    }
    for page, feed in pages.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert feed in _alternates(response.content.decode()), page
        assert client.get(feed).status_code == 200, feed
    # The cached copy for visitors keeps the link.
    assert f"/discussions/{public.pk}/feed/" in _alternates(
        client.get(public.get_absolute_url()).content.decode()
    )
    # A member reading a closed group's discussion is given their private address.
    member = world["member"]
    client.force_login(member)
    html = client.get(secret.get_absolute_url()).content.decode()
    token = member_feed_token(user=member)
    assert _alternates(html) == [f"/feeds/private/{token}/discussions/{secret.pk}/"]
    assert client.get(_alternates(html)[0]).status_code == 200


def test_feeds_page_lists_public_feeds_and_the_members_private_address(client, world):
    open_group = make_group(kind="open", organiser=world["author"], name="Open planners")
    html = client.get("/feeds/").content.decode()
    for href in [
        "/discussions/feed/",
        "/events/feed/",
        "/programmes/feed/",
        "/events/calendar.ics",
        f"/groups/{open_group.slug}/feed/",
        "/discussions/tags/mapping/feed/",
    ]:
        assert f'href="{href}"' in html, href
    assert world["closed"].slug not in html
    assert "/feeds/private/" not in html

    member = world["member"]
    client.force_login(member)
    html = client.get("/feeds/").content.decode()
    token = member_feed_token(user=member)
    assert f"http://testserver/feeds/private/{token}/discussions/" in html
    assert "make a new one" in html and 'href="/events/calendar/"' in html


def test_a_discussion_titled_feed_keeps_its_own_page(client):
    discussion = discussion_services.discussion_create(
        author=UserFactory(), title="Feed", body="About feeds."
    )
    assert discussion.slug == "feed-discussion"
    assert client.get(discussion.get_absolute_url()).status_code == 200


def test_a_programme_cannot_take_the_feed_address():
    assert make_programme("Feed").slug == "feed-programme"
    assert Programme.objects.filter(slug="feed").count() == 0


def test_visibility_of_public_feeds_is_the_visitors():
    # Public feeds resolve their reader as an anonymous visitor, whoever is logged in.
    from socialbysocial.feeds import feed_reader

    assert isinstance(feed_reader(None), AnonymousUser)
