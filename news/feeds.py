"""RSS (and Atom) of "News from the network": public entries only (open groups and programmes),
with conditional GET like every other feed."""

from django.db.models import Count, Max
from django.urls import reverse

from news import selectors
from socialbysocial.feeds import ConditionalFeed, FeedContext, feed_reader, site_url

FEED_ITEMS = 50


class NetworkNewsFeed(ConditionalFeed):
    def resolve(self, request):
        return None, feed_reader(None)

    def freshness(self, subject, reader):
        agg = selectors.public_entries().aggregate(
            count=Count("pk"), fetched=Max("fetched_at"), published=Max("published_at")
        )
        return (agg["count"], agg["fetched"], agg["published"]), agg["fetched"]

    def title(self, ctx: FeedContext) -> str:
        return "News from the network"

    def link(self, ctx: FeedContext) -> str:
        return site_url(reverse("news:index"))

    def description(self, ctx: FeedContext) -> str:
        return "The latest posts from the blogs and sites of programmes and groups."

    def items(self, ctx: FeedContext):
        return selectors.public_entries().select_related("feed__programme", "feed__group")[
            :FEED_ITEMS
        ]

    def item_title(self, item) -> str:
        return f"{item.title} ({source_name(item)})"

    def item_description(self, item) -> str:
        return item.summary_html

    def item_link(self, item) -> str:
        return item.link or site_url(f"{reverse('news:index')}#entry-{item.pk}")

    def item_guid(self, item) -> str:
        return site_url(f"{reverse('news:index')}#entry-{item.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at


def source_name(entry) -> str:
    owner = entry.feed.programme or entry.feed.group
    return owner.name if owner is not None else ""
