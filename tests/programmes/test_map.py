"""The map: server-rendered SVG with one node per programme shown, legend, matrix, table."""

import xml.etree.ElementTree as ET

import pytest

from programmes import services
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def _svg(response):
    html = response.content.decode()
    start = html.index("<svg xmlns=")
    end = html.index("</svg>", start) + len("</svg>")
    # Our own page; raises if the SVG is not well-formed XML.
    return ET.fromstring(html[start:end])  # noqa: S314


def _nodes(root):
    return {a.get("data-programme"): a for a in root.iter(f"{SVG}a") if a.get("class") == "node"}


def test_the_map_draws_one_node_per_programme_and_a_line_per_link(client, landscape):
    response = client.get("/programmes/map/")
    assert response.status_code == 200
    root = _svg(response)
    nodes = _nodes(root)
    assert set(nodes) == {
        "community-voices",
        "talk-about-local",
        "data-lab",
        "social-reporters",
        "site-runners",
    }
    for slug, node in nodes.items():
        assert node.get("href") == f"/programmes/{slug}/"
        circle = node.find(f"{SVG}circle")
        assert circle is not None and circle.get("fill").startswith("#")
        assert node.find(f"{SVG}title").text.startswith(node.find(f"{SVG}text").text)
    lines = list(root.iter(f"{SVG}line"))
    # voices–tal (training, dclg), voices–reporters (2 themes), voices–sites (dclg),
    # tal–sites (theme, dclg, region), tal–reporters (lead is not a link), lab–sites (nesta,
    # region), reporters–sites: none.
    assert len(lines) == 5
    assert {line.get("class") for line in lines} == {"link link-theme", "link link-funder"}
    assert root.find(f"{SVG}title").text == "Map of 5 programmes and 5 links"


def test_colours_follow_the_main_theme_with_a_legend(client, landscape):
    response = client.get("/programmes/map/")
    nodes = _nodes(_svg(response))
    fill = {slug: n.find(f"{SVG}circle").get("fill") for slug, n in nodes.items()}
    # community media / social reporting / local websites / training are each on 2: ties go
    # by name, so Voices and Reporters share "community media", TAL and Sites "local websites".
    assert fill["community-voices"] == fill["social-reporters"]
    assert fill["talk-about-local"] == fill["site-runners"]
    assert len({fill["community-voices"], fill["talk-about-local"], fill["data-lab"]}) == 3
    html = response.content.decode()
    legend = html.split('class="legend"', 1)[1].split("</ul>", 1)[0]
    assert "community media (2)" in " ".join(legend.split())
    assert "open data (1)" in " ".join(legend.split())
    assert "shares a funder" in legend


def test_matrix_and_table_say_the_same_as_the_drawing(client, landscape):
    html = client.get("/programmes/map/").content.decode()
    matrix = html.split('class="matrix"', 1)[1].split("</table>", 1)[0]
    assert matrix.count('<th scope="row">') == 6  # five programmes and the totals row
    assert matrix.count('class="yes"') == 9  # theme links in the landscape: 3+2+1+2+1
    table = " ".join(html.split('class="listing map-table"', 1)[1].split("</table>")[0].split())
    assert "Data Lab</a></th><td>open data</td><td>NESTA</td><td>1</td>" in table
    assert "Site Runners</a> (a funder)" in table
    gaps = html.split("Where are the gaps?", 1)[1].split("Programmes × themes", 1)[0]
    assert "open data" in gaps  # only one programme works on it


def test_people_on_two_programmes_link_them(client, landscape):
    person = UserFactory()
    services.programme_role_add(programme=landscape["lab"], member=person, role="Adviser")
    services.programme_role_add(programme=landscape["reporters"], member=person, role="Adviser")
    root = _svg(client.get("/programmes/map/"))
    assert [line.get("class") for line in root.iter(f"{SVG}line")].count("link link-people") == 1


def test_the_map_takes_the_directory_filters(client, landscape):
    response = client.get("/programmes/map/?theme=local-websites&status=nope")
    assert set(_nodes(_svg(response))) == {"talk-about-local", "site-runners"}
    assert "There is no status “nope”" in response.content.decode()
    empty = client.get("/programmes/map/?q=nothing-matches-this")
    assert "nothing to draw" in empty.content.decode()


def test_the_map_with_no_programmes_is_friendly(client):
    response = client.get("/programmes/map/")
    assert response.status_code == 200 and "nothing to draw" in response.content.decode()
