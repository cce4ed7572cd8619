"""axe-core (shipped inside axe-playwright-python, so offline) finds no violations."""

import io

import pytest

from tests.members.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def members():
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    return UserFactory(username="viewer", display_name="Viewer", location="Leeds")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/signup/",
        "/accounts/login/",
        "/members/",
        "/members/nadia/",
        "/terms/",
        "/feeds/",
    ],
)
def test_pages_have_no_axe_violations_for_visitors(page, site, members, assert_accessible, path):
    page.goto(f"{site}{path}")
    assert_accessible(page, path)


@pytest.mark.parametrize("path", ["/", "/members/viewer/", "/members/me/edit/", "/feeds/"])
def test_pages_have_no_axe_violations_for_members(
    page, site, members, log_in, assert_accessible, path
):
    log_in(page, "viewer", PASSWORD)
    page.goto(f"{site}{path}")
    assert_accessible(page, path)


def test_error_messages_on_a_form_are_accessible(page, site, members, assert_accessible):
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username or email").fill("viewer")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert "not correct" in page.content()
    assert_accessible(page, "login with errors")


def test_skip_link_is_the_first_thing_the_keyboard_reaches(page, site, members):
    page.goto(f"{site}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
