"""Reads of news entries. ``visible_entries`` is the one place the visibility rule is applied:
entries of a group's feed are that group's content; programme feeds are public."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from groups.visibility import readable_content
from news.models import ExternalFeed, FeedEntry

LATEST = 5


def visible_entries(user) -> QuerySet[FeedEntry]:
    """Entries of active feeds that ``user`` may read, newest first, with their source."""
    user = user if user is not None else AnonymousUser()
    entries = FeedEntry.objects.filter(feed__active=True).filter(
        readable_content(user, field="feed__group")
    )
    if not (user.is_authenticated and user.is_staff):
        # A programme suggestion waiting for approval is not public yet, nor is its news.
        entries = entries.filter(
            Q(feed__programme__isnull=True) | Q(feed__programme__approved_at__isnull=False)
        )
    return (
        entries.select_related("feed__programme", "feed__group")
        .only(
            "title",
            "link",
            "summary_html",
            "published_at",
            "feed__title",
            "feed__url",
            "feed__programme__name",
            "feed__programme__slug",
            "feed__group__name",
            "feed__group__slug",
        )
        .order_by("-published_at", "-pk")
    )


def public_entries() -> QuerySet[FeedEntry]:
    """What anyone may read: for the outgoing feed."""
    return visible_entries(AnonymousUser())


def latest_entries(user, *, programme=None, group=None, limit: int = LATEST) -> list[FeedEntry]:
    """The newest entries from one programme's or group's feeds that ``user`` may read."""
    entries = visible_entries(user)
    if programme is not None:
        entries = entries.filter(feed__programme=programme)
    else:
        entries = entries.filter(feed__group=group)
    return list(entries[:limit])


def owner_feeds(*, programme=None, group=None) -> list[ExternalFeed]:
    """A programme's or group's registered feeds, for its organisers."""
    owner = {"programme": programme} if programme is not None else {"group": group}
    return list(ExternalFeed.objects.filter(**owner).order_by("created"))
