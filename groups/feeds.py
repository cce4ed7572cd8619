"""RSS of a group's discussions. Open groups: a public address. Closed and private groups:
only at a member's own secret address (their feed token), never publicly."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Rss201rev2Feed

from groups import selectors, visibility
from groups.models import Group
from members.models import User


class GroupDiscussionsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, slug: str, token: str | None = None):
        if token is None:
            reader = AnonymousUser()
        else:
            reader = get_object_or_404(User, feed_token=token, is_active=True)
        group = get_object_or_404(visibility.visible_groups(reader), slug=slug)
        member = visibility.membership(reader, group)
        if not visibility.can_read_content(reader, group, member):
            raise Http404("No such feed.")
        self.reader = reader
        return group

    def title(self, group: Group) -> str:
        return f"{group.name}: discussions"

    def link(self, group: Group) -> str:
        return group.get_absolute_url()

    def description(self, group: Group) -> str:
        return f"New discussions in the group {group.name}."

    def items(self, group: Group):
        return selectors.group_feed_items(user=self.reader, group=group)

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.body_html

    def item_pubdate(self, item):
        return item.created

    def item_author_name(self, item) -> str:
        return item.author_name
