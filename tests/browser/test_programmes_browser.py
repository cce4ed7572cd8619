"""A visitor filters the directory and follows a similar programme; the pages pass axe."""

import pytest
from playwright.sync_api import expect

from programmes import services
from tests.members.factories import PASSWORD, UserFactory
from tests.programmes.factories import make_org, make_programme

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def programmes():
    dclg = make_org("Department for Communities", kind="government")
    media = make_org("Media Trust", kind="charity")
    voices = make_programme(
        "Community Voices",
        summary="Volunteers film neighbourhood stories",
        lead_organisations=[media],
        funders=[dclg],
        themes=["social reporting", "community media"],
    )
    reporters = make_programme(
        "Social Reporters",
        summary="Reporters cover events with blogs",
        themes=["social reporting", "community media"],
        geography="regional",
        region_names=["West Midlands"],
    )
    make_programme(
        "Talk About Local",
        summary="Residents start hyperlocal websites",
        funders=[dclg],
        themes=["local websites"],
    )
    make_programme("Data Lab", summary="Open data experiments", themes=["open data"])
    organiser = UserFactory(username="olive", display_name="Olive Organiser")
    services.programme_role_add(
        programme=voices, member=organiser, role="Director", is_organiser=True
    )
    return {"voices": voices, "reporters": reporters}


def test_filter_the_directory_and_open_a_similar_programme(page, site, programmes):
    page.goto(f"{site}/programmes/")
    items = page.locator(".programme-item h2 a")
    expect(items).to_have_count(4)
    expect(page.get_by_label("Theme", exact=True)).to_contain_text("social reporting (2)")
    page.get_by_label("Theme", exact=True).select_option(label="social reporting (2)")
    page.get_by_label("Funder", exact=True).select_option(label="Department for Communities (2)")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/programmes/?*theme=social-reporting*")
    expect(items).to_have_text(["Community Voices"])
    expect(page.get_by_role("status").first).to_contain_text("1 programme matches your filters")
    # The counts now follow the other filter: with the funder kept, "local websites" gives 1.
    expect(page.get_by_label("Theme", exact=True)).to_contain_text("local websites (1)")

    page.get_by_role("link", name="Community Voices").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Community Voices")
    similar = page.locator("section.similar")
    expect(similar).to_contain_text("Shares 2 themes (community media, social reporting)")
    similar.get_by_role("link", name="Social Reporters").click()
    page.wait_for_url(f"{site}/programmes/social-reporters/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Social Reporters")
    expect(page.locator("section.similar")).to_contain_text("Community Voices")


def test_a_member_claims_a_role_without_javascript_help(page, site, programmes, log_in):
    UserFactory(username="mo", display_name="Mo Member")
    log_in(page, "mo", PASSWORD)
    page.goto(f"{site}/programmes/social-reporters/")
    page.get_by_label("Your role").fill("Trainer")
    page.get_by_role("button", name="Add me").click()
    expect(page.locator(".messages")).to_contain_text("your role will show once an organiser")
    expect(page.locator("#people")).to_contain_text("Trainer (waiting")


@pytest.mark.parametrize(
    "path",
    [
        "/programmes/",
        "/programmes/?theme=social-reporting&status=nope",
        "/programmes/community-voices/",
        "/programmes/map/",
        "/programmes/organisations/media-trust/",
    ],
)
def test_programme_pages_have_no_axe_violations(page, site, programmes, assert_accessible, path):
    page.goto(f"{site}{path}")
    assert_accessible(page, path)


def test_member_pages_have_no_axe_violations(page, site, programmes, log_in, assert_accessible):
    log_in(page, "olive", PASSWORD)
    for path in ["/programmes/community-voices/", "/programmes/suggest/", "/programmes/overlaps/"]:
        page.goto(f"{site}{path}")
        assert_accessible(page, path)
    page.goto(f"{site}/programmes/suggest/")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page, "suggest with errors")
