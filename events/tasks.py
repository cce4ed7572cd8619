"""Event emails, sent by Celery workers after the transaction that caused them commits."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from events import services
from events.calendar import event_ics
from events.models import Rsvp
from socialbysocial.links import site_url
from socialbysocial.text import one_line

SUBJECTS = {
    "going": "You're going: {title}",
    "waitlisted": "You're on the waitlist: {title}",
    "promoted": "A place opened: you're going to {title}",
    "changed": "Changed: {title}",
    "cancelled": "Cancelled: {title}",
    "reminder": "Tomorrow: {title}",
}
# Which emails carry the calendar file.
WITH_ICS = {"going", "promoted", "changed", "cancelled", "reminder"}


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def send_rsvp_email(rsvp_id: int, kind: str) -> None:
    """One email about one RSVP. Retries only on network errors, with a bounded backoff."""
    rsvp = Rsvp.objects.select_related("event", "member").filter(pk=rsvp_id).first()
    if rsvp is None or not rsvp.member.email or kind not in SUBJECTS:
        return
    event = rsvp.event
    context = {
        "rsvp": rsvp,
        "event": event,
        "kind": kind,
        "event_url": site_url(event.get_absolute_url()),
        "site_name": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=one_line(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[kind].format(title=event.title)
        ),
        body=render_to_string("events/email/rsvp.txt", context),
        to=[rsvp.member.email],
    )
    message.attach_alternative(render_to_string("events/email/rsvp.html", context), "text/html")
    if kind in WITH_ICS:
        method = "CANCEL" if kind == "cancelled" else "PUBLISH"
        message.attach("event.ics", event_ics(event), f"text/calendar; method={method}")
    message.send()


@shared_task
def erase_old_rsvp_notes() -> int:
    """Daily: private notes to organisers are erased 30 days after the event."""
    return services.rsvp_notes_erase_old(days=30)


@shared_task
def send_event_reminders() -> int:
    """Hourly: remind everyone going to an event in the next 24 hours, exactly once each."""
    return len(services.reminders_due())
