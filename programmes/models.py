"""National programmes, the organisations that lead and fund them, and the people on them.

A programme is listed once ``approved_at`` is set. Programmes staff create are approved as they
are created (the field's default); a member's suggestion starts unapproved and appears only
after staff approve it (``services.programme_approve``). Markdown is rendered on write
(``description_html``) and ``match_text`` (the words compared for text similarity) is kept
beside it, both by the services.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

NAME_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 20_000
ROLE_MAX_LENGTH = 120


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government department"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        CHARITY = "charity", "Charity"
        FOUNDATION = "foundation", "Foundation"
        COMPANY = "company", "Company"
        OTHER = "other", "Other"

    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    slug = models.SlugField(max_length=NAME_MAX_LENGTH, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(blank=True)
    description = models.TextField(
        blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    description_html = models.TextField(blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:organisation", kwargs={"slug": self.slug})


class Region(models.Model):
    """A named region or place a regional or local programme works in."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeTheme(TaggedItemBase):
    """A programme's theme: a django-taggit tag, shared with discussions' tags by name.

    A direct foreign key (not taggit's generic relation) so filters and counts join plainly.
    """

    content_object = models.ForeignKey(
        "Programme", on_delete=models.CASCADE, related_name="theme_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="programme_theme_unique")
        ]


class Programme(models.Model):
    """A national programme or initiative."""

    class Geography(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Regional"
        LOCAL = "local", "Local"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    slug = models.SlugField(max_length=NAME_MAX_LENGTH, unique=True)
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH, blank=True)
    description = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
        help_text="Markdown is allowed.",
    )
    description_html = models.TextField(blank=True, editable=False)
    match_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Summary and description as plain words, compared for text similarity.",
    )
    website = models.URLField(blank=True)
    lead_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="led_programmes"
    )
    funders = models.ManyToManyField(Organisation, blank=True, related_name="funded_programmes")
    themes = TaggableManager(
        through=ProgrammeTheme,
        blank=True,
        verbose_name="themes",
        help_text="Comma-separated, e.g. social reporting, local websites.",
    )
    geography = models.CharField(
        max_length=10, choices=Geography.choices, default=Geography.NATIONAL
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="programmes", help_text="Where it works, if not national."
    )
    related_groups = models.ManyToManyField(
        "groups.Group", blank=True, related_name="programmes", help_text="Groups about its work."
    )
    related_events = models.ManyToManyField(
        "events.Event", blank=True, related_name="programmes", help_text="Events it takes part in."
    )
    audience = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. residents running local sites."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # Listed once approved. Staff-made programmes are approved on creation; suggestions are not.
    approved_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggested_programmes",
    )
    suggestion_note = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(2_000)],
        help_text="What the member who suggested it told staff.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["approved_at", "name"], name="programme_listed_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", kwargs={"slug": self.slug})

    @property
    def is_listed(self) -> bool:
        return self.approved_at is not None


class ProgrammeRole(models.Model):
    """A member's role on a programme ("I work on this programme").

    A claim waits until an organiser of the programme or staff confirm it. Organisers are the
    members with a confirmed role flagged ``is_organiser`` (the programme's organisers and
    contacts); they confirm other people's claims.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="roles")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_roles"
    )
    role = models.CharField(max_length=ROLE_MAX_LENGTH, help_text="e.g. Programme manager")
    is_organiser = models.BooleanField(
        "organiser or contact",
        default=False,
        help_text="Organisers and contacts are shown as the people to ask, and confirm claims.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_organiser", "created"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "member"], name="programme_role_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.role} on {self.programme}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
