"""The services: suggestions, approval, roles and who confirms them, merging organisations."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programmes import services
from programmes.models import Organisation, Programme, ProgrammeRole
from tests.members.factories import UserFactory
from tests.programmes.factories import make_org, make_programme

pytestmark = pytest.mark.django_db


def test_create_renders_markdown_on_write_and_keeps_words_for_matching():
    programme = make_programme(
        "Street Stories",
        summary="Reporters on every street",
        description="We **train** people. <script>alert(1)</script>",
        themes=["Social  Reporting", "social reporting", "video"],
    )
    assert "<strong>train</strong>" in programme.description_html
    assert "<script>" not in programme.description_html
    assert programme.match_text.startswith("reporters on every street we train people")
    assert sorted(programme.themes.names()) == ["social reporting", "video"]
    assert programme.approved_at is not None and programme.slug == "street-stories"


def test_suggestion_waits_for_approval_and_only_staff_approve():
    member, staff = UserFactory(), UserFactory(is_staff=True)
    suggestion = services.programme_suggest(
        suggested_by=member, name="Web Wardens", website="https://example.org/wardens"
    )
    assert suggestion.approved_at is None and suggestion.suggested_by == member
    with pytest.raises(PermissionDenied):
        services.programme_approve(programme=suggestion, approved_by=member)
    assert services.programme_approve(programme=suggestion, approved_by=staff) is True
    assert services.programme_approve(programme=suggestion, approved_by=staff) is False
    suggestion.refresh_from_db()
    assert suggestion.approved_at is not None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "Give the programme a name"),
        ({"name": "Web", "website": "not a url"}, "website", "valid URL"),
        ({"name": "Talk about local"}, "name", "already listed"),
        ({"name": "Local", "geography": "local"}, "regions", "at least one region"),
        ({"name": "Odd", "themes": [f"t{i}" for i in range(13)]}, "themes", "at most 12"),
    ],
)
def test_malformed_suggestions_are_refused_with_a_clear_message(fields, field, message):
    make_programme("Talk About Local")
    with pytest.raises(ValidationError) as caught:
        services.programme_suggest(suggested_by=UserFactory(), **fields)
    assert message in " ".join(caught.value.message_dict[field])
    assert Programme.objects.count() == 1


def test_reserved_slugs_are_not_given_to_programmes():
    assert make_programme("Map").slug == "map-programme"
    assert make_programme("map!").slug == "map-programme-2"


def test_claiming_a_role_twice_is_refused_and_organisers_confirm():
    programme = make_programme()
    organiser, member, stranger = UserFactory(), UserFactory(), UserFactory()
    services.programme_role_add(
        programme=programme, member=organiser, role="Director", is_organiser=True
    )
    claim = services.programme_role_claim(programme=programme, member=member, role="Trainer")
    assert claim.confirmed_at is None
    with pytest.raises(ValidationError, match="already said you work on this programme"):
        services.programme_role_claim(programme=programme, member=member, role="Other")
    with pytest.raises(PermissionDenied):
        services.programme_role_confirm(role=claim, confirmed_by=stranger)
    with pytest.raises(PermissionDenied):
        services.programme_role_confirm(role=claim, confirmed_by=member)  # not their own
    services.programme_role_confirm(role=claim, confirmed_by=organiser)
    claim.refresh_from_db()
    assert claim.confirmed_by == organiser and claim.is_confirmed
    assert ProgrammeRole.objects.filter(programme=programme).count() == 2


def test_an_unconfirmed_organiser_cannot_confirm_others():
    programme = make_programme()
    hopeful, member = UserFactory(), UserFactory()
    services.programme_role_claim(
        programme=programme, member=hopeful, role="Lead", is_organiser=True
    )
    claim = services.programme_role_claim(programme=programme, member=member, role="Helper")
    with pytest.raises(PermissionDenied):
        services.programme_role_confirm(role=claim, confirmed_by=hopeful)
    services.programme_role_confirm(role=claim, confirmed_by=UserFactory(is_staff=True))


def test_claims_on_unlisted_programmes_and_empty_roles_are_refused():
    suggestion = services.programme_suggest(suggested_by=UserFactory(), name="Pending")
    with pytest.raises(PermissionDenied):
        services.programme_role_claim(programme=suggestion, member=UserFactory(), role="x")
    with pytest.raises(ValidationError, match="Say what your role is"):
        services.programme_role_claim(programme=make_programme(), member=UserFactory(), role=" ")


def test_merge_moves_every_programme_once_and_deletes_the_duplicates():
    keep = make_org("Department for Communities and Local Government")
    dupe = make_org("DCLG", website="https://dclg.example")
    other_dupe = make_org("Dept. for Communities")
    both = make_programme(lead_organisations=[keep, dupe], funders=[dupe])
    only_dupe = make_programme(funders=[other_dupe])
    with pytest.raises(PermissionDenied):
        services.organisation_merge(keep=keep, duplicates=[dupe], merged_by=UserFactory())
    services.organisation_merge(
        keep=keep, duplicates=[dupe, other_dupe, keep], merged_by=UserFactory(is_staff=True)
    )
    assert list(Organisation.objects.values_list("name", flat=True)) == [keep.name]
    assert list(both.lead_organisations.all()) == [keep]
    assert list(both.funders.all()) == [keep]
    assert list(only_dupe.funders.all()) == [keep]
    keep.refresh_from_db()
    assert keep.website == "https://dclg.example"
    with pytest.raises(ValidationError):
        services.organisation_merge(
            keep=keep, duplicates=[keep], merged_by=UserFactory(is_staff=True)
        )


def test_organisation_names_are_unique_ignoring_case():
    make_org("Media Trust")
    with pytest.raises(ValidationError, match="already exists"):
        make_org("media trust")
