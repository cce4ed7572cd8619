"""Reads shared by pages, feeds and search. Every read starts from ``visible_discussions``."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from discussions.models import Discussion, Reply
from groups.visibility import readable_content

REPLIES_PER_PAGE = 50
SEARCH_RESULTS_LIMIT = 100
SEARCH_CONFIG = "english"


def visible_discussions(user) -> QuerySet[Discussion]:
    """Discussions a person may see: not removed, and readable under the groups rule."""
    return Discussion.objects.filter(readable_content(user), removed_at__isnull=True)


def discussion_list(*, user, tag_slug: str | None = None) -> QuerySet[Discussion]:
    discussions = (
        visible_discussions(user)
        .select_related("author", "group")
        .prefetch_related("tags")
        .only(
            "title",
            "slug",
            "created",
            "last_activity_at",
            "reply_count",
            "view_count",
            "pinned",
            "locked",
            "author__username",
            "author__display_name",
            "group__name",
            "group__slug",
        )
        .order_by("-pinned", "-last_activity_at", "-pk")
    )
    if tag_slug:
        discussions = discussions.filter(tags__slug=tag_slug)
    return discussions


def discussion_for_page(*, user, pk: int, include_removed: bool = False) -> Discussion | None:
    discussions = Discussion.objects.all() if include_removed else visible_discussions(user)
    # A lean row: the page needs these on every request. The body, author and tags are read
    # only when the cached thread fragment has to be rendered again.
    return (
        discussions.only(
            "title",
            "slug",
            "author_id",
            "group_id",
            "created",
            "last_activity_at",
            "edited_at",
            "removed_at",
            "reply_count",
            "reply_total",
            "view_count",
            "version",
            "pinned",
            "locked",
        )
        .filter(pk=pk)
        .first()
    )


# --- Feeds -------------------------------------------------------------------------------------

FEED_ITEMS = 30
FEED_REPLIES = 50


def _feed_scope(*, user, tag_slug: str | None = None, group=None) -> QuerySet[Discussion]:
    discussions = visible_discussions(user)
    if tag_slug:
        discussions = discussions.filter(tags__slug=tag_slug)
    if group is not None:
        discussions = discussions.filter(group=group)
    return discussions


def feed_discussions(
    *, user, tag_slug: str | None = None, group=None, limit: int = FEED_ITEMS
) -> QuerySet[Discussion]:
    """The newest discussions ``user`` may read, with their stored HTML (one query)."""
    return (
        _feed_scope(user=user, tag_slug=tag_slug, group=group)
        .select_related("author")
        .only(
            "title",
            "slug",
            "body_html",
            "created",
            "edited_at",
            "author__username",
            "author__display_name",
        )
        .order_by("-created", "-pk")[:limit]
    )


def feed_discussions_freshness(*, user, tag_slug: str | None = None, group=None):
    """(version key, latest change) of what ``feed_discussions`` shows, in one aggregate.

    A new discussion moves the newest ``created``; an edit moves ``edited_at``; a removal, a
    group changing kind or a reader joining or leaving a group changes the count.
    """
    agg = _feed_scope(user=user, tag_slug=tag_slug, group=group).aggregate(
        count=Count("pk"), created=Max("created"), edited=Max("edited_at")
    )
    latest = max((t for t in (agg["created"], agg["edited"]) if t), default=None)
    return (agg["count"], agg["created"], agg["edited"]), latest


def feed_tags(*, user, limit: int = 40) -> QuerySet[Tag]:
    """The tags most used on discussions ``user`` may read, by name (one query)."""
    return (
        Tag.objects.filter(discussion__in=visible_discussions(user))
        .annotate(uses=Count("discussion"))
        .order_by("-uses", "name")[:limit]
    )


def feed_discussion(*, user, pk: int) -> Discussion | None:
    """A discussion for its replies feed, with when its replies last changed (one query)."""
    return (
        visible_discussions(user)
        .filter(pk=pk)
        .only("title", "slug", "version", "last_activity_at", "edited_at")
        .annotate(
            replies_edited=Max("replies__edited_at"), replies_removed=Max("replies__removed_at")
        )
        .first()
    )


def feed_replies(*, discussion: Discussion, limit: int = FEED_REPLIES) -> list[Reply]:
    """The newest replies shown in a discussion, newest first (one query)."""
    replies = list(
        Reply.objects.filter(discussion=discussion, removed_at__isnull=True)
        .select_related("author")
        .only(
            "position",
            "body_html",
            "created",
            "edited_at",
            "discussion_id",
            "author__username",
            "author__display_name",
        )
        .order_by("-position")[:limit]
    )
    for reply in replies:
        reply.discussion = discussion  # already loaded: no query per reply
    return replies


def page_count(discussion: Discussion) -> int:
    return max(1, -(-discussion.reply_total // REPLIES_PER_PAGE))


def page_of_position(position: int) -> int:
    return (position - 1) // REPLIES_PER_PAGE + 1


def reply_page(*, discussion: Discussion, page: int) -> list[Reply]:
    """One page of replies by stored position: page 50 costs what page 1 costs (no OFFSET)."""
    first = (page - 1) * REPLIES_PER_PAGE + 1
    return list(
        Reply.objects.filter(
            discussion=discussion, position__gte=first, position__lt=first + REPLIES_PER_PAGE
        )
        .select_related("author", "in_reply_to__author")
        .only(
            "position",
            "body_html",
            "created",
            "edited_at",
            "removed_at",
            "author_id",
            "author__username",
            "author__display_name",
            "in_reply_to__id",
            "in_reply_to__author__username",
            "in_reply_to__author__display_name",
            "in_reply_to__removed_at",
        )
        .order_by("position")
    )


def quote_markdown(reply: Reply) -> str:
    """The start of a quoting reply: a blockquote headed "<name> said:" with the source text."""
    lines = [f"> **{reply.author_name} said:**", ">"]
    lines += [f"> {line}".rstrip() for line in reply.body.splitlines()]
    return "\n".join(lines) + "\n\n"


# --- Search ----------------------------------------------------------------------------------

WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class SearchResult:
    discussion: Discussion
    reply: Reply | None
    rank: float
    excerpt: SafeString

    @property
    def url(self) -> str:
        return self.reply.get_absolute_url() if self.reply else self.discussion.get_absolute_url()


def search_terms(query: str) -> list[str]:
    return WORD_RE.findall(query.lower())[:10]


def _excerpt(text: str, terms: list[str], width: int = 220) -> SafeString:
    """A window of the source text around the first matching word, with matches marked."""
    lowered = text.lower()
    hits = [lowered.find(t[:5]) for t in terms if lowered.find(t[:5]) >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    window = text[start : start + width]
    html = escape(window)
    for term in sorted(set(terms), key=len, reverse=True):
        stem = re.escape(escape(term[:5]))
        html = re.sub(rf"(?i)(?<!&)\b({stem}\w*)", r"<mark>\1</mark>", html)
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 -- escaped above, only <mark> added


def search(*, user, query: str) -> list[SearchResult]:
    """Discussions and replies matching all the words, best first.

    PostgreSQL: full-text search (websearch syntax, English stemming) ranked with ts_rank and
    served by GIN expression indexes. Elsewhere: every word as a case-insensitive substring.
    """
    terms = search_terms(query)
    if not terms:
        return []
    visible = visible_discussions(user)
    if connection.vendor == "postgresql":
        discussions, replies = _search_postgres(visible, query)
    else:
        discussions, replies = _search_fallback(visible, terms)
    results = [
        SearchResult(discussion=d, reply=None, rank=d.rank, excerpt=_excerpt(d.body, terms))
        for d in discussions
    ] + [
        SearchResult(discussion=r.discussion, reply=r, rank=r.rank, excerpt=_excerpt(r.body, terms))
        for r in replies
    ]
    results.sort(key=lambda r: r.rank, reverse=True)
    return results[:SEARCH_RESULTS_LIMIT]


def _search_postgres(visible: QuerySet[Discussion], query: str):
    discussions, replies = search_querysets_postgres(visible, query)
    return list(discussions), list(replies)


def search_querysets_postgres(visible: QuerySet[Discussion], query: str):
    """The two ranked queries; each is answered from its GIN index (see migration 0002)."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    discussion_vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "body", weight="B", config=SEARCH_CONFIG
    )
    discussions = (
        visible.annotate(document=discussion_vector)
        .filter(document=search_query)
        .annotate(rank=SearchRank(discussion_vector, search_query))
        .only("title", "slug", "body", "last_activity_at")
        .order_by("-rank")[:SEARCH_RESULTS_LIMIT]
    )
    reply_vector = SearchVector("body", config=SEARCH_CONFIG)
    replies = (
        Reply.objects.filter(discussion__in=visible, removed_at__isnull=True)
        .annotate(document=reply_vector)
        .filter(document=search_query)
        .annotate(rank=SearchRank(reply_vector, search_query) * 0.9)
        .select_related("discussion")
        .only("body", "position", "created", "discussion__title", "discussion__slug")
        .order_by("-rank")[:SEARCH_RESULTS_LIMIT]
    )
    return discussions, replies


def _search_fallback(visible: QuerySet[Discussion], terms: list[str]):
    d_filter, r_filter = Q(), Q()
    for term in terms:
        d_filter &= Q(title__icontains=term) | Q(body__icontains=term)
        r_filter &= Q(body__icontains=term)
    discussions = list(
        visible.filter(d_filter)
        .only("title", "slug", "body", "last_activity_at")
        .order_by("-last_activity_at")[:SEARCH_RESULTS_LIMIT]
    )
    for d in discussions:
        d.rank = 1.0 + sum(t in d.title.lower() for t in terms)
    replies = list(
        Reply.objects.filter(r_filter, discussion__in=visible, removed_at__isnull=True)
        .select_related("discussion")
        .only("body", "position", "created", "discussion__title", "discussion__slug")
        .order_by("-created")[:SEARCH_RESULTS_LIMIT]
    )
    for r in replies:
        r.rank = 0.9
    return discussions, replies
