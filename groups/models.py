"""Interest groups: open, closed or private, with roles. Who sees what is decided in one place,
``groups.visibility``."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 10_000

# Background colours for a group's initials badge; each has AA contrast with white text.
COLOURS = ["#0b5d57", "#7a3e00", "#5b3a8c", "#1f4e8c", "#8b1c3c", "#2f5d1c", "#6b4c00", "#3f4a55"]


class Group(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", "Open: anyone can see it and join"
        CLOSED = "closed", "Closed: anyone can see it; members are approved"
        PRIVATE = "private", "Private: hidden; members are invited"

    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    slug = models.SlugField(max_length=NAME_MAX_LENGTH, unique=True)
    description = models.TextField(
        blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    description_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.OPEN)
    colour = models.CharField(max_length=7, default=COLOURS[0], editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(db_index=True)
    member_count = models.PositiveIntegerField(default=0, help_text="Active members.")

    class Meta:
        ordering = ["-last_activity_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", kwargs={"slug": self.slug})

    @property
    def initials(self) -> str:
        words = [w for w in self.name.split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or self.name[:1].upper()

    @property
    def kind_name(self) -> str:
        return self.kind.capitalize()

    @property
    def is_open(self) -> bool:
        return self.kind == self.Kind.OPEN

    @property
    def is_private(self) -> bool:
        return self.kind == self.Kind.PRIVATE


class Membership(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", "Organiser"
        MODERATOR = "moderator", "Moderator"
        MEMBER = "member", "Member"

    class State(models.TextChoices):
        ACTIVE = "active", "Member"
        REQUESTED = "requested", "Asked to join"
        INVITED = "invited", "Invited"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="membership_once"),
            models.CheckConstraint(
                condition=Q(state="active") | Q(role="member"),
                name="membership_roles_only_when_active",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "state"], name="membership_member_state_idx"),
            models.Index(fields=["group", "state", "role"], name="membership_group_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.group} ({self.role}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE
