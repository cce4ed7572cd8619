"""RSS of a group's discussions. Open groups: a public address. Closed and private groups:
only at a member's own secret address (their feed token), never publicly."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from discussions.feeds import DiscussionItemsMixin
from discussions.selectors import feed_discussions, feed_discussions_freshness
from groups import visibility
from groups.models import Group
from socialbysocial.feeds import ConditionalFeed, FeedContext, feed_reader, site_url


class GroupDiscussionsFeed(DiscussionItemsMixin, ConditionalFeed):
    def resolve(self, request, slug: str, token: str | None = None):
        reader = feed_reader(token)
        group = get_object_or_404(visibility.visible_groups(reader), slug=slug)
        member = visibility.membership(reader, group)
        if not visibility.can_read_content(reader, group, member):
            raise Http404("No such feed.")
        return group, reader

    def freshness(self, group: Group, reader):
        return feed_discussions_freshness(user=reader, group=group)

    def title(self, ctx: FeedContext) -> str:
        return f"{ctx.subject.name}: discussions"

    def link(self, ctx: FeedContext) -> str:
        return site_url(ctx.subject.get_absolute_url())

    def description(self, ctx: FeedContext) -> str:
        return f"New discussions in the group {ctx.subject.name}."

    def items(self, ctx: FeedContext):
        return feed_discussions(user=ctx.reader, group=ctx.subject)
