"""The programmes feed: newly listed national programmes, newest first."""

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.html import format_html

from programmes.models import Programme
from programmes.selectors import listed_programmes
from socialbysocial.feeds import ConditionalFeed, FeedContext, feed_reader, site_url

FEED_PROGRAMMES = 50


class ProgrammesFeed(ConditionalFeed):
    def resolve(self, request):
        return None, feed_reader(None)

    def freshness(self, subject, reader):
        agg = listed_programmes().aggregate(
            count=Count("pk"), updated=Max("updated"), approved=Max("approved_at")
        )
        latest = max((t for t in (agg["updated"], agg["approved"]) if t), default=None)
        return (agg["count"], agg["updated"], agg["approved"]), latest

    def title(self, ctx: FeedContext) -> str:
        return f"{settings.SITE_NAME}: national programmes"

    def link(self, ctx: FeedContext) -> str:
        return site_url(reverse("programmes:index"))

    def description(self, ctx: FeedContext) -> str:
        return "National programmes and initiatives newly added to the map of who's doing what."

    def items(self, ctx: FeedContext):
        return (
            listed_programmes()
            .prefetch_related("lead_organisations")
            .only("name", "slug", "summary", "description_html", "approved_at", "updated")
            .order_by("-approved_at", "-pk")[:FEED_PROGRAMMES]
        )

    def item_title(self, item: Programme) -> str:
        return item.name

    def item_description(self, item: Programme) -> str:
        summary = format_html("<p>{}</p>", item.summary) if item.summary else ""
        return summary + item.description_html

    def item_pubdate(self, item: Programme):
        return item.approved_at

    def item_updateddate(self, item: Programme):
        return item.updated

    def item_author_name(self, item: Programme) -> str:
        return ", ".join(org.name for org in item.lead_organisations.all())
