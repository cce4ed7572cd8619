"""Celery tasks for emails and digests. They take ids, are idempotent, and a worker killed
mid-task has its task redone (acks_late + reject_on_worker_lost) without sending twice."""

from datetime import datetime

from celery import shared_task
from django.core.mail import get_connection

from subscriptions import digests
from subscriptions.outbox import outbox_deliver, outbox_pending_ids

IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**IDEMPOTENT, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def deliver_emails(email_ids: list[int]) -> int:
    """Send outbox messages (each claimed first, so two workers never send one twice), over
    one connection to the mail server."""
    with get_connection() as connection:
        return sum(outbox_deliver(email_id=pk, connection=connection) for pk in email_ids)


@shared_task(**IDEMPOTENT)
def deliver_pending_emails() -> int:
    """Every few minutes: send whatever the outbox still holds (e.g. after an outage)."""
    ids = outbox_pending_ids()
    if ids:
        deliver_emails.delay(ids)
    return len(ids)


@shared_task(**IDEMPOTENT)
def digest_run(frequency: str) -> int:
    """Split this frequency's members into batches, one task each."""
    period, since = digests.period_of(frequency)
    ids = digests.recipient_ids(frequency)
    for batch in digests.batches(ids):
        digest_batch.delay(batch, frequency, period, since.isoformat())
    return len(ids)


@shared_task(**IDEMPOTENT, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def digest_batch(member_ids: list[int], frequency: str, period: str, since: str) -> int:
    return digests.send_batch(
        member_ids=member_ids,
        frequency=frequency,
        period=period,
        since=datetime.fromisoformat(since),
    )
