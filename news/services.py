"""Every write to news feeds and entries: registering and removing feeds, and polling one.

Polling never raises for anything the remote side does (timeouts, HTTP errors, huge bodies,
malformed XML, hostile HTML): it records ``last_error``, counts the failure and backs off.
"""

import calendar
import hashlib
import html
import io
import logging
from datetime import UTC, datetime, timedelta

import feedparser
import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from groups import visibility
from groups.models import Group
from news import fetch
from news.models import (
    GUID_MAX_LENGTH,
    LINK_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    ExternalFeed,
    FeedEntry,
    http_url,
)
from programmes import services as programme_services
from programmes.models import Programme
from socialbysocial.markdown import sanitise_html

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(days=1)
SUMMARY_WORDS = 80
RAW_SUMMARY_MAX = 50_000


# --- Who may manage a programme's or group's feeds ----------------------------------------------


def may_manage_feeds(user, *, programme: Programme | None = None, group: Group | None = None):
    """Staff; a programme's confirmed organisers; a group's organisers."""
    if programme is not None:
        return programme_services.is_organiser(user, programme)
    if group is not None:
        return visibility.is_organiser(user, group, visibility.membership(user, group))
    return False


def _owner_filter(*, programme: Programme | None, group: Group | None) -> dict:
    if (programme is None) == (group is None):
        raise ValueError("A feed belongs to exactly one programme or group.")
    return {"programme": programme} if programme is not None else {"group": group}


@transaction.atomic
def feed_add(
    *,
    url: str,
    actor,
    programme: Programme | None = None,
    group: Group | None = None,
    title: str = "",
) -> ExternalFeed:
    """Register an external feed for a programme or group, and poll it soon after commit."""
    owner = _owner_filter(programme=programme, group=group)
    if not may_manage_feeds(actor, programme=programme, group=group):
        raise PermissionDenied("Only organisers and staff can change this page's news feeds.")
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError(f"That address is too long (at most {URL_MAX_LENGTH} characters).")
    try:
        http_url(url)
    except ValidationError as exc:
        raise ValidationError(
            "Enter the full address of an RSS or Atom feed, starting with http:// or https://."
        ) from exc
    # Lock the owner's row so two organisers adding at once cannot pass the limit together.
    model = Programme if programme is not None else Group
    model.objects.select_for_update().filter(pk=(programme or group).pk).first()
    existing = ExternalFeed.objects.filter(**owner)
    if existing.filter(url=url).exists():
        raise ValidationError("That feed is already listed here.")
    limit = settings.NEWS_FEEDS_PER_OWNER
    if existing.count() >= limit:
        raise ValidationError(f"At most {limit} feeds can be listed; remove one first.")
    feed = ExternalFeed(url=url, title=title.strip()[:200], added_by=actor, **owner)
    feed.full_clean()
    feed.save()
    from news.tasks import poll_feed

    feed_id = feed.pk
    transaction.on_commit(lambda: poll_feed.delay(feed_id))
    return feed


@transaction.atomic
def feed_remove(*, feed: ExternalFeed, actor) -> None:
    """Remove a feed and the entries read from it."""
    if not may_manage_feeds(actor, programme=feed.programme, group=feed.group):
        raise PermissionDenied("Only organisers and staff can change this page's news feeds.")
    feed.delete()


def feeds_claim_due(*, limit: int = 500) -> list[int]:
    """Ids of active feeds due a poll, leased for one poll interval so that a second beat run
    (or a slow worker) does not queue them twice."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            ExternalFeed.objects.filter(active=True, next_check_at__lte=now)
            .order_by("next_check_at")
            .values_list("pk", flat=True)[:limit]
        )
        ExternalFeed.objects.filter(pk__in=ids).update(
            next_check_at=now + timedelta(seconds=settings.NEWS_FEED_POLL_INTERVAL)
        )
    return ids


def feed_poll_soon(*, feeds) -> int:
    """Make the given feeds due now and queue a poll of each after commit (admin "Poll now")."""
    from news.tasks import poll_feed

    ids = [feed.pk for feed in feeds]
    with transaction.atomic():
        ExternalFeed.objects.filter(pk__in=ids).update(next_check_at=timezone.now())
        for feed_id in ids:
            transaction.on_commit(lambda feed_id=feed_id: poll_feed.delay(feed_id))
    return len(ids)


# --- Polling ----------------------------------------------------------------------------------


def backoff(failures: int) -> timedelta:
    """15 minutes × 2^failures, at most a day."""
    if failures >= 10:
        return BACKOFF_MAX
    return min(BACKOFF_BASE * (2**failures), BACKOFF_MAX)


def _plain(text: str, limit: int) -> str:
    """Text with any markup removed, entities decoded (templates escape it again)."""
    cleaned = html.unescape(nh3.clean(text or "", tags=set()))
    return " ".join(cleaned.split())[:limit]


def _http_link(link: str) -> str:
    link = (link or "").strip()
    if not link or len(link) > LINK_MAX_LENGTH:
        return ""
    try:
        http_url(link)
    except ValidationError:
        return ""
    return link


def _guid(entry) -> str:
    guid = (entry.get("id") or entry.get("link") or "").strip()
    if not guid:
        basis = "\n".join(
            str(entry.get(key) or "") for key in ("title", "summary", "published", "updated")
        )
        guid = "sha256:" + hashlib.sha256(basis.encode()).hexdigest()
    if len(guid) > GUID_MAX_LENGTH:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def _published(entry, now: datetime) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return now
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return now
    # A date in the future would pin an entry to the top of the page: clamp it to now.
    return min(when, now)


def _summary(entry) -> str:
    raw = entry.get("summary") or ""
    if not raw and entry.get("content"):
        raw = entry["content"][0].get("value") or ""
    cleaned = sanitise_html(raw[:RAW_SUMMARY_MAX])
    return Truncator(cleaned).words(SUMMARY_WORDS, html=True, truncate="…")


def parse_entries(body: bytes, *, url: str, content_type: str, now: datetime):
    """(feed title, [unsaved FeedEntry]) from a feed's bytes; raises FetchError if it is not a
    feed. Entries are sanitised here, on write."""
    # A stream, never bytes: feedparser would try to open bytes that look like a file path.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={
            "content-type": content_type or "application/xml",
            "content-location": url,
        },
        sanitize_html=False,  # nh3 does it, with our rules
        resolve_relative_uris=True,
    )
    if not parsed.entries:
        if parsed.bozo or not parsed.version:
            problem = parsed.get("bozo_exception") or "no RSS or Atom entries found"
            raise fetch.FetchError(f"Not a readable RSS or Atom feed: {problem}")
    title = _plain(parsed.feed.get("title", ""), 200)
    entries, seen = [], set()
    for item in parsed.entries:
        guid = _guid(item)
        if guid in seen:
            continue
        seen.add(guid)
        entries.append(
            FeedEntry(
                guid=guid,
                title=_plain(item.get("title", ""), TITLE_MAX_LENGTH) or "(untitled)",
                link=_http_link(item.get("link", "")),
                summary_html=_summary(item),
                published_at=_published(item, now),
                fetched_at=now,
            )
        )
    entries.sort(key=lambda e: e.published_at, reverse=True)
    warning = ""
    if parsed.bozo:
        warning = f"Read, with problems: {parsed.get('bozo_exception')}"[:1000]
    return title, entries[: settings.NEWS_FEED_MAX_ENTRIES], warning


def _fail(feed: ExternalFeed, message: str, now: datetime) -> None:
    failures = feed.consecutive_failures + 1
    ExternalFeed.objects.filter(pk=feed.pk).update(
        last_checked_at=now,
        last_error=message[:2000],
        consecutive_failures=failures,
        next_check_at=now + backoff(failures),
    )
    feed.refresh_from_db()


def feed_poll(*, feed: ExternalFeed) -> int:
    """Fetch and store one feed's new entries; the number stored. Never raises for what the
    remote side does: a failure is recorded on the feed, which is then polled less often."""
    now = timezone.now()
    try:
        result = fetch.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if result.not_modified:
            title, entries, warning = "", [], ""
        else:
            title, entries, warning = parse_entries(
                result.body, url=result.url, content_type=result.content_type, now=now
            )
    except fetch.FetchError as exc:
        log.info("news feed %s: %s", feed.pk, exc)
        _fail(feed, str(exc), now)
        return 0
    except Exception as exc:  # a hostile feed must never break the task
        log.exception("news feed %s could not be read", feed.pk)
        _fail(feed, f"Could not read the feed: {exc.__class__.__name__}: {exc}", now)
        return 0
    return _store(feed, result, title, entries, warning, now)


@transaction.atomic
def _store(feed, result, title, entries, warning, now) -> int:
    stored = 0
    if entries:
        known = set(
            FeedEntry.objects.filter(feed=feed, guid__in=[e.guid for e in entries]).values_list(
                "guid", flat=True
            )
        )
        new = [e for e in entries if e.guid not in known]
        for entry in new:
            entry.feed = feed
        # ignore_conflicts: a poll running at the same time may have stored some already.
        FeedEntry.objects.bulk_create(new, ignore_conflicts=True)
        stored = len(new)
        stale = list(
            FeedEntry.objects.filter(feed=feed)
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[settings.NEWS_FEED_MAX_ENTRIES :]
        )
        if stale:
            FeedEntry.objects.filter(pk__in=stale).delete()
    changes = {
        "last_checked_at": now,
        "last_success_at": now,
        "last_error": warning,
        "consecutive_failures": 0,
        "next_check_at": now + timedelta(seconds=settings.NEWS_FEED_POLL_INTERVAL),
    }
    if not result.not_modified:
        changes["etag"] = result.etag
        changes["last_modified"] = result.last_modified
    if title and not feed.title:
        changes["title"] = title
    ExternalFeed.objects.filter(pk=feed.pk).update(**changes)
    feed.refresh_from_db()
    return stored
