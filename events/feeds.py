"""The upcoming events feed: public events only (events in closed and private groups are
never in it). Items are announced when the event is added; the date is in the title."""

from django.conf import settings
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from events.models import Event
from events.selectors import visible_events
from socialbysocial.feeds import ConditionalFeed, FeedContext, feed_reader, site_url

FEED_EVENTS = 50


def _when(event: Event) -> str:
    return date_format(timezone.localtime(event.starts_at), "D j F Y, H:i")


class UpcomingEventsFeed(ConditionalFeed):
    def resolve(self, request):
        return None, feed_reader(None)

    def freshness(self, subject, reader):
        # One aggregate: upcoming events (how many, last edit) and the last one to end, so an
        # event dropping off the list when it ends changes the feed's version and time too.
        upcoming = Q(ends_at__gte=timezone.now())
        agg = visible_events(reader).aggregate(
            count=Count("pk", filter=upcoming),
            updated=Max("updated", filter=upcoming),
            ended=Max("ends_at", filter=~upcoming),
        )
        latest = max((t for t in (agg["updated"], agg["ended"]) if t), default=None)
        return (agg["count"], agg["updated"], agg["ended"]), latest

    def title(self, ctx: FeedContext) -> str:
        return f"{settings.SITE_NAME}: upcoming events"

    def link(self, ctx: FeedContext) -> str:
        return site_url(reverse("events:index"))

    def description(self, ctx: FeedContext) -> str:
        return f"Workshops, meet-ups and unconferences coming up on {settings.SITE_NAME}."

    def items(self, ctx: FeedContext):
        return (
            visible_events(ctx.reader)
            .filter(ends_at__gte=timezone.now())
            .select_related("created_by")
            .only(
                "title",
                "slug",
                "description_html",
                "starts_at",
                "venue_name",
                "venue_address",
                "online_url",
                "status",
                "created",
                "updated",
                "created_by__username",
                "created_by__display_name",
            )
            .order_by("starts_at", "pk")[:FEED_EVENTS]
        )

    def item_title(self, item: Event) -> str:
        prefix = "Cancelled: " if item.is_cancelled else ""
        return f"{prefix}{item.title} ({_when(item)})"

    def item_description(self, item: Event) -> str:
        where = item.venue_name or item.venue_address or ("Online" if item.online_url else "")
        head = format_html("<p><strong>When:</strong> {}</p>", _when(item))
        if where:
            head += format_html("<p><strong>Where:</strong> {}</p>", where)
        return head + item.description_html

    def item_guid(self, item: Event) -> str:
        # /events/<id>/ never changes; the slug in the page's address follows the title.
        return site_url(reverse("events:detail_short", kwargs={"pk": item.pk}))

    def item_pubdate(self, item: Event):
        return item.created

    def item_updateddate(self, item: Event):
        return item.updated

    def item_author_name(self, item: Event) -> str:
        return item.created_by.name if item.created_by_id else ""
