import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from programmes.models import Programme

pytestmark = pytest.mark.django_db


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [path("forbidden/", _forbidden), path("", include("socialbysocial.urls"))]


def test_healthz_answers_without_any_query(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert len(ctx.captured_queries) == 0


def test_404_page_renders_inside_the_site_shell(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="#main"' in html  # skip link
    assert '<nav aria-label="Main">' in html
    assert "Terms of Service" in html  # footer


def test_403_page_renders_inside_the_site_shell(client, settings):
    settings.ROOT_URLCONF = __name__
    response = client.get("/forbidden/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You are not allowed to do that" in html
    assert '<main id="main"' in html
    assert "Log in</a> if you have an account" in html


def test_400_and_500_templates_render_without_a_request():
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")
    assert "could not be understood" in render_to_string("400.html")


def test_csrf_failure_gets_a_friendly_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})
    assert response.status_code == 403
    assert "That form has expired" in response.content.decode()


def test_home_lists_programmes_and_says_kindly_what_is_empty(client):
    Programme.objects.create(name="Talk About Local", slug="talk-about-local", summary="s")
    html = client.get("/").content.decode()
    assert "Talk About Local" in html
    assert "No events are planned yet" in html
    assert "No discussions yet" in html
    assert "No groups yet" in html


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/terms/", "Terms of Service"),
        ("/about/", "About"),
        ("/report-an-issue/", "Report an Issue"),
    ],
)
def test_site_pages_exist_and_are_editable_flatpages(client, url, title):
    from django.contrib.flatpages.models import FlatPage

    response = client.get(url)
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()
    page = FlatPage.objects.get(url=url)
    page.content = "<p>Edited by staff in the admin.</p>"
    page.save()
    assert "Edited by staff in the admin." in client.get(url).content.decode()


def test_header_shows_log_in_for_visitors_and_profile_for_members(client, django_user_model):
    assert "Log in" in client.get("/").content.decode()
    user = django_user_model.objects.create_user("ada", "ada@example.org", "pw-12345678")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'href="/members/ada/">Your profile' in html
    assert "Log out" in html


def test_unknown_method_is_refused_not_crashed(client):
    assert client.delete("/").status_code == 405


@pytest.mark.parametrize(
    "url", ["/members/?q=%00", "/members/a%00b/", "/search/?q=a%00", "/discussions/?tag=%00"]
)
def test_nul_bytes_in_the_address_get_a_400_page_not_a_crash(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()
