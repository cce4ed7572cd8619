"""Discussion feeds: the latest discussions, a tag's, and one discussion's replies.

Public addresses show what a visitor who is not logged in may read. A member's private address
(``/feeds/private/<secret>/…``) shows what that member may read, closed and private groups
included; resetting the secret turns every old address off.
"""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from taggit.models import Tag

from discussions import selectors
from discussions.models import Discussion, Reply
from socialbysocial.feeds import ConditionalFeed, FeedContext, feed_reader, site_url


class DiscussionItemsMixin:
    """Items that are discussions: the opening post's stored HTML, its author, its dates."""

    def item_title(self, item: Discussion) -> str:
        return item.title

    def item_description(self, item: Discussion) -> str:
        return item.body_html

    def item_guid(self, item: Discussion) -> str:
        # /discussions/<id>/ never changes; the slug in the page's address follows the title.
        return site_url(reverse("discussions:detail_short", kwargs={"pk": item.pk}))

    def item_pubdate(self, item: Discussion):
        return item.created

    def item_updateddate(self, item: Discussion):
        return item.edited_at or item.created

    def item_author_name(self, item: Discussion) -> str:
        return item.author_name


class LatestDiscussionsFeed(DiscussionItemsMixin, ConditionalFeed):
    """The newest discussions on the site; with a token, the member's own view of them."""

    def resolve(self, request, token: str | None = None):
        return None, feed_reader(token)

    def freshness(self, subject, reader):
        return selectors.feed_discussions_freshness(user=reader)

    def title(self, ctx: FeedContext) -> str:
        return f"{settings.SITE_NAME}: latest discussions"

    def link(self, ctx: FeedContext) -> str:
        return site_url(reverse("discussions:index"))

    def description(self, ctx: FeedContext) -> str:
        if ctx.reader.is_authenticated:
            return (
                f"New discussions on {settings.SITE_NAME} that {ctx.reader.name} can read, "
                "closed and private groups included. This address is private."
            )
        return f"New discussions on {settings.SITE_NAME}."

    def items(self, ctx: FeedContext):
        return selectors.feed_discussions(user=ctx.reader)


class TagDiscussionsFeed(DiscussionItemsMixin, ConditionalFeed):
    """The newest public discussions with one tag."""

    def resolve(self, request, tag_slug: str):
        tag = Tag.objects.filter(slug=tag_slug).only("name", "slug").first()
        if tag is None:
            raise Http404("No such tag.")
        return tag, feed_reader(None)

    def freshness(self, tag: Tag, reader):
        return selectors.feed_discussions_freshness(user=reader, tag_slug=tag.slug)

    def title(self, ctx: FeedContext) -> str:
        return f"{settings.SITE_NAME}: discussions tagged “{ctx.subject.name}”"

    def link(self, ctx: FeedContext) -> str:
        return site_url(reverse("discussions:tag", kwargs={"tag_slug": ctx.subject.slug}))

    def description(self, ctx: FeedContext) -> str:
        return f"New discussions tagged “{ctx.subject.name}”."

    def items(self, ctx: FeedContext):
        return selectors.feed_discussions(user=ctx.reader, tag_slug=ctx.subject.slug)


class DiscussionRepliesFeed(ConditionalFeed):
    """One discussion's replies, newest first. Public for public discussions; for one in a
    closed or private group, only at a member's private address."""

    def resolve(self, request, pk: int, token: str | None = None):
        reader = feed_reader(token)
        discussion = selectors.feed_discussion(user=reader, pk=pk)
        if discussion is None:
            raise Http404("No such discussion.")
        return discussion, reader

    def freshness(self, discussion: Discussion, reader):
        # The version moves on every change to the thread (reply, edit, removal, tags).
        times = (
            discussion.last_activity_at,
            discussion.edited_at,
            discussion.replies_edited,
            discussion.replies_removed,
        )
        return discussion.version, max((t for t in times if t), default=None)

    def title(self, ctx: FeedContext) -> str:
        return f"Replies to “{ctx.subject.title}”"

    def link(self, ctx: FeedContext) -> str:
        return site_url(ctx.subject.get_absolute_url())

    def description(self, ctx: FeedContext) -> str:
        return f"New replies in the discussion “{ctx.subject.title}” on {settings.SITE_NAME}."

    def items(self, ctx: FeedContext):
        return selectors.feed_replies(discussion=ctx.subject)

    def item_title(self, item: Reply) -> str:
        return f"{item.author_name} replied to “{item.discussion.title}”"

    def item_description(self, item: Reply) -> str:
        return item.body_html

    def item_pubdate(self, item: Reply):
        return item.created

    def item_updateddate(self, item: Reply):
        return item.edited_at or item.created

    def item_author_name(self, item: Reply) -> str:
        return item.author_name
