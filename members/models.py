from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

BIO_MAX_LENGTH = 2000


class Delivery(models.TextChoices):
    EMAIL = "email", "Email me at once"
    DIGEST = "digest", "Include in my digest"
    OFF = "off", "Off"


class DigestFrequency(models.TextChoices):
    OFF = "off", "No digest"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class User(AbstractUser):
    """A member. Profile fields live on the user row: one row to read per member shown."""

    display_name = models.CharField(
        max_length=80, blank=True, help_text="How your name appears to other members."
    )
    organisation = models.CharField(max_length=120, blank=True)
    role_title = models.CharField("role or title", max_length=120, blank=True)
    location = models.CharField(max_length=120, blank=True)
    bio = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(BIO_MAX_LENGTH)],
        help_text="A few lines about you and your work. Markdown is allowed.",
    )
    bio_html = models.TextField(blank=True, editable=False)
    feed_token = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="Secret in the member's private feed addresses (calendar, feeds).",
    )
    notify_followed = models.CharField(
        "replies in discussions I follow",
        max_length=6,
        choices=Delivery.choices,
        default=Delivery.DIGEST,
    )
    notify_mentions = models.CharField(
        "when someone @mentions me", max_length=6, choices=Delivery.choices, default=Delivery.EMAIL
    )
    notify_replies = models.CharField(
        "replies to my posts", max_length=6, choices=Delivery.choices, default=Delivery.EMAIL
    )
    digest_frequency = models.CharField(
        "email digest",
        max_length=6,
        choices=DigestFrequency.choices,
        default=DigestFrequency.OFF,
        db_index=True,
    )
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    terms_accepted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member accepted the Terms of Service."
    )

    class Meta:
        indexes = [
            models.Index(fields=["display_name"], name="members_user_display_idx"),
            models.Index(fields=["organisation"], name="members_user_org_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("members:detail", kwargs={"username": self.username})
