"""The admin: search, filters, inline people, approving suggestions, merging organisations."""

import pytest

from programmes import services
from programmes.models import Organisation, Programme, ProgrammeRole
from tests.members.factories import UserFactory
from tests.programmes.factories import make_org, make_programme

pytestmark = pytest.mark.django_db


def _results(response) -> str:
    """The change list's table of results (not its filter sidebar)."""
    html = response.content.decode()
    return (
        html.split('id="result_list"', 1)[1].split("</table>", 1)[0]
        if "result_list" in html
        else ""
    )


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_lists_search_and_filter(staff_client, landscape):
    services.programme_suggest(suggested_by=UserFactory(), name="Waiting Room")
    page = _results(staff_client.get("/admin/programmes/programme/?q=hyperlocal"))
    assert "Talk About Local" in page and "Community Voices" not in page
    waiting = _results(staff_client.get("/admin/programmes/programme/?listed=no"))
    assert "Waiting Room" in waiting and "Talk About Local" not in waiting
    funder = landscape["orgs"]["nesta"].pk
    by_funder = _results(
        staff_client.get(f"/admin/programmes/programme/?funders__id__exact={funder}")
    )
    assert "Data Lab" in by_funder and "Community Voices" not in by_funder
    orgs = _results(staff_client.get("/admin/programmes/organisation/?kind=charity"))
    assert "Media Trust" in orgs and "NESTA" not in orgs
    assert staff_client.get("/admin/programmes/programmerole/").status_code == 200
    change = staff_client.get(f"/admin/programmes/programme/{landscape['voices'].pk}/change/")
    assert change.status_code == 200 and "roles-TOTAL_FORMS" in change.content.decode()


def test_editing_in_admin_renders_markdown_and_adds_confirmed_people(staff_client, landscape):
    voices = landscape["voices"]
    person = UserFactory()
    data = {
        "name": "Community Voices",
        "slug": "community-voices",
        "summary": "New summary",
        "description": "Now with **bold** words",
        "website": "voices.example.org",
        "audience": "",
        "lead_organisations": [landscape["orgs"]["media"].pk],
        "funders": [landscape["orgs"]["dclg"].pk],
        "themes": "social reporting, video",
        "geography": "national",
        "status": "active",
        "starts_on": "",
        "ends_on": "",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-0-member": person.pk,
        "roles-0-role": "Editor",
        "roles-0-is_organiser": "on",
    }
    response = staff_client.post(f"/admin/programmes/programme/{voices.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    voices.refresh_from_db()
    assert voices.description_html == "<p>Now with <strong>bold</strong> words</p>"
    assert "new summary" in voices.match_text
    assert voices.website == "https://voices.example.org"
    assert sorted(voices.themes.names()) == ["social reporting", "video"]
    role = ProgrammeRole.objects.get(programme=voices, member=person)
    assert role.is_organiser and role.confirmed_at is not None


def test_admin_refuses_a_duplicate_name_and_a_reserved_slug(staff_client, landscape):
    response = staff_client.post(
        "/admin/programmes/programme/add/",
        {
            "name": "talk about LOCAL",
            "slug": "map",
            "geography": "national",
            "status": "active",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "is already listed" in page and "the address of another page" in page


def test_approve_action_lists_suggestions(staff_client):
    one = services.programme_suggest(suggested_by=UserFactory(), name="One")
    two = services.programme_suggest(suggested_by=UserFactory(), name="Two")
    response = staff_client.post(
        "/admin/programmes/programme/",
        {"action": "approve", "_selected_action": [one.pk, two.pk]},
        follow=True,
    )
    assert "2 programme(s) approved and listed." in response.content.decode()
    assert Programme.objects.filter(approved_at__isnull=True).count() == 0


def test_merge_action_asks_which_to_keep_then_merges(staff_client):
    keep, dupe = make_org("Department for Communities"), make_org("DCLG")
    programme = make_programme(funders=[dupe])
    url = "/admin/programmes/organisation/"
    ask = staff_client.post(url, {"action": "merge", "_selected_action": [keep.pk, dupe.pk]})
    assert ask.status_code == 200 and "Keep this one" in ask.content.decode()
    done = staff_client.post(
        url,
        {
            "action": "merge",
            "_selected_action": [keep.pk, dupe.pk],
            "apply": "1",
            "keep": keep.pk,
        },
        follow=True,
    )
    assert "Merged 1 organisation(s) into “Department for Communities”." in done.content.decode()
    assert list(Organisation.objects.all()) == [keep]
    assert list(programme.funders.all()) == [keep]
    one = staff_client.post(url, {"action": "merge", "_selected_action": [keep.pk]}, follow=True)
    assert "Choose two or more organisations to merge." in one.content.decode()
