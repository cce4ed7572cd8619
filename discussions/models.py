"""Discussions: an opening post and its replies, with edits kept and reports for moderators.

Counters (reply_count, reply_total, view_count, version) are changed only by the services, with
``F()`` updates under a row lock. Markdown is rendered to sanitised HTML on write (``*_html``).
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from taggit.managers import TaggableManager

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000
REPORT_REASON_MAX_LENGTH = 1_000


class Discussion(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=TITLE_MAX_LENGTH, allow_unicode=False)
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    body_html = models.TextField(editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="discussions",
    )
    # In a group, the group's kind decides who may read it (``groups.visibility``); deleting a
    # group deletes its discussions rather than making them public.
    group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discussions",
    )
    tags = TaggableManager(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    reply_count = models.PositiveIntegerField(default=0, help_text="Replies shown (not removed).")
    reply_total = models.PositiveIntegerField(
        default=0, help_text="Replies ever written; the last reply's position in the thread."
    )
    view_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every change to the thread; keys its page cache."
    )
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-pinned", "-last_activity_at"]
        indexes = [
            models.Index(
                fields=["-pinned", "-last_activity_at"],
                name="discussion_listing_idx",
                condition=Q(removed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussions:detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def author_name(self) -> str:
        return self.author.name if self.author_id else "a former member"


class Reply(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="replies"
    )
    position = models.PositiveIntegerField(help_text="1 for the first reply in the thread, …")
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    body_html = models.TextField(editable=False)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    quoted = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quoted_by"
    )
    created = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["discussion", "position"]
        verbose_name_plural = "replies"
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "position"], name="reply_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"Reply {self.position} in {self.discussion_id}"

    def get_absolute_url(self) -> str:
        return reverse("discussions:reply", kwargs={"pk": self.pk})

    @property
    def author_name(self) -> str:
        return self.author.name if self.author_id else "a former member"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Revision(models.Model):
    """The text of a post before an edit, kept for moderators."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="revisions")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Revision of {'reply ' + str(self.reply_id) if self.reply_id else 'post'}"


class Report(models.Model):
    """A member's report of a discussion or a reply, for the moderation queue."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        REMOVED = "removed", "Content removed"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reports"
    )
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="reports")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.TextField(validators=[MaxLengthValidator(REPORT_REASON_MAX_LENGTH)])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "discussion"],
                condition=Q(reply__isnull=True),
                name="report_once_per_discussion",
            ),
            models.UniqueConstraint(
                fields=["reporter", "reply"],
                condition=Q(reply__isnull=False),
                name="report_once_per_reply",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created"], name="report_queue_idx")]

    def __str__(self) -> str:
        target = f"reply {self.reply_id}" if self.reply_id else f"discussion {self.discussion_id}"
        return f"Report of {target}"
