"""Every email the site sends goes through the outbox table.

``outbox_queue`` writes the message in the caller's transaction, so deciding to send and
recording it commit together (or not at all). After commit a task delivers it; a periodic task
retries anything still unsent (e.g. after Redis or the mail server was down).
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from socialbysocial.queue import enqueue
from socialbysocial.text import one_line
from subscriptions.models import OutgoingEmail

CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 8


def _subject(subject: str) -> str:
    """One line, prefixed, and short enough for the column (long titles are cut with …)."""
    text = one_line(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject)
    limit = OutgoingEmail._meta.get_field("subject").max_length
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def outbox_queue(
    *, to: str, subject: str, text: str, html: str = "", headers=None, kind: str
) -> OutgoingEmail:
    email = OutgoingEmail.objects.create(
        to=to,
        subject=_subject(subject),
        body_text=text,
        body_html=html,
        headers=headers or {},
        kind=kind,
    )
    _deliver_after_commit([email.pk])
    return email


def outbox_queue_many(emails: list[OutgoingEmail]) -> list[OutgoingEmail]:
    """Write many messages in one query (digest batches); deliver them after commit."""
    for email in emails:
        email.subject = _subject(email.subject)
    created = OutgoingEmail.objects.bulk_create(emails)
    _deliver_after_commit([e.pk for e in created])
    return created


def _deliver_after_commit(ids: list[int]) -> None:
    from subscriptions.tasks import deliver_emails

    # If the broker is down the rows simply wait: deliver-pending-emails sends them later.
    enqueue(deliver_emails, ids)


def outbox_deliver(*, email_id: int, connection=None) -> bool:
    """Send one message unless it is sent or being sent. Returns whether this call sent it."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT),
        pk=email_id,
        sent_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        to=[email.to],
        headers=email.headers,
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except OSError as exc:  # the mail server: release the claim, try again later
        OutgoingEmail.objects.filter(pk=email_id).update(claimed_at=None, last_error=str(exc))
        raise
    OutgoingEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), last_error="")
    return True


def outbox_pending_ids(limit: int = 500) -> list[int]:
    stale = timezone.now() - CLAIM_TIMEOUT
    return list(
        OutgoingEmail.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale),
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            created__lt=timezone.now() - timedelta(minutes=1),
        )
        .order_by("created")
        .values_list("pk", flat=True)[:limit]
    )
