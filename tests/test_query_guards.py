"""Every page costs the same number of queries however much data there is."""

import pytest

from programmes.models import Programme
from tests.members.factories import UserFactory
from tests.query_guard import assert_max_queries, assert_same_queries, queries_for

pytestmark = pytest.mark.django_db


def _programmes(n: int, start: int = 0):
    Programme.objects.bulk_create(
        Programme(name=f"Programme {i}", slug=f"programme-{i}", summary="x")
        for i in range(start, start + n)
    )


@pytest.mark.parametrize("path", ["/", "/programmes/"])
def test_pages_listing_programmes_cost_the_same_for_7_and_500(client, path):
    client.force_login(UserFactory())
    _programmes(7)
    small = queries_for(client, path)
    _programmes(493, start=7)
    assert_same_queries(small, queries_for(client, path), path)


@pytest.mark.parametrize(
    # The programme page has its own guard in tests/programmes/test_query_counts.py.
    "path",
    ["/members/ada/", "/terms/", "/feeds/", "/discussions/"],
)
def test_single_pages_are_cheap(client, path):
    UserFactory(username="ada")
    _programmes(3)
    assert_max_queries(queries_for(client, path), 3, path)
