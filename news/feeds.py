"""RSS of "News from the network": public entries only (open groups and programmes)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from news import selectors

FEED_ITEMS = 50


class NetworkNewsFeed(Feed):
    feed_type = Rss201rev2Feed
    title = "News from the network"
    description = "The latest posts from the blogs and sites of programmes and groups."

    def link(self) -> str:
        return reverse("news:index")

    def items(self):
        return selectors.public_entries()[:FEED_ITEMS]

    def item_title(self, item) -> str:
        return f"{item.title} ({source_name(item)})"

    def item_description(self, item) -> str:
        return item.summary_html

    def item_link(self, item) -> str:
        return item.link or f"{reverse('news:index')}#entry-{item.pk}"

    def item_pubdate(self, item):
        return item.published_at


def source_name(entry) -> str:
    owner = entry.feed.programme or entry.feed.group
    return owner.name if owner is not None else ""
