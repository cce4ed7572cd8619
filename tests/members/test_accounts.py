"""Sign-up, email verification and log-in through allauth, over HTTP."""

import re

import pytest
from allauth.account.models import EmailAddress

from members.models import User
from tests.members.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new@example.org",
    "username": "newbie",
    "password1": "a-long-pass-phrase-7",
    "password2": "a-long-pass-phrase-7",
}


def test_sign_up_without_accepting_the_terms_is_refused_with_a_clear_message(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 200
    assert "Please accept the Terms of Service to join." in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_sign_up_records_terms_time_and_needs_email_verification(client, mailoutbox):
    response = client.post("/accounts/signup/", {**SIGNUP, "accept_terms": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="newbie")
    assert user.terms_accepted_at is not None
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)

    # Verification is mandatory: logging in before confirming does not sign in.
    client.post("/accounts/login/", {"login": "newbie", "password": SIGNUP["password1"]})
    assert "_auth_user_id" not in client.session

    path = link.split("testserver", 1)[1]
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.parametrize("login", ["ada", "ada@example.org", "ADA@example.org"])
def test_log_in_with_username_or_email(client, login):
    user = UserFactory(username="ada", email="ada@example.org")
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_re_renders_with_an_error(client):
    UserFactory(username="ada")
    response = client.post("/accounts/login/", {"login": "ada", "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_out_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_and_reset_pages_work(client, mailoutbox):
    user = UserFactory(username="ada", email="ada@example.org")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "new-pass-phrase-42",
            "password2": "new-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-pass-phrase-42")

    client.logout()
    response = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mailoutbox[-1].body


def test_failed_log_ins_are_rate_limited_even_with_the_right_password(client):
    UserFactory(username="ada")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "ada", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "ada", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_up_is_rate_limited_per_ip_with_a_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    statuses = [client.post("/accounts/signup/", {}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_username_cannot_look_like_an_email_address(client):
    data = {**SIGNUP, "username": "owen@example.org", "accept_terms": "on"}
    response = client.post("/accounts/signup/", data)
    assert "Usernames cannot contain “@”" in response.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()


def test_the_rate_limit_page_is_inside_the_site_shell(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    client.post("/accounts/signup/", {})
    response = client.post("/accounts/signup/", {})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts" in html and '<nav aria-label="Main">' in html


def test_sign_up_asks_about_the_digest_and_defaults_to_none(client):
    client.post("/accounts/signup/", {**SIGNUP, "accept_terms": "on"})
    assert User.objects.get(username="newbie").digest_frequency == "off"
    other = {**SIGNUP, "email": "b@example.org", "username": "bee", "accept_terms": "on"}
    client.post("/accounts/signup/", {**other, "digest_frequency": "weekly"})
    assert User.objects.get(username="bee").digest_frequency == "weekly"
