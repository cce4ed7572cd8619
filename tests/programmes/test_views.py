"""The directory, its filters and counts, the programme and organisation pages, suggestions,
roles and the open data exports, as a person (or a program) sees them."""

import csv
import io
import re

import pytest
from django.utils.html import strip_tags

from discussions import services as discussion_services
from programmes.models import Programme, ProgrammeRole
from tests.members.factories import UserFactory
from tests.programmes.factories import make_programme

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def _names(response) -> list[str]:
    html = response.content.decode()
    block = html.split('class="programme-list"', 1)[1] if "programme-list" in html else ""
    return re.findall(r'<h2 class="card-title">\s*<a href="[^"]+">([^<]+)</a>', block)


def _option(response, facet: str, label: str) -> str:
    html = response.content.decode()
    select = html.split(f'id="filter-{facet}"', 1)[1].split("</select>", 1)[0]
    match = re.search(rf"<option[^>]*>({re.escape(label)} \(\d+\))</option>", select)
    assert match, f"no option {label!r} in {facet}"
    return match.group(1)


def test_directory_lists_listed_programmes_with_counts_beside_each_option(client, landscape):
    hidden = Programme.objects.create(name="Not approved yet", slug="nay", approved_at=None)
    response = client.get("/programmes/")
    assert response.status_code == 200
    assert _names(response) == [
        "Community Voices",
        "Data Lab",
        "Site Runners",
        "Social Reporters",
        "Talk About Local",
    ]
    assert hidden.name not in _text(response)
    assert "5 programmes" in _text(response)
    assert _option(response, "theme", "local websites") == "local websites (2)"
    assert _option(response, "theme", "training") == "training (2)"
    assert _option(response, "funder", "Department for Communities") == (
        "Department for Communities (3)"
    )
    assert _option(response, "lead", "Talk About Local") == "Talk About Local (3)"
    assert _option(response, "region", "West Midlands") == "West Midlands (2)"
    assert _option(response, "status", "Active") == "Active (3)"


def test_filters_combine_and_counts_follow_the_other_filters(client, landscape):
    response = client.get("/programmes/?theme=local-websites&funder=nesta")
    assert _names(response) == ["Site Runners"]
    assert "1 programme matches your filters" in _text(response)
    # Theme counts: what each theme would give with the NESTA filter kept.
    assert _option(response, "theme", "local websites") == "local websites (1)"
    assert _option(response, "theme", "open data") == "open data (1)"
    assert _option(response, "theme", "training") == "training (0)"
    # Funder counts: what each funder would give with the theme kept.
    assert _option(response, "funder", "Department for Communities") == (
        "Department for Communities (2)"
    )
    assert "selected>local websites (1)" in response.content.decode()
    assert "Remove filter Theme: local websites" in response.content.decode()

    assert _names(client.get("/programmes/?status=ended")) == ["Data Lab"]
    assert _names(client.get("/programmes/?region=london&lead=talk-about-local")) == [
        "Site Runners"
    ]


def test_search_matches_names_descriptions_and_lead_organisations(client, landscape):
    assert _names(client.get("/programmes/?q=hyperlocal")) == ["Talk About Local"]
    assert _names(client.get("/programmes/?q=media+trust")) == ["Community Voices"]
    assert _names(client.get("/programmes/?q=REPORTERS")) == ["Social Reporters"]
    assert _names(client.get("/programmes/?q=nothing-like-this")) == []
    assert "No programmes match these filters" in _text(client.get("/programmes/?q=zzzz"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("theme=no-such-theme", "There is no theme “no-such-theme”; it was left out."),
        ("funder=nobody", "There is no funder “nobody”; it was left out."),
        ("lead=nobody", "There is no lead organisation “nobody”; it was left out."),
        ("region=atlantis", "There is no region “atlantis”; it was left out."),
        ("status=paused", "There is no status “paused”; it was left out."),
        ("q=" + "x" * 5000, "Searches can be at most 200 characters; yours was left out."),
        ("q=%21%21%21", "Search for words or numbers"),
    ],
)
def test_bad_filters_get_a_clear_message_and_the_rest_still_works(
    client, landscape, query, message
):
    extra = "" if query.startswith("status") else "&status=active"
    response = client.get(f"/programmes/?{query}{extra}")
    assert response.status_code == 200
    assert message in _text(response)
    expected = ["Community Voices", "Site Runners", "Talk About Local"]
    if not extra:
        expected = [
            "Community Voices",
            "Data Lab",
            "Site Runners",
            "Social Reporters",
            *expected[2:],
        ]
    assert _names(response) == expected


def test_empty_search_and_odd_pages_show_everything(client, landscape):
    assert len(_names(client.get("/programmes/?q=&theme=&page=abc"))) == 5
    assert len(_names(client.get("/programmes/?q=%20%20&page=999"))) == 5


def test_exports_parse_back_and_follow_the_filters(client, landscape):
    response = client.get("/programmes.csv?theme=local-websites")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["name"] for r in rows] == ["Site Runners", "Talk About Local"]
    sites = rows[0]
    assert sites["funders"] == "Department for Communities; NESTA"
    assert sites["regions"] == "London; West Midlands"
    assert sites["url"] == "http://testserver/programmes/site-runners/"

    data = client.get("/programmes.json?funder=nesta&status=ended").json()
    assert data["count"] == 1 and data["filters"] == {"funder": "nesta", "status": "ended"}
    (lab,) = data["programmes"]
    assert lab["name"] == "Data Lab" and lab["themes"] == ["open data"]
    assert lab["lead_organisations"] == ["NESTA"] and lab["geography"] == "local"
    assert len(client.get("/programmes.json").json()["programmes"]) == 5


@pytest.mark.parametrize("path", ["/programmes.csv", "/programmes.json"])
def test_exports_refuse_unknown_filters_with_400(client, landscape, path):
    response = client.get(f"{path}?theme=nope")
    assert response.status_code == 400
    assert "There is no theme “nope”" in response.content.decode()


def test_programme_page_shows_everything_about_it(client, landscape, organiser):
    voices = landscape["voices"]
    author = UserFactory()
    discussion_services.discussion_create(
        author=author, title="Reporting the workshop", body="Who films?", tags=["social reporting"]
    )
    discussion_services.discussion_create(
        author=author, title="Unrelated", body="Gardening", tags=["allotments"]
    )
    text = _text(client.get(voices.get_absolute_url()))
    assert "Community Voices" in text and "Volunteers film neighbourhood stories" in text
    assert "Led by Media Trust" in text
    assert "Funded by Department for Communities" in text
    assert "Olive Organiser, Director Contact" in text
    assert "Reporting the workshop" in text and "Unrelated" not in text
    assert "No upcoming events are linked" in text and "No groups are linked" in text
    # Similar programmes, best first, each with why.
    similar = text.split("Similar programmes", 1)[1].split("Discussions on its themes", 1)[0]
    assert similar.index("Social Reporters") < similar.index("Talk About Local")
    assert "Shares 2 themes (community media, social reporting)" in similar
    assert "Shares a theme (training) and a funder (Department for Communities)" in similar


def test_unknown_and_unapproved_programmes_are_404_except_to_staff_and_suggester(client):
    member = UserFactory()
    from programmes import services

    pending = services.programme_suggest(suggested_by=member, name="Pending Plan")
    assert client.get("/programmes/no-such/").status_code == 404
    assert client.get(pending.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert "waiting for staff to approve" in _text(client.get(pending.get_absolute_url()))
    client.force_login(UserFactory(is_staff=True))
    assert client.get(pending.get_absolute_url()).status_code == 200
    client.force_login(UserFactory())
    assert client.get(pending.get_absolute_url()).status_code == 404


def test_member_claims_a_role_once_and_an_organiser_confirms_it(client, landscape, organiser):
    voices = landscape["voices"]
    member = UserFactory(display_name="Mo Member")
    client.force_login(member)
    url = f"/programmes/{voices.slug}/claim/"
    response = client.post(url, {"role": "Trainer"}, follow=True)
    assert "your role will show once an organiser" in _text(response)
    assert "You said you work on this programme as Trainer (waiting" in _text(response)
    response = client.post(url, {"role": "Trainer again"}, follow=True)
    assert response.status_code == 200
    assert "already said you work on this programme" in _text(response)
    assert client.post(url, {"role": ""}, follow=True).status_code == 200
    assert ProgrammeRole.objects.filter(programme=voices, member=member).count() == 1
    claim = ProgrammeRole.objects.get(programme=voices, member=member)

    # Not an organiser: 403. The organiser sees the claim and confirms it.
    assert client.post(f"/programmes/roles/{claim.pk}/confirm/").status_code == 403
    client.force_login(organiser)
    page = _text(client.get(voices.get_absolute_url()))
    assert "Waiting for confirmation Mo Member says: Trainer" in page
    client.post(f"/programmes/roles/{claim.pk}/confirm/")
    claim.refresh_from_db()
    assert claim.confirmed_by == organiser
    assert "Mo Member, Trainer" in _text(client.get(voices.get_absolute_url()))
    assert client.post("/programmes/roles/999999/confirm/").status_code == 404
    assert client.get(f"/programmes/roles/{claim.pk}/confirm/").status_code == 405


def test_visitors_must_log_in_to_claim_or_suggest(client, landscape):
    response = client.post(f"/programmes/{landscape['voices'].slug}/claim/", {"role": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "/accounts/login/" in client.get("/programmes/suggest/")["Location"]
    assert ProgrammeRole.objects.count() == 0


def test_suggestion_appears_only_after_staff_approve_it(client, landscape):
    member = UserFactory()
    client.force_login(member)
    response = client.post(
        "/programmes/suggest/",
        {
            "name": "Neighbourhood Newsroom",
            "website": "newsroom.example.org",
            "summary": "Local news by local people",
            "description": "A *newsroom* in every library.",
            "lead_organisations": [landscape["orgs"]["media"].pk],
            "funders": [landscape["orgs"]["dclg"].pk],
            "themes": "community media, local news",
            "geography": "local",
            "regions": "Stoke, West Midlands",
            "status": "planned",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "suggestion_note": "I volunteer there.",
        },
        follow=True,
    )
    assert "will appear in the directory once staff have checked it" in _text(response)
    suggestion = Programme.objects.get(name="Neighbourhood Newsroom")
    assert suggestion.approved_at is None and suggestion.suggested_by == member
    assert suggestion.website == "https://newsroom.example.org"
    assert "<em>newsroom</em>" in suggestion.description_html
    assert sorted(r.name for r in suggestion.regions.all()) == ["Stoke", "West Midlands"]
    assert "Neighbourhood Newsroom" not in _text(client.get("/programmes/"))

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.post(
        "/admin/programmes/programme/",
        {"action": "approve", "_selected_action": [suggestion.pk]},
    )
    suggestion.refresh_from_db()
    assert suggestion.approved_at is not None
    assert "Neighbourhood Newsroom" in _names(client.get("/programmes/"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Give the programme a name."),
        ({"name": "X", "website": "http://"}, "Enter a full web address"),
        ({"name": "Talk about local"}, "A programme called “Talk about local” is already listed."),
        ({"name": "X", "geography": "regional"}, "Name at least one region or place."),
        ({"name": "X", "starts_on": "2026-05-01", "ends_on": "2026-01-01"}, "end date"),
        ({"name": "X", "starts_on": "31/31/2026"}, "Enter a valid date."),
        ({"name": "X", "lead_organisations": ["999999"]}, "Select a valid choice."),
        ({"name": "X" * 201}, "at most 200 characters"),
    ],
)
def test_malformed_suggestions_show_form_errors_and_save_nothing(client, landscape, data, message):
    client.force_login(UserFactory())
    before = Programme.objects.count()
    form = {"geography": "national", "status": "active", **data}
    response = client.post("/programmes/suggest/", form)
    assert response.status_code == 200
    assert message in _text(response)
    assert Programme.objects.count() == before


def test_organisation_page_shows_what_it_leads_funds_and_its_members(client, landscape):
    UserFactory(username="tally", display_name="Tally Member", organisation="talk about local")
    UserFactory(username="elsewhere", display_name="Else Where", organisation="Media Trust")
    text = _text(client.get("/programmes/organisations/talk-about-local/"))
    leads = text.split("Programmes it leads", 1)[1].split("Programmes it funds", 1)[0]
    assert "Site Runners" in leads and "Social Reporters" in leads and "Talk About Local" in leads
    assert "It funds no programme listed here." in text
    assert "Tally Member" in text and "Else Where" not in text
    funds = _text(client.get("/programmes/organisations/nesta/")).split("Programmes it funds")[1]
    assert "Data Lab" in funds and "Site Runners" in funds
    assert client.get("/programmes/organisations/nobody/").status_code == 404


def test_home_lists_only_listed_programmes(client):
    make_programme("Shown Programme")
    Programme.objects.create(name="Hidden Suggestion", slug="hidden", approved_at=None)
    text = _text(client.get("/"))
    assert "Shown Programme" in text and "Hidden Suggestion" not in text
