import pytest

from members import services
from members.models import User
from tests.members.factories import UserFactory
from tests.query_guard import assert_same_queries, queries_for

pytestmark = pytest.mark.django_db


def test_profile_page_shows_what_the_member_wrote(client):
    user = UserFactory(
        username="grace",
        display_name="Grace Adeyemi",
        organisation="Media Trust",
        role_title="Coordinator",
        location="Manchester",
    )
    services.profile_update(
        user=user,
        display_name="Grace Adeyemi",
        organisation="Media Trust",
        role_title="Coordinator",
        location="Manchester",
        bio="I train **community reporters**.",
    )
    html = client.get("/members/grace/").content.decode()
    for text in ("Grace Adeyemi", "Media Trust", "Coordinator", "Manchester"):
        assert text in html
    assert "<strong>community reporters</strong>" in html
    assert "Joined" in html
    assert "Edit your profile" not in html  # only the member sees it


def test_unknown_member_is_404(client):
    assert client.get("/members/nobody-here/").status_code == 404


def test_editing_needs_login(client):
    response = client.get("/members/me/edit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_edits_own_profile_and_bio_is_sanitised(client):
    user = UserFactory(username="owen")
    client.force_login(user)
    response = client.post(
        "/members/me/edit/",
        {
            "display_name": "  Owen P  ",
            "organisation": "Talk About Local",
            "role_title": "Manager",
            "location": "Stoke",
            "bio": "<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
            " [site](https://example.org)",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/members/owen/"
    user.refresh_from_db()
    assert user.display_name == "Owen P"
    assert "<script" not in user.bio_html
    assert "javascript:" not in user.bio_html
    assert "onerror" not in user.bio_html
    assert 'rel="nofollow ugc noopener"' in user.bio_html
    page = client.get("/members/owen/").content.decode()
    assert "Your profile has been saved." in page
    assert "<script>alert(1)</script>" not in page


def test_too_long_bio_is_a_form_error_and_nothing_is_saved(client):
    user = UserFactory(username="owen", organisation="Before")
    client.force_login(user)
    response = client.post(
        "/members/me/edit/", {"organisation": "After", "bio": "x" * 2001, "display_name": ""}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.organisation == "Before"


def test_directory_searches_by_name_and_organisation(client):
    UserFactory(username="a1", display_name="Amira Khan", organisation="Young Foundation")
    UserFactory(username="b1", display_name="Ben Ode", organisation="RSA")
    UserFactory(username="c1", display_name="Cara Lin", organisation="Media Trust")

    html = client.get("/members/?q=young").content.decode()
    assert "Amira Khan" in html and "Ben Ode" not in html
    assert "1 member matching" in html

    html = client.get("/members/?q=ben").content.decode()
    assert "Ben Ode" in html and "Cara Lin" not in html

    html = client.get("/members/?q=zzzz").content.decode()
    assert "No members match that search" in html


def test_directory_paginates_alphabetically(client, settings):
    settings.MEMBERS_PER_PAGE = 2
    for name in ("Cara", "Ada", "Bea"):
        UserFactory(display_name=name)
    first = client.get("/members/").content.decode()
    assert "Ada" in first and "Bea" in first and "Cara" not in first
    assert "Page 1 of 2" in first
    second = client.get("/members/?page=2").content.decode()
    assert "Cara" in second
    # A page past the end or nonsense shows a real page, not an error.
    assert client.get("/members/?page=99").status_code == 200
    assert client.get("/members/?page=abc").status_code == 200


def test_directory_search_is_bounded(client):
    response = client.get("/members/", {"q": "x" * 10_000})
    assert response.status_code == 200


def test_directory_query_count_is_the_same_for_5_and_200_members(client):
    UserFactory.create_batch(5)
    viewer = User.objects.first()
    client.force_login(viewer)
    small = queries_for(client, "/members/")
    UserFactory.create_batch(195)
    large = queries_for(client, "/members/")
    assert_same_queries(small, large, "member directory")
    assert_same_queries(small, queries_for(client, "/members/?page=5"), "directory page 5")
