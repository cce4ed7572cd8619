"""A newcomer signs up, verifies their email, logs in and fills in their profile."""

import re

import pytest
from playwright.sync_api import expect

from members.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _fill_signup(page, site):
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Email", exact=True).fill("priya@example.org")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password", exact=True).fill("walk-the-canal-2026")
    page.get_by_label("Password (again)").fill("walk-the-canal-2026")


def test_sign_up_verify_log_in_and_edit_profile(page, site, mailoutbox):
    _fill_signup(page, site)
    page.get_by_label("I accept the Terms of Service").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username or email").fill("priya@example.org")
    page.get_by_label("Password").fill("walk-the-canal-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/")

    page.get_by_role("link", name="Your profile").click()
    page.get_by_role("link", name="Edit your profile").click()
    page.get_by_label("Display name").fill("Priya Shah")
    page.get_by_label("Organisation").fill("Local 2.0")
    page.get_by_label("Role or title").fill("Researcher")
    page.get_by_label("Location").fill("Bristol")
    page.get_by_label("Bio").fill("I study **neighbourhood networks**.")
    page.get_by_role("button", name="Save profile").click()

    page.wait_for_url(f"{site}/members/priya/")
    expect(page.get_by_role("status")).to_contain_text("Your profile has been saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Local 2.0")
    expect(main).to_contain_text("Researcher")
    expect(main).to_contain_text("Bristol")
    expect(main.locator("strong")).to_have_text("neighbourhood networks")

    user = User.objects.get(username="priya")
    assert user.terms_accepted_at is not None
    assert user.organisation == "Local 2.0"


def test_sign_up_without_the_terms_is_refused_with_a_clear_message(page, site):
    _fill_signup(page, site)
    page.get_by_role("button", name="Sign up").click()
    # The browser itself stops the form and says why ...
    terms = page.get_by_label("I accept the Terms of Service")
    assert terms.evaluate("el => el.validationMessage")
    assert page.url == f"{site}/accounts/signup/"

    # ... and a browser that skips that check gets the server's own message.
    terms.evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("main")).to_contain_text("Please accept the Terms of Service to join.")
    assert not User.objects.filter(username="priya").exists()
