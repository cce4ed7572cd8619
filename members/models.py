from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

BIO_MAX_LENGTH = 2000


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
