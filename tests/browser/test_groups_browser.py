"""Members join, ask, get invited to and organise groups in a real browser; the database agrees."""

import re

import pytest
from playwright.sync_api import expect

from discussions import services as discussion_services
from discussions.models import Discussion
from groups import services
from groups.models import Group, Membership
from tests.groups.factories import make_group
from tests.members.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _url(site, obj):
    return f"{site}{obj.get_absolute_url()}"


def _status(page):
    return page.get_by_role("main").get_by_role("status")


def _membership_box(page):
    return page.get_by_role("region", name="Your membership")


def _members(page):
    return page.get_by_role("region", name="Members")


def _discussions(page):
    return page.get_by_role("region", name="Discussions")


def _link_in(mail, site):
    """The first link in an email, moved onto the live server (emails name SITE_DOMAIN)."""
    link = re.search(r"https?://\S+", mail.body).group(0)
    return re.sub(r"^https?://[^/]+", site, link)


def _membership(group, member):
    return Membership.objects.get(group=group, member=member)


# --- Closed group: ask, approve, read ----------------------------------------------------------


def test_closed_group_request_is_approved_and_the_member_can_read(
    page, new_page, site, people, log_in, mailoutbox
):
    nadia, owen = people["nadia"], people["owen"]
    group = make_group(kind="closed", organiser=nadia, name="Hyperlocal editors")
    discussion = discussion_services.discussion_create(
        author=nadia, title="Members-only planning notes", body="Our plans.", group=group
    )
    sent_before = len(mailoutbox)

    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, group))
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hyperlocal editors")
    expect(main).to_contain_text("Closed: anyone can see it; members are approved · 1 member")
    expect(_membership_box(page)).to_contain_text(
        "Only members can read this group's discussions and events."
    )
    expect(_discussions(page)).to_have_count(0)
    expect(main).not_to_contain_text("Members-only planning notes")

    page.get_by_role("button", name="Ask to join").click()
    expect(_status(page)).to_have_text("You asked to join. The organisers will let you know.")
    expect(_membership_box(page)).to_contain_text("You asked to join. The organisers will decide")
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    expect(main).not_to_contain_text("Members-only planning notes")
    assert _membership(group, owen).state == Membership.State.REQUESTED
    group.refresh_from_db()
    assert group.member_count == 1

    request_mails = mailoutbox[sent_before:]
    assert len(request_mails) == 1
    assert request_mails[0].to == ["nadia@example.org"]
    assert "Owen Price asked to join Hyperlocal editors" in request_mails[0].subject
    assert group.get_absolute_url() in request_mails[0].body

    organiser = new_page()
    log_in(organiser, "nadia", PASSWORD)
    organiser.goto(_link_in(request_mails[0], site))
    organise = organiser.get_by_role("region", name="Organise")
    requests = organise.locator("h3", has_text="Requests to join").locator(
        "xpath=following-sibling::*[1]"
    )
    request = requests.get_by_role("listitem").filter(has_text="Owen Price")
    expect(request).to_have_count(1)
    expect(request).to_contain_text("(Talk About Local)")
    request.get_by_role("button", name="Approve").click()
    expect(_status(organiser)).to_have_text("Request approved.")
    expect(organise).to_contain_text("No requests waiting.")
    expect(_members(organiser).get_by_role("link", name="Owen Price")).to_be_visible()
    expect(organiser.get_by_role("main")).to_contain_text("· 2 members")

    welcome = [m for m in mailoutbox if m.to == ["owen@example.org"]]
    assert len(welcome) == 1
    assert "Welcome to Hyperlocal editors" in welcome[0].subject

    page.reload()
    expect(_membership_box(page)).to_contain_text("You are a member of this group.")
    link = _discussions(page).get_by_role("link", name="Members-only planning notes")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(_url(site, discussion))
    expect(page.get_by_role("heading", level=1)).to_have_text("Members-only planning notes")
    expect(page.get_by_role("article")).to_contain_text("Our plans.")

    membership = _membership(group, owen)
    assert (membership.state, membership.role) == (Membership.State.ACTIVE, "member")
    group.refresh_from_db()
    assert group.member_count == 2


# --- Private group: hidden, invite, accept -----------------------------------------------------


def test_private_group_is_hidden_until_an_invitation_is_accepted(
    page, new_page, site, people, log_in, mailoutbox
):
    nadia, grace = people["nadia"], people["grace"]
    make_group(kind="open", organiser=nadia, name="Open data club")
    group = make_group(kind="private", organiser=nadia, name="Funders circle")
    discussion_services.discussion_create(
        author=nadia, title="Next round of grants", body="Shortlist.", group=group
    )

    log_in(page, "grace", PASSWORD)
    response = page.goto(_url(site, group))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).not_to_contain_text("Funders circle")
    page.goto(f"{site}/groups/")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Open data club")).to_be_visible()
    expect(main).not_to_contain_text("Funders circle")

    organiser = new_page()
    log_in(organiser, "nadia", PASSWORD)
    organiser.goto(_url(site, group))
    organiser.get_by_label("Invite a member by username").fill("grace")
    organiser.get_by_role("button", name="Invite", exact=True).click()
    expect(_status(organiser)).to_have_text("Grace Okafor is invited and has been emailed.")
    expect(organiser.get_by_role("region", name="Organise")).to_contain_text(
        "Grace Okafor (invited"
    )
    assert _membership(group, grace).state == Membership.State.INVITED

    invitations = [m for m in mailoutbox if m.to == ["grace@example.org"]]
    assert len(invitations) == 1
    assert "You're invited to join Funders circle" in invitations[0].subject
    assert "Nadia Rahman invited you" in invitations[0].body

    page.goto(_link_in(invitations[0], site))
    expect(page.get_by_role("heading", level=1)).to_have_text("Funders circle")
    expect(_membership_box(page)).to_contain_text("You are invited to join this group.")
    expect(_discussions(page)).to_have_count(0)
    page.get_by_role("button", name="Accept the invitation").click()
    expect(_status(page)).to_have_text("Welcome to Funders circle.")
    expect(_membership_box(page)).to_contain_text("You are a member of this group.")
    expect(_discussions(page).get_by_role("link", name="Next round of grants")).to_be_visible()

    page.goto(f"{site}/groups/")
    expect(page.get_by_role("main").get_by_role("link", name="Funders circle")).to_be_visible()
    assert _membership(group, grace).state == Membership.State.ACTIVE
    group.refresh_from_db()
    assert group.member_count == 2


def test_invitation_link_opened_while_logged_out_asks_the_invitee_to_log_in(
    page, site, people, mailoutbox
):
    group = make_group(kind="private", organiser=people["nadia"], name="Funders circle")
    services.group_invite(group=group, actor=people["nadia"], member=people["grace"])
    invitation = next(m for m in mailoutbox if m.to == ["grace@example.org"])
    assert "you will be asked to log in" in invitation.body

    response = page.goto(_link_in(invitation, site))
    assert response.status == 200
    expect(page.get_by_label("Username or email")).to_be_visible()


# --- Open group: join, start a discussion in it ------------------------------------------------


def test_member_joins_an_open_group_and_starts_a_discussion_there(page, site, people, log_in):
    owen = people["owen"]
    group = make_group(kind="open", organiser=people["nadia"], name="Open data club")

    log_in(page, "owen", PASSWORD)
    page.goto(f"{site}/groups/")
    page.get_by_role("main").get_by_role("link", name="Open data club").click()
    page.wait_for_url(_url(site, group))
    expect(page.get_by_role("link", name="Start a discussion here")).to_have_count(0)
    page.get_by_role("button", name="Join the group").click()
    expect(_status(page)).to_have_text("Welcome to Open data club.")
    expect(_membership_box(page)).to_contain_text("You are a member of this group.")
    expect(page.get_by_role("main")).to_contain_text("· 2 members")
    assert _membership(group, owen).state == Membership.State.ACTIVE

    page.get_by_role("link", name="Start a discussion here").click()
    page.wait_for_url(f"{site}/discussions/new/?group={group.slug}")
    expect(page.get_by_role("main")).to_contain_text("In the group Open data club.")
    page.get_by_label("Title").fill("Publishing council spending data")
    page.get_by_label("Message").fill("Which councils publish **monthly**?")
    page.get_by_role("button", name="Start discussion").click()

    discussion = Discussion.objects.get(title="Publishing council spending data")
    page.wait_for_url(_url(site, discussion))
    expect(_status(page)).to_contain_text("Your discussion has started.")
    byline = page.get_by_role("article").locator(".byline")
    expect(byline).to_contain_text("In Open data club")
    expect(byline.get_by_role("link", name="Open data club")).to_have_attribute(
        "href", group.get_absolute_url()
    )
    assert discussion.group == group and discussion.author == owen
    group.refresh_from_db()
    assert group.member_count == 2


# --- Roles: promote to moderator, who then locks a discussion ----------------------------------


def test_organiser_makes_a_member_moderator_who_then_locks_a_discussion(
    page, new_page, site, people, log_in
):
    nadia, owen, felix = people["nadia"], people["owen"], people["felix"]
    group = make_group(kind="open", organiser=nadia, name="Open data club", members=[owen, felix])
    discussion = discussion_services.discussion_create(
        author=felix, title="Heated thread", body="Let us argue.", group=group
    )

    moderator = new_page()
    log_in(moderator, "owen", PASSWORD)
    moderator.goto(_url(site, discussion))
    expect(moderator.get_by_role("button", name="Lock")).to_have_count(0)

    log_in(page, "nadia", PASSWORD)
    page.goto(_url(site, group))
    row = _members(page).get_by_role("listitem").filter(has_text="Owen Price")
    row.get_by_label("Role for Owen Price").select_option("moderator")
    row.get_by_role("button", name="Change role").click()
    expect(_status(page)).to_have_text("Role changed.")
    row = _members(page).get_by_role("listitem").filter(has_text="Owen Price")
    expect(row.locator(".badge")).to_have_text("Moderator")
    expect(row.get_by_label("Role for Owen Price")).to_have_value("moderator")
    assert _membership(group, owen).role == Membership.Role.MODERATOR

    moderator.reload()
    article = moderator.get_by_role("article")
    expect(article).to_contain_text("Moderate:")
    article.get_by_role("button", name="Lock").click()
    expect(_status(moderator)).to_have_text("Discussion locked.")
    expect(moderator.get_by_role("heading", level=1)).to_contain_text("Locked")
    expect(moderator.get_by_role("main")).to_contain_text(
        "This discussion is locked. No new replies can be added."
    )
    expect(moderator.get_by_role("button", name="Unlock")).to_be_visible()
    discussion.refresh_from_db()
    assert discussion.locked


# --- The last organiser cannot leave -----------------------------------------------------------


def test_last_organiser_cannot_leave_and_is_told_why(page, site, people, log_in):
    nadia, owen = people["nadia"], people["owen"]
    group = make_group(kind="open", organiser=nadia, name="Open data club", members=[owen])

    log_in(page, "nadia", PASSWORD)
    page.goto(_url(site, group))
    expect(_membership_box(page)).to_contain_text("You are an organiser of this group.")
    page.get_by_role("button", name="Leave the group").click()
    expect(_status(page)).to_have_text(
        "You are the last organiser, so you cannot leave. Make someone else an organiser first."
    )
    expect(_membership_box(page)).to_contain_text("You are an organiser of this group.")
    expect(page.get_by_role("region", name="Organise")).to_be_visible()
    membership = _membership(group, nadia)
    assert (membership.state, membership.role) == (Membership.State.ACTIVE, "organiser")
    group.refresh_from_db()
    assert group.member_count == 2


# --- Accessibility -----------------------------------------------------------------------------

AXE_PAGES = [
    "group directory",
    "open group, anonymous",
    "closed group, non-member",
    "closed group, organiser",
    "private group, member",
    "start-a-group form with an error",
]


@pytest.mark.parametrize("label", AXE_PAGES)
def test_group_pages_have_no_axe_violations(page, site, people, log_in, assert_accessible, label):
    nadia, owen, grace = people["nadia"], people["owen"], people["grace"]
    open_group = make_group(kind="open", organiser=nadia, name="Open data club", members=[owen])
    closed = make_group(kind="closed", organiser=nadia, name="Hyperlocal editors")
    private = make_group(kind="private", organiser=nadia, name="Funders circle", members=[owen])
    for group in (open_group, closed, private):
        discussion_services.discussion_create(
            author=nadia, title=f"Welcome to {group.name}", body="Say hello.", group=group
        )
    services.group_join(group=closed, member=people["felix"])  # a pending request
    services.group_invite(group=closed, actor=nadia, member=grace)  # a pending invitation
    main = page.get_by_role("main")
    login = {"open group, anonymous": None, "closed group, organiser": "nadia"}.get(label, "owen")
    if login:
        log_in(page, login, PASSWORD)

    if label == "group directory":
        page.goto(f"{site}/groups/")
        cards = main.locator(".group-card")
        expect(cards).to_have_count(3)
        expect(main).to_contain_text("Open group · 2 members")
        expect(main).to_contain_text("Closed group · 1 member")
        expect(main).to_contain_text("Private group · 2 members")
    elif label == "open group, anonymous":
        page.goto(_url(site, open_group))
        expect(_membership_box(page).get_by_role("link", name="Log in")).to_be_visible()
        expect(_discussions(page)).to_contain_text("Welcome to Open data club")
    elif label == "closed group, non-member":
        page.goto(_url(site, closed))
        expect(page.get_by_role("button", name="Ask to join")).to_be_visible()
        expect(_discussions(page)).to_have_count(0)
    elif label == "closed group, organiser":
        page.goto(_url(site, closed))
        organise = page.get_by_role("region", name="Organise")
        expect(organise.get_by_role("button", name="Approve")).to_have_count(1)
        expect(organise).to_contain_text("Grace Okafor (invited")
        expect(organise.get_by_label("Invite a member by username")).to_be_visible()
    elif label == "private group, member":
        page.goto(_url(site, private))
        expect(_membership_box(page)).to_contain_text("You are a member of this group.")
        expect(_discussions(page)).to_contain_text("Welcome to Funders circle")
    elif label == "start-a-group form with an error":
        page.goto(f"{site}/groups/new/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Start a group")
        page.get_by_label("Name").fill("open DATA club")
        page.get_by_label("Closed: anyone can see it; members are approved").check()
        page.get_by_role("button", name="Start group").click()
        expect(main.locator(".errorlist")).to_have_text("A group with this name already exists.")
        expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
        assert Group.objects.filter(name__iexact="open data club").count() == 1
    assert_accessible(page, label)


# --- Keyboard ----------------------------------------------------------------------------------


def test_keyboard_reaches_ask_to_join_and_enter_sends_the_request(page, site, people, log_in):
    group = make_group(kind="closed", organiser=people["nadia"], name="Hyperlocal editors")
    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, group))

    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        if focused == "Ask to join":
            break
    else:
        pytest.fail("Tab never reached the Ask to join button")

    page.keyboard.press("Enter")
    expect(_status(page)).to_have_text("You asked to join. The organisers will let you know.")
    assert _membership(group, people["owen"]).state == Membership.State.REQUESTED
