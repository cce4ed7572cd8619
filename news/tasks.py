"""Polling external feeds, by Celery beat every 15 minutes. Tasks take ids."""

from celery import shared_task
from django.db import OperationalError

from news import services
from news.models import ExternalFeed

# Only the database being briefly unavailable is worth a retry; anything the remote feed does
# is recorded on the feed by the service (which backs off) and never raised.
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 60, "max_retries": 3}


@shared_task(**RETRY)
def poll_feed(feed_id: int) -> int:
    feed = ExternalFeed.objects.filter(pk=feed_id, active=True).first()
    if feed is None:
        return 0
    return services.feed_poll(feed=feed)


@shared_task(**RETRY)
def poll_due_feeds() -> int:
    """Queue a poll of every active feed whose next check is due (each leased, so a second
    run before they finish queues nothing twice)."""
    ids = services.feeds_claim_due()
    for feed_id in ids:
        poll_feed.delay(feed_id)
    return len(ids)
