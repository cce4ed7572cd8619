"""Follows, notifications, digests, posts by email, and the outbox every email goes through."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from taggit.models import Tag


class Follow(models.Model):
    """A member follows exactly one of: a discussion, a group, a tag, an event."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    discussion = models.ForeignKey(
        "discussions.Discussion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    TARGETS = ("discussion", "group", "tag", "event")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(discussion__isnull=False, group=None, tag=None, event=None)
                    | Q(discussion=None, group__isnull=False, tag=None, event=None)
                    | Q(discussion=None, group=None, tag__isnull=False, event=None)
                    | Q(discussion=None, group=None, tag=None, event__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            *[
                models.UniqueConstraint(
                    fields=["member", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"follow_once_per_{target}",
                )
                for target in ("discussion", "group", "tag", "event")
            ],
        ]

    def __str__(self) -> str:
        target = next(getattr(self, t) for t in self.TARGETS if getattr(self, f"{t}_id"))
        return f"{self.member} follows {target}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "mentioned you"
        REPLY = "reply", "replied to you"
        FOLLOWED = "followed", "replied in a discussion you follow"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    discussion = models.ForeignKey(
        "discussions.Discussion", on_delete=models.CASCADE, related_name="+"
    )
    reply = models.ForeignKey(
        "discussions.Reply", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    delivery = models.CharField(max_length=6, help_text="email or digest, as preferred then.")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            # One notification per person per post, however often the post is edited.
            models.UniqueConstraint(
                fields=["recipient", "reply"],
                condition=Q(reply__isnull=False),
                name="notification_once_per_reply",
            ),
            models.UniqueConstraint(
                fields=["recipient", "discussion"],
                condition=Q(reply__isnull=True),
                name="notification_once_per_opening_post",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "-created"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()} ({self.recipient})"


class DigestDelivery(models.Model):
    """The marker that makes digests exactly-once: one row per member per period, written in
    the same transaction as the digest email's outbox row."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    period = models.CharField(max_length=24, help_text="e.g. daily:2026-11-24 or weekly:2026-W48")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="digest_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.period}"


class EmailSubscription(models.Model):
    """Posts by email, for anyone with an email address (double opt-in)."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "replies in a discussion"
        TAG = "tag", "new discussions with a tag"
        GROUP = "group", "new discussions in a group"
        EVENTS = "events", "new events"

    email = models.EmailField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    discussion = models.ForeignKey(
        "discussions.Discussion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email", "discussion"],
                condition=Q(kind="discussion"),
                name="email_subscription_once_discussion",
            ),
            models.UniqueConstraint(
                fields=["email", "tag"], condition=Q(kind="tag"), name="email_subscription_once_tag"
            ),
            models.UniqueConstraint(
                fields=["email", "group"],
                condition=Q(kind="group"),
                name="email_subscription_once_group",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(kind="events"), name="email_subscription_once_events"
            ),
        ]
        indexes = [models.Index(fields=["kind", "confirmed_at"], name="emailsub_kind_idx")]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()}"

    @property
    def target(self):
        return self.discussion or self.tag or self.group


class OutgoingEmail(models.Model):
    """The outbox. Emails are written here inside the transaction that decides to send them,
    then delivered by a Celery task after commit; a periodic task retries any left unsent."""

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=20, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}: {self.subject}"
