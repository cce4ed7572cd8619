"""Every write to programmes, organisations and roles. Keyword-only, typed, atomic.

Views, the admin, ``seed_demo`` and the bench all come through here, so markdown is always
rendered on write and the rules (one role per member per programme, who may confirm a claim,
how duplicates merge) cannot be bypassed.
"""

import re
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from programmes.models import Organisation, Programme, ProgrammeRole, Region
from socialbysocial.markdown import render_markdown
from socialbysocial.text import clean_text as _text

MAX_THEMES = 12
THEME_MAX_LENGTH = 50


def match_text(summary: str, description: str) -> str:
    """The words compared for text similarity: lower case, punctuation and markdown dropped."""
    return " ".join(re.findall(r"\w+", f"{summary} {description}".lower()))


def clean_themes(themes: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for theme in themes:
        theme = " ".join(str(theme).split()).lower()
        if theme and theme not in cleaned:
            if len(theme) > THEME_MAX_LENGTH:
                raise ValidationError(
                    {"themes": f"Each theme can be at most {THEME_MAX_LENGTH} characters."}
                )
            cleaned.append(theme)
    if len(cleaned) > MAX_THEMES:
        raise ValidationError({"themes": f"Use at most {MAX_THEMES} themes."})
    return cleaned


# Programme pages live at /programmes/<slug>/: these slugs are the directory's own pages.
RESERVED_SLUGS = frozenset({"map", "overlaps", "suggest", "organisations", "roles", "new", "feed"})


def _unique_slug(model, name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:190].strip("-") or model.__name__.lower()
    if model is Programme and base in RESERVED_SLUGS:
        base = f"{base}-programme"
    slug, n = base, 2
    taken = model.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_name_free(name: str, *, exclude_pk: int | None = None) -> None:
    if Programme.objects.exclude(pk=exclude_pk).filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A programme called “{name}” is already listed."})


def render_programme(programme: Programme) -> None:
    """Fill the fields computed on write: sanitised HTML and the words for matching."""
    programme.description_html = render_markdown(programme.description)
    programme.match_text = match_text(programme.summary, programme.description)


# --- Organisations and regions ----------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str = Organisation.Kind.OTHER,
    website: str = "",
    description: str = "",
) -> Organisation:
    name = _text(name)
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"An organisation called “{name}” already exists."})
    organisation = Organisation(
        name=name,
        slug=_unique_slug(Organisation, name),
        kind=kind,
        website=_text(website),
        description=_text(description),
    )
    organisation.description_html = render_markdown(organisation.description)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_save(*, organisation: Organisation) -> Organisation:
    """Save an organisation edited in the admin, rendering its description."""
    organisation.description = _text(organisation.description)
    organisation.description_html = render_markdown(organisation.description)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_merge(
    *, keep: Organisation, duplicates: Iterable[Organisation], merged_by: AbstractBaseUser
) -> Organisation:
    """Fold duplicate organisations into ``keep``: every programme they lead or fund moves
    over (without double links), then the duplicates are deleted."""
    if not getattr(merged_by, "is_staff", False):
        raise PermissionDenied("Only staff can merge organisations.")
    dupes = [d for d in duplicates if d.pk != keep.pk]
    if not dupes:
        raise ValidationError("Choose at least one other organisation to merge.")
    keep = Organisation.objects.select_for_update().get(pk=keep.pk)
    dupe_ids = [d.pk for d in dupes]
    for through in (Programme.lead_organisations.through, Programme.funders.through):
        moved = set(
            through.objects.filter(organisation_id__in=dupe_ids).values_list(
                "programme_id", flat=True
            )
        )
        already = set(
            through.objects.filter(organisation_id=keep.pk).values_list("programme_id", flat=True)
        )
        through.objects.bulk_create(
            through(programme_id=pid, organisation_id=keep.pk) for pid in sorted(moved - already)
        )
    # Keep what the duplicates knew that the kept record lacks.
    for dupe in dupes:
        if not keep.website and dupe.website:
            keep.website = dupe.website
        if not keep.description and dupe.description:
            keep.description, keep.description_html = dupe.description, dupe.description_html
    keep.save(update_fields=["website", "description", "description_html"])
    Organisation.objects.filter(pk__in=dupe_ids).delete()
    return keep


def region_get_or_create(*, name: str) -> Region:
    name = " ".join(_text(name).split())
    if not name:
        raise ValidationError({"regions": "A region needs a name."})
    region = Region.objects.filter(name__iexact=name).first()
    if region is None:
        region = Region.objects.create(name=name, slug=_unique_slug(Region, name))
    return region


# --- Programmes --------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    name: str,
    summary: str = "",
    description: str = "",
    website: str = "",
    lead_organisations: Iterable[Organisation] = (),
    funders: Iterable[Organisation] = (),
    themes: Iterable[str] = (),
    geography: str = Programme.Geography.NATIONAL,
    regions: Iterable[Region] = (),
    region_names: Iterable[str] = (),
    audience: str = "",
    status: str = Programme.Status.ACTIVE,
    starts_on: date | None = None,
    ends_on: date | None = None,
    suggested_by: AbstractBaseUser | None = None,
    suggestion_note: str = "",
    approved: bool = True,
) -> Programme:
    """Create a programme. ``approved=False`` makes a suggestion that is not listed yet.

    Regions are given as rows or by name (``region_names``: found or created).
    """
    name = " ".join(_text(name).split())
    if not name:
        raise ValidationError({"name": "Give the programme a name."})
    _check_name_free(name)
    themes = clean_themes(themes)
    regions = list(regions) + [region_get_or_create(name=n) for n in region_names]
    if geography != Programme.Geography.NATIONAL and not regions:
        raise ValidationError(
            {"regions": "Name at least one region or place for a regional or local programme."}
        )
    programme = Programme(
        name=name,
        slug=_unique_slug(Programme, name),
        summary=_text(summary),
        description=_text(description),
        website=_text(website),
        geography=geography,
        audience=_text(audience),
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        suggested_by=suggested_by,
        suggestion_note=_text(suggestion_note),
        approved_at=timezone.now() if approved else None,
    )
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date must be on or after the start date."})
    render_programme(programme)
    programme.full_clean()
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        raise ValidationError({"name": f"A programme called “{name}” is already listed."}) from None
    programme.lead_organisations.set(lead_organisations)
    programme.funders.set(funders)
    programme.regions.set(regions)
    programme.themes.set(themes)
    return programme


def programme_suggest(*, suggested_by: AbstractBaseUser, **fields) -> Programme:
    """A member's suggestion: saved unapproved, shown only after staff approve it."""
    if not suggested_by.is_authenticated:
        raise PermissionDenied("Log in to suggest a programme.")
    return programme_create(suggested_by=suggested_by, approved=False, **fields)


@transaction.atomic
def programme_save(*, programme: Programme) -> Programme:
    """Save a programme edited in the admin: markdown rendered, name kept unique."""
    programme.name = " ".join(_text(programme.name).split())
    _check_name_free(programme.name, exclude_pk=programme.pk)
    if not programme.slug:
        programme.slug = _unique_slug(Programme, programme.name, exclude_pk=programme.pk)
    render_programme(programme)
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_set_themes(*, programme: Programme, themes: Iterable[str]) -> None:
    programme.themes.set(clean_themes(themes))


@transaction.atomic
def programme_approve(*, programme: Programme, approved_by: AbstractBaseUser) -> bool:
    """List a suggested programme. Returns False if it was already listed."""
    if not getattr(approved_by, "is_staff", False):
        raise PermissionDenied("Only staff can approve programmes.")
    return bool(
        Programme.objects.filter(pk=programme.pk, approved_at__isnull=True).update(
            approved_at=timezone.now()
        )
    )


# --- People on programmes ----------------------------------------------------------------------


def is_organiser(user, programme: Programme) -> bool:
    """Staff, or a member with a confirmed organiser/contact role on this programme."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return True
    return ProgrammeRole.objects.filter(
        programme=programme, member=user, is_organiser=True, confirmed_at__isnull=False
    ).exists()


@transaction.atomic
def programme_role_claim(
    *, programme: Programme, member: AbstractBaseUser, role: str, is_organiser: bool = False
) -> ProgrammeRole:
    """ "I work on this programme": a claim that waits for an organiser or staff to confirm."""
    if programme.approved_at is None:
        raise PermissionDenied("This programme is not listed yet.")
    role = " ".join(_text(role).split())
    if not role:
        raise ValidationError({"role": "Say what your role is, e.g. “Programme manager”."})
    if ProgrammeRole.objects.filter(programme=programme, member=member).exists():
        raise ValidationError(
            {"role": "You have already said you work on this programme (one role each)."}
        )
    claim = ProgrammeRole(programme=programme, member=member, role=role, is_organiser=is_organiser)
    claim.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ValidationError(
            {"role": "You have already said you work on this programme (one role each)."}
        ) from None
    return claim


@transaction.atomic
def programme_role_add(
    *,
    programme: Programme,
    member: AbstractBaseUser,
    role: str,
    is_organiser: bool = False,
    added_by: AbstractBaseUser | None = None,
) -> ProgrammeRole:
    """Staff (or demo data) add a confirmed role directly."""
    claim, _ = ProgrammeRole.objects.get_or_create(
        programme=programme,
        member=member,
        defaults={
            "role": role,
            "is_organiser": is_organiser,
            "confirmed_at": timezone.now(),
            "confirmed_by": added_by,
        },
    )
    return claim


@transaction.atomic
def programme_role_confirm(*, role: ProgrammeRole, confirmed_by: AbstractBaseUser) -> ProgrammeRole:
    role = ProgrammeRole.objects.select_for_update().select_related("programme").get(pk=role.pk)
    if not is_organiser(confirmed_by, role.programme):
        raise PermissionDenied("Only the programme's organisers or staff can confirm roles.")
    if role.member_id == confirmed_by.pk and not confirmed_by.is_staff:
        raise PermissionDenied("Someone else has to confirm your own role.")
    if role.confirmed_at is None:
        role.confirmed_at, role.confirmed_by = timezone.now(), confirmed_by
        role.save(update_fields=["confirmed_at", "confirmed_by"])
    return role


@transaction.atomic
def programme_role_remove(*, role: ProgrammeRole, removed_by: AbstractBaseUser) -> None:
    """Decline a claim or remove a role: organisers and staff, or the member themselves."""
    role = ProgrammeRole.objects.select_related("programme").get(pk=role.pk)
    if role.member_id != removed_by.pk and not is_organiser(removed_by, role.programme):
        raise PermissionDenied("Only the programme's organisers or staff can remove roles.")
    role.delete()
