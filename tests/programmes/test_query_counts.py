"""The programme pages cost the same number of queries for 7 and 500 programmes."""

import pytest

from programmes.models import Organisation, Programme
from tests.members.factories import UserFactory
from tests.programmes.factories import bulk_programmes
from tests.query_guard import assert_max_queries, assert_same_queries, queries_for

pytestmark = pytest.mark.django_db

PAGES = [
    "/programmes/",
    "/programmes/?theme=theme-1&funder=bulk-org-1&status=active&q=neighbourhood",
    "/programmes/bulk-programme-3/",
    "/programmes/organisations/bulk-org-1/",
    "/programmes/map/",
    "/programmes/map/?region=region-1",
    "/programmes.json",
]
MAX_QUERIES = {
    "/programmes/": 14,
    "/programmes/bulk-programme-3/": 16,  # related groups, events and news: one query each
    "/programmes/organisations/bulk-org-1/": 6,
    "/programmes/map/": 14,
}


@pytest.mark.parametrize("path", PAGES)
def test_programme_pages_cost_the_same_for_7_and_500(client, path):
    people = UserFactory.create_batch(3)
    client.force_login(people[0])
    bulk_programmes(7, people=people)
    small = queries_for(client, path)
    bulk_programmes(493, start=7, people=people)
    assert Programme.objects.count() == 500
    large = queries_for(client, path)
    assert_same_queries(small, large, path)
    if path in MAX_QUERIES:
        assert_max_queries(large, MAX_QUERIES[path], path)


def test_the_map_at_500_programmes_draws_all_of_them(client):
    bulk_programmes(500, people=UserFactory.create_batch(3))
    html = client.get("/programmes/map/").content.decode()
    assert html.count('class="node"') == 500
    assert "the 3000 strongest of" in " ".join(html.split())
    assert Organisation.objects.count() == 6
