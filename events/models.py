"""Events with RSVPs under a hard capacity, a fair waitlist, and a log of every decision.

Seats and the waitlist change only through ``events.services``, each in one transaction that
locks the event row and recounts inside the lock.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 20_000
NOTE_MAX_LENGTH = 1_000
MAX_GUESTS_LIMIT = 10


class Event(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(
        blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    description_html = models.TextField(blank=True, editable=False)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organised_events", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # In a group, the group's kind decides who may see the event (``groups.visibility``).
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True, validators=[MaxLengthValidator(500)])
    online_url = models.URLField("online link", blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Places available, guests included. Empty: no limit."
    )
    max_guests = models.PositiveSmallIntegerField(
        "guests per member", default=0, help_text="How many guests one member may bring."
    )
    rsvp_opens_at = models.DateTimeField("RSVPs open", null=True, blank=True)
    rsvp_closes_at = models.DateTimeField("RSVPs close", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    waitlist_enabled = models.BooleanField("use a waitlist", default=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="iCalendar SEQUENCE: bumped when the event changes."
    )
    queue_counter = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(max_guests__lte=MAX_GUESTS_LIMIT), name="event_max_guests_limit"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Rsvp(models.Model):
    """One row per member per event; cancelling keeps the row (state ``cancelled``)."""

    class State(models.TextChoices):
        GOING = "going", "Going"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    state = models.CharField(max_length=10, choices=State.choices)
    guests = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        help_text="Only the organisers see this, e.g. access needs.",
    )
    queue_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="Arrival order on the waitlist (lower goes first)."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["event", "created"]
        verbose_name = "RSVP"
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="rsvp_one_per_member"),
            models.UniqueConstraint(
                fields=["event", "queue_number"],
                condition=Q(state="waitlisted"),
                name="rsvp_unique_queue_place",
            ),
            models.CheckConstraint(
                condition=Q(state="waitlisted", queue_number__isnull=False)
                | ~Q(state="waitlisted"),
                name="rsvp_waitlisted_has_queue_number",
            ),
        ]
        indexes = [models.Index(fields=["event", "state"], name="rsvp_event_state_idx")]

    def __str__(self) -> str:
        return f"{self.member} → {self.event} ({self.state})"

    @property
    def party(self) -> int:
        return 1 + self.guests


class RsvpLog(models.Model):
    """Every decision about a place: who, when, why. Answers "why was I not promoted?"."""

    class Action(models.TextChoices):
        GOING = "going", "Got a place"
        WAITLISTED = "waitlisted", "Joined the waitlist"
        REFUSED = "refused", "Refused"
        PROMOTED = "promoted", "Promoted from the waitlist"
        SKIPPED = "skipped", "Skipped in promotion"
        GUESTS = "guests", "Changed guests"
        CANCELLED = "cancelled", "Cancelled RSVP"
        CAPACITY = "capacity", "Capacity changed"
        EVENT_CANCELLED = "event_cancelled", "Event cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="log")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "RSVP log entry"
        verbose_name_plural = "RSVP log"

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.reason}"
