"""News from the network: external RSS/Atom feeds that programmes and groups register, and the
entries read from them. Entries of a group's feed are that group's content (``groups.visibility``).
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

URL_MAX_LENGTH = 500
LINK_MAX_LENGTH = 1000
GUID_MAX_LENGTH = 500
TITLE_MAX_LENGTH = 300

http_url = URLValidator(schemes=["http", "https"])


class ExternalFeed(models.Model):
    url = models.URLField("feed address", max_length=URL_MAX_LENGTH, validators=[http_url])
    title = models.CharField(max_length=200, blank=True, help_text="Taken from the feed if blank.")
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="external_feeds",
    )
    group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="external_feeds",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True, help_text="Inactive feeds are not polled or shown.")
    # Polling state: what the server told us last time, and when to ask again.
    etag = models.CharField(max_length=255, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    next_check_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(programme__isnull=False, group__isnull=True)
                    | Q(programme__isnull=True, group__isnull=False)
                ),
                name="externalfeed_one_owner",
                violation_error_message="A feed belongs to exactly one programme or group.",
            ),
            models.UniqueConstraint(
                fields=["programme", "url"],
                name="externalfeed_once_per_programme",
                violation_error_message="This programme already has that feed.",
            ),
            models.UniqueConstraint(
                fields=["group", "url"],
                name="externalfeed_once_per_group",
                violation_error_message="This group already has that feed.",
            ),
        ]
        indexes = [models.Index(fields=["active", "next_check_at"], name="externalfeed_due_idx")]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def owner(self):
        return self.programme if self.programme_id else self.group


class FeedEntry(models.Model):
    feed = models.ForeignKey(ExternalFeed, on_delete=models.CASCADE, related_name="entries")
    guid = models.CharField(max_length=GUID_MAX_LENGTH)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    link = models.URLField(max_length=LINK_MAX_LENGTH, blank=True, validators=[http_url])
    summary_html = models.TextField(blank=True, help_text="Sanitised with nh3 when stored.")
    published_at = models.DateTimeField()
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name_plural = "feed entries"
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid"], name="feedentry_once_per_feed"),
        ]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="feedentry_newest_idx"),
            models.Index(fields=["feed", "-published_at"], name="feedentry_feed_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.title
