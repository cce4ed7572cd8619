"""Notifications, preferences and unsubscribing, as a person sees them."""

import pytest
from playwright.sync_api import expect

from discussions import services as discussion_services
from subscriptions.tokens import unsubscribe_token
from tests.discussions.factories import make_discussion
from tests.members.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_mention_shows_in_the_header_and_leads_to_the_reply(
    page, site, log_in, assert_accessible
):
    grace = UserFactory(username="grace", display_name="Grace A")
    discussion = make_discussion(title="Workshop plans")
    reply = discussion_services.reply_create(
        discussion=discussion, author=UserFactory(display_name="Owen P"), body="Over to @grace"
    )
    log_in(page, "grace", PASSWORD)
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    header.get_by_role("link", name="Notifications 1 unread").click()
    assert_accessible(page, "notifications")
    page.get_by_role("link", name="Owen P mentioned you in “Workshop plans”").click()
    page.wait_for_url(f"**{discussion.get_absolute_url()}#reply-{reply.pk}")
    expect(page.locator(f"#reply-{reply.pk}").get_by_role("link", name="@grace")).to_be_visible()
    expect(header.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    grace.refresh_from_db()
    assert grace.unread_notifications == 0


def test_preferences_page_is_accessible_and_saves(page, site, log_in, assert_accessible):
    member = UserFactory(username="pat")
    log_in(page, "pat", PASSWORD)
    page.goto(f"{site}/members/me/notifications/")
    assert_accessible(page, "preferences")
    page.get_by_role("group", name="Email digest").get_by_label("Weekly").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved.")
    member.refresh_from_db()
    assert member.digest_frequency == "weekly"


def test_unsubscribe_page_works_without_logging_in(page, site, assert_accessible):
    member = UserFactory(digest_frequency="daily")
    page.goto(f"{site}/unsubscribe/{unsubscribe_token(member_id=member.pk)}/")
    assert_accessible(page, "unsubscribe")
    page.get_by_role("button", name="Less often: one weekly digest").click()
    expect(page.get_by_role("main")).to_contain_text("one weekly digest instead")
    member.refresh_from_db()
    assert member.digest_frequency == "weekly"


def test_subscribe_form_is_accessible(page, site, assert_accessible):
    discussion = make_discussion(title="Open thread")
    page.goto(f"{site}/subscribe/discussion/{discussion.pk}/")
    assert_accessible(page, "subscribe")
    page.get_by_label("Your email address").fill("nope")
    page.get_by_label("Your email address").evaluate("el => el.type = 'text'")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("main")).to_contain_text("Enter a valid email address.")
    assert_accessible(page, "subscribe with an error")
