"""Reads shared by the directory, exports, map, programme and organisation pages.

Every read starts from ``listed_programmes()``: approved programmes only. Each function runs a
fixed number of queries whatever the number of programmes (tests/programmes assert it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils.http import urlencode
from taggit.models import Tag

from discussions.models import Discussion
from discussions.selectors import visible_discussions
from members.models import User
from programmes.models import Organisation, Programme, ProgrammeRole, ProgrammeTheme, Region

SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 10
FILTER_KEYS = ("theme", "funder", "lead", "region", "status", "q")
FACETS = (
    ("theme", "Theme"),
    ("funder", "Funder"),
    ("lead", "Lead organisation"),
    ("region", "Region"),
    ("status", "Status"),
)


def listed_programmes() -> QuerySet[Programme]:
    """The one rule for which programmes are shown: approved ones."""
    return Programme.objects.filter(approved_at__isnull=False)


def programme_list() -> QuerySet[Programme]:
    """Listed programmes, lean, by name (the home page's short list)."""
    return listed_programmes().only("name", "slug", "summary").order_by("name")


# --- Filters -----------------------------------------------------------------------------------


@dataclass
class Filters:
    """The directory's filters, checked. ``errors`` says what was left out and why."""

    theme: str = ""
    funder: str = ""
    lead: str = ""
    region: str = ""
    status: str = ""
    q: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # key -> the value's display name
    errors: list[str] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return re.findall(r"\w+", self.q.lower())[:SEARCH_MAX_WORDS]

    def active(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in FILTER_KEYS if getattr(self, k)}

    def query_string(self, *, without: str | None = None) -> str:
        return urlencode({k: v for k, v in self.active().items() if k != without})

    def chips(self) -> list[dict[str, str]]:
        """The filters in force, each with a link that removes it."""
        names = dict(FACETS) | {"q": "Search"}
        return [
            {
                "key": key,
                "name": names[key],
                "label": self.labels.get(key, value),
                "remove": "?" + self.query_string(without=key),
            }
            for key, value in self.active().items()
        ]


def parse_filters(params: QueryDict) -> Filters:
    """Read the filters from a query string. Unknown values are dropped with a message.

    One query per filter given (to look its value up), whatever the number of programmes.
    """
    filters = Filters()
    raw = {key: (params.get(key) or "").strip() for key in FILTER_KEYS}
    q = " ".join(raw["q"].split())
    if len(q) > SEARCH_MAX_LENGTH:
        filters.errors.append(
            f"Searches can be at most {SEARCH_MAX_LENGTH} characters; yours was left out."
        )
    elif q and not re.search(r"\w", q):
        filters.errors.append("Search for words or numbers; punctuation alone matches nothing.")
    elif q:
        filters.q = q
    status = raw["status"]
    if status:
        labels = dict(Programme.Status.choices)
        if status in labels:
            filters.status, filters.labels["status"] = status, labels[status]
        else:
            filters.errors.append(f"There is no status “{status[:60]}”; it was left out.")
    lookups = {
        "theme": (Tag.objects, "theme"),
        "funder": (Organisation.objects, "funder"),
        "lead": (Organisation.objects, "lead organisation"),
        "region": (Region.objects, "region"),
    }
    for key, (manager, noun) in lookups.items():
        value = raw[key]
        if not value:
            continue
        name = manager.filter(slug=value[:200]).values_list("name", flat=True).first()
        if name is None:
            filters.errors.append(f"There is no {noun} “{value[:60]}”; it was left out.")
        else:
            setattr(filters, key, value)
            filters.labels[key] = name
    return filters


def apply_filters(
    programmes: QuerySet[Programme], filters: Filters, *, skip: str | None = None
) -> QuerySet[Programme]:
    """Narrow by every filter (but ``skip``): filters combine with AND."""
    if filters.theme and skip != "theme":
        programmes = programmes.filter(theme_links__tag__slug=filters.theme)
    if filters.funder and skip != "funder":
        programmes = programmes.filter(funders__slug=filters.funder)
    if filters.lead and skip != "lead":
        programmes = programmes.filter(lead_organisations__slug=filters.lead)
    if filters.region and skip != "region":
        programmes = programmes.filter(regions__slug=filters.region)
    if filters.status and skip != "status":
        programmes = programmes.filter(status=filters.status)
    for word in filters.words:
        led_by = Programme.objects.filter(lead_organisations__name__icontains=word).values("pk")
        programmes = programmes.filter(
            Q(name__icontains=word) | Q(match_text__icontains=word) | Q(pk__in=led_by)
        )
    return programmes


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


def facets(filters: Filters) -> list[dict]:
    """Each filter's options with the number of programmes each would show, given the other
    filters in force (so the counts say what choosing it would give). 5 queries."""
    listed = listed_programmes().values("pk")

    def others(skip: str):
        return apply_filters(listed_programmes(), filters, skip=skip).values("pk")

    def options(rows, key) -> list[Option]:
        return [
            Option(value=slug, label=name, count=n, selected=slug == getattr(filters, key))
            for slug, name, n in rows
        ]

    theme_rows = (
        ProgrammeTheme.objects.filter(content_object__in=listed)
        .values("tag__slug", "tag__name")
        .annotate(n=Count("content_object", filter=Q(content_object__in=others("theme"))))
        .values_list("tag__slug", "tag__name", "n")
        .order_by("tag__name")
    )
    result = {"theme": options(theme_rows, "theme")}
    for key, through in (
        ("funder", Programme.funders.through),
        ("lead", Programme.lead_organisations.through),
    ):
        rows = (
            through.objects.filter(programme__in=listed)
            .values("organisation__slug", "organisation__name")
            .annotate(n=Count("programme", filter=Q(programme__in=others(key))))
            .values_list("organisation__slug", "organisation__name", "n")
            .order_by("organisation__name")
        )
        result[key] = options(rows, key)
    region_rows = (
        Programme.regions.through.objects.filter(programme__in=listed)
        .values("region__slug", "region__name")
        .annotate(n=Count("programme", filter=Q(programme__in=others("region"))))
        .values_list("region__slug", "region__name", "n")
        .order_by("region__name")
    )
    result["region"] = options(region_rows, "region")
    status_counts = dict(
        apply_filters(listed_programmes(), filters, skip="status")
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    result["status"] = [
        Option(value=v, label=label, count=status_counts.get(v, 0), selected=v == filters.status)
        for v, label in Programme.Status.choices
    ]
    return [
        {"key": key, "label": label, "options": result[key], "id": f"filter-{key}"}
        for key, label in FACETS
    ]


def directory(filters: Filters) -> QuerySet[Programme]:
    """Listed programmes matching the filters, with what a listing row shows prefetched."""
    return (
        apply_filters(listed_programmes(), filters)
        .prefetch_related(
            Prefetch("lead_organisations", queryset=Organisation.objects.only("name", "slug")),
            Prefetch("funders", queryset=Organisation.objects.only("name", "slug")),
            Prefetch("regions", queryset=Region.objects.only("name", "slug")),
            "themes",
        )
        .only(
            "name",
            "slug",
            "summary",
            "website",
            "status",
            "geography",
            "audience",
            "starts_on",
            "ends_on",
        )
        .order_by("name")
    )


# --- A programme --------------------------------------------------------------------------------


def programme_for_page(*, slug: str, user) -> Programme | None:
    """A programme by slug with its organisations, regions and themes. Suggestions waiting
    for approval are visible only to staff and to the member who suggested them."""
    programmes = Programme.objects.all()
    if not (user.is_authenticated and user.is_staff):
        visible = Q(approved_at__isnull=False)
        if user.is_authenticated:
            visible |= Q(suggested_by=user)
        programmes = programmes.filter(visible)
    return (
        programmes.prefetch_related("lead_organisations", "funders", "regions", "themes")
        .filter(slug=slug)
        .first()
    )


def programme_people(programme: Programme) -> list[ProgrammeRole]:
    """Everyone with a role on the programme, confirmed or waiting (the page splits them)."""
    return list(
        ProgrammeRole.objects.filter(programme=programme)
        .select_related("member")
        .only(
            "role",
            "is_organiser",
            "confirmed_at",
            "member_id",
            "programme_id",
            "member__username",
            "member__display_name",
            "member__organisation",
        )
        .order_by("-is_organiser", "created")
    )


def themed_discussions(programme: Programme, *, user, limit: int = 8) -> list[Discussion]:
    """Discussions tagged with any of the programme's themes (matched by tag name)."""
    names = [tag.name for tag in programme.themes.all()]  # prefetched: no query
    if not names:
        return []
    return list(
        visible_discussions(user)
        .filter(
            pk__in=Discussion.tags.through.objects.filter(
                tag__name__in=names,
                content_type__app_label="discussions",
                content_type__model="discussion",
            ).values("object_id")
        )
        .only("title", "slug", "reply_count", "last_activity_at")
        .order_by("-last_activity_at")[:limit]
    )


def related_groups(programme: Programme, *, user) -> list:
    """Groups linked to this programme that this person may see (one query)."""
    from groups.visibility import visible_groups

    return list(
        visible_groups(user).filter(programmes=programme).only("name", "slug").order_by("name")
    )


def upcoming_events(programme: Programme, *, user) -> list:
    """Upcoming events linked to this programme that this person may see (one query)."""
    from django.utils import timezone

    from events.selectors import visible_events

    return list(
        visible_events(user)
        .filter(programmes=programme, ends_at__gte=timezone.now())
        .only("title", "slug", "starts_at")
        .order_by("starts_at")[:10]
    )


# --- An organisation ---------------------------------------------------------------------------


def organisation_page(organisation: Organisation) -> dict:
    """Programmes it leads and funds, and its members: three queries."""
    lean = listed_programmes().only("name", "slug", "summary", "status").order_by("name")
    led = list(lean.filter(lead_organisations=organisation))
    funded = list(lean.filter(funders=organisation))
    members = list(
        User.objects.filter(is_active=True)
        .filter(
            Q(organisation__iexact=organisation.name)
            | Q(
                pk__in=ProgrammeRole.objects.filter(
                    confirmed_at__isnull=False,
                    programme__lead_organisations=organisation,
                    programme__approved_at__isnull=False,
                ).values("member_id")
            )
        )
        .only("username", "display_name", "role_title", "organisation")
        .order_by("display_name", "username")[:100]
    )
    return {"led": led, "funded": funded, "members": members}


# --- Exports -----------------------------------------------------------------------------------

EXPORT_FIELDS = [
    "name",
    "url",
    "summary",
    "website",
    "status",
    "starts_on",
    "ends_on",
    "geography",
    "regions",
    "audience",
    "themes",
    "lead_organisations",
    "funders",
]


def export_rows(filters: Filters, *, base_url: str) -> list[dict]:
    """The directory as plain records (lists for the many-valued fields)."""
    return [
        {
            "name": p.name,
            "url": base_url + p.get_absolute_url(),
            "summary": p.summary,
            "website": p.website,
            "status": p.status,
            "starts_on": p.starts_on.isoformat() if p.starts_on else None,
            "ends_on": p.ends_on.isoformat() if p.ends_on else None,
            "geography": p.geography,
            "regions": [r.name for r in p.regions.all()],
            "audience": p.audience,
            "themes": sorted(t.name for t in p.themes.all()),
            "lead_organisations": [o.name for o in p.lead_organisations.all()],
            "funders": [o.name for o in p.funders.all()],
        }
        for p in directory(filters)
    ]


def export_url_params(filters: Filters) -> str:
    qs = filters.query_string()
    return f"?{qs}" if qs else ""
