"""Programmes and organisations made through the services, so HTML and match text are real."""

import itertools

from django.utils import timezone
from taggit.models import Tag

from programmes import services
from programmes.models import Organisation, Programme, ProgrammeRole, ProgrammeTheme, Region

_seq = itertools.count(1)


def make_org(name: str | None = None, **fields) -> Organisation:
    return services.organisation_create(name=name or f"Organisation {next(_seq)}", **fields)


def make_programme(name: str | None = None, **fields) -> Programme:
    fields.setdefault("summary", "A programme for testing.")
    return services.programme_create(name=name or f"Programme {next(_seq)}", **fields)


def bulk_programmes(n: int, *, start: int = 0, people=()) -> list[Programme]:
    """Many listed programmes at once, each with themes, a lead, a funder, a region and (if
    given) a confirmed person: as much for every row to show as the services would leave."""
    themes = [Tag.objects.get_or_create(name=f"theme {i}", slug=f"theme-{i}")[0] for i in range(8)]
    orgs = [
        Organisation.objects.get_or_create(name=f"Bulk org {i}", slug=f"bulk-org-{i}")[0]
        for i in range(6)
    ]
    regions = [
        Region.objects.get_or_create(name=f"Region {i}", slug=f"region-{i}")[0] for i in range(4)
    ]
    now = timezone.now()
    programmes = Programme.objects.bulk_create(
        Programme(
            name=f"Bulk programme {i}",
            slug=f"bulk-programme-{i}",
            summary=f"Summary {i}",
            description=f"Helps neighbourhood group {i} with websites and reporting.",
            description_html=f"<p>Helps neighbourhood group {i} with websites and reporting.</p>",
            match_text=f"helps neighbourhood group {i} with websites and reporting",
            status=["planned", "active", "ended"][i % 3],
            geography="regional",
            approved_at=now,
        )
        for i in range(start, start + n)
    )
    ProgrammeTheme.objects.bulk_create(
        ProgrammeTheme(content_object=p, tag=themes[(i + k) % len(themes)])
        for i, p in enumerate(programmes)
        for k in range(2)
    )
    Programme.funders.through.objects.bulk_create(
        Programme.funders.through(programme=p, organisation=orgs[i % len(orgs)])
        for i, p in enumerate(programmes)
    )
    Programme.lead_organisations.through.objects.bulk_create(
        Programme.lead_organisations.through(programme=p, organisation=orgs[(i + 1) % len(orgs)])
        for i, p in enumerate(programmes)
    )
    Programme.regions.through.objects.bulk_create(
        Programme.regions.through(programme=p, region=regions[i % len(regions)])
        for i, p in enumerate(programmes)
    )
    if people:
        ProgrammeRole.objects.bulk_create(
            ProgrammeRole(
                programme=p, member=people[i % len(people)], role="Officer", confirmed_at=now
            )
            for i, p in enumerate(programmes)
        )
    return programmes
