import pytest

from programmes import services
from tests.members.factories import UserFactory
from tests.programmes.factories import make_org, make_programme


@pytest.fixture
def landscape():
    """A small, known landscape: two funders, three themes, two regions, five programmes."""
    dclg = make_org("Department for Communities", kind="government")
    nesta = make_org("NESTA", kind="foundation")
    media = make_org("Media Trust", kind="charity")
    tal = make_org("Talk About Local", kind="company")
    programmes = {
        "voices": make_programme(
            "Community Voices",
            summary="Volunteers film neighbourhood stories",
            lead_organisations=[media],
            funders=[dclg],
            themes=["social reporting", "community media", "training"],
        ),
        "tal": make_programme(
            "Talk About Local",
            summary="Residents start hyperlocal websites",
            lead_organisations=[tal],
            funders=[dclg],
            themes=["local websites", "training"],
            geography="regional",
            region_names=["West Midlands"],
        ),
        "lab": make_programme(
            "Data Lab",
            summary="Open data experiments",
            lead_organisations=[nesta],
            funders=[nesta],
            themes=["open data"],
            geography="local",
            region_names=["London"],
            status="ended",
        ),
        "reporters": make_programme(
            "Social Reporters",
            summary="Reporters cover events with blogs",
            lead_organisations=[tal],
            funders=[],
            themes=["social reporting", "community media"],
            status="planned",
        ),
        "sites": make_programme(
            "Site Runners",
            summary="Peer support for people who run local sites",
            lead_organisations=[tal],
            funders=[dclg, nesta],
            themes=["local websites"],
            geography="regional",
            region_names=["West Midlands", "London"],
        ),
    }
    return {"orgs": {"dclg": dclg, "nesta": nesta, "media": media, "tal": tal}, **programmes}


@pytest.fixture
def organiser(landscape):
    user = UserFactory(username="organiser", display_name="Olive Organiser")
    services.programme_role_add(
        programme=landscape["voices"], member=user, role="Director", is_organiser=True
    )
    return user
