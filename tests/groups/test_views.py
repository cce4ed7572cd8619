import pytest

from discussions import services as discussion_services
from groups import services
from groups.models import Group, Membership
from tests.groups.factories import make_group
from tests.members.factories import UserFactory
from tests.query_guard import assert_same_queries, queries_for

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_directory_searches_sorts_and_hides_private_groups(client):
    big = make_group(kind="open", name="Social reporters", members=UserFactory.create_batch(3))
    make_group(kind="closed", name="Workshop agenda")
    make_group(kind="private", name="Organisers corner")
    html = _text(client.get("/groups/?sort=size"))
    assert html.index("Social reporters") < html.index("Workshop agenda")
    assert "Organisers corner" not in html
    assert "4 members" in html
    assert "Workshop agenda" not in _text(client.get("/groups/?q=reporters"))
    assert client.get("/groups/?sort=nonsense").status_code == 200
    assert "at most 100 characters" in _text(client.get("/groups/", {"q": "x" * 500}))
    assert big.slug in html


def test_members_see_private_groups_in_the_directory(client):
    member = UserFactory()
    make_group(kind="private", name="Organisers corner", members=[member])
    client.force_login(member)
    assert "Organisers corner" in _text(client.get("/groups/"))


def test_a_closed_group_shows_its_members_but_not_its_discussions_to_outsiders(client):
    organiser = UserFactory(display_name="Nadia Rahman")
    group = make_group(kind="closed", organiser=organiser)
    discussion_services.discussion_create(
        author=organiser, title="Draft running order", body="secret agenda", group=group
    )
    html = _text(client.get(group.get_absolute_url()))
    assert "Nadia Rahman" in html
    assert "Draft running order" not in html
    assert "Log in</a> to join" in html
    client.force_login(UserFactory())
    html = _text(client.get(group.get_absolute_url()))
    assert "Ask to join" in html and "Draft running order" not in html


def test_request_approve_and_the_member_sees_the_discussions(client):
    organiser = UserFactory()
    group = make_group(kind="closed", organiser=organiser)
    discussion_services.discussion_create(
        author=organiser, title="Draft running order", body="agenda", group=group
    )
    asker = UserFactory(display_name="Owen Pritchard")
    client.force_login(asker)
    response = client.post(f"/groups/{group.slug}/join/", follow=True)
    assert "You asked to join" in _text(response)

    client.force_login(organiser)
    html = _text(client.get(group.get_absolute_url()))
    assert "Requests to join" in html and "Owen Pritchard" in html
    membership = Membership.objects.get(member=asker)
    response = client.post(f"/groups/{group.slug}/requests/{membership.pk}/approve/", follow=True)
    assert "Request approved." in _text(response)
    response = client.post(f"/groups/{group.slug}/requests/{membership.pk}/approve/", follow=True)
    assert "withdrawn or has already been handled" in _text(response)

    client.force_login(asker)
    assert "Draft running order" in _text(client.get(group.get_absolute_url()))


def test_invite_by_username_with_clear_messages(client):
    organiser = UserFactory()
    group = make_group(kind="private", organiser=organiser)
    guest = UserFactory(username="guest", display_name="Guest Person")
    client.force_login(organiser)
    response = client.post(f"/groups/{group.slug}/invite/", {"username": "@guest"}, follow=True)
    assert "Guest Person is invited" in _text(response)
    response = client.post(f"/groups/{group.slug}/invite/", {"username": "guest"}, follow=True)
    assert "already been invited" in _text(response)
    response = client.post(f"/groups/{group.slug}/invite/", {"username": "nobody"}, follow=True)
    assert "No member has that username." in _text(response)

    client.force_login(guest)
    html = _text(client.get(group.get_absolute_url()))
    assert "You are invited to join this group." in html
    client.post(f"/groups/{group.slug}/join/")
    assert Membership.objects.get(member=guest).state == "active"


def test_last_organiser_is_told_why_they_cannot_leave(client):
    organiser = UserFactory()
    group = make_group(kind="open", organiser=organiser)
    client.force_login(organiser)
    response = client.post(f"/groups/{group.slug}/leave/", follow=True)
    assert "You are the last organiser" in _text(response)
    assert Membership.objects.filter(member=organiser).exists()


def test_unknown_group_is_404(client):
    assert client.get("/groups/no-such-group/").status_code == 404
    client.force_login(UserFactory())
    assert client.post("/groups/no-such-group/join/").status_code == 404


def test_creating_a_group_through_the_form(client):
    client.force_login(UserFactory())
    response = client.post(
        "/groups/new/", {"name": "Local websites", "kind": "closed", "description": "Hyperlocal"}
    )
    group = Group.objects.get()
    assert response["Location"] == group.get_absolute_url()
    assert group.kind == "closed"
    response = client.post("/groups/new/", {"name": "local websites", "kind": "open"})
    assert "already exists" in _text(response)
    response = client.post("/groups/new/", {"name": "X", "kind": "secret"})
    assert "Select a valid choice" in _text(response)
    assert Group.objects.count() == 1


def test_group_moderators_moderate_their_groups_discussions(client):
    organiser, moderator = UserFactory(), UserFactory()
    group = make_group(kind="open", organiser=organiser, members=[moderator])
    membership = Membership.objects.get(member=moderator)
    services.group_set_role(
        group=group, membership_id=membership.pk, actor=organiser, role="moderator"
    )
    inside = discussion_services.discussion_create(
        author=organiser, title="Inside", body="x", group=group
    )
    outside = discussion_services.discussion_create(author=organiser, title="Outside", body="x")
    client.force_login(moderator)
    client.post(f"/discussions/{inside.pk}/moderate/", {"action": "lock"})
    assert (
        client.post(f"/discussions/{outside.pk}/moderate/", {"action": "lock"}).status_code == 403
    )
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.locked and not outside.locked


def test_group_feeds_public_for_open_and_tokenised_for_closed(client):
    from xml.etree import ElementTree

    from members.services import member_feed_token, member_reset_feed_token

    organiser = UserFactory()
    open_group = make_group(kind="open", organiser=organiser, name="Open one")
    closed = make_group(kind="closed", organiser=organiser, name="Closed one")
    discussion_services.discussion_create(
        author=organiser, title="Open news", body="x", group=open_group
    )
    discussion_services.discussion_create(
        author=organiser, title="Closed news", body="x", group=closed
    )
    feed = ElementTree.fromstring(client.get(f"/groups/{open_group.slug}/feed/").content)
    assert [i.findtext("title") for i in feed.iter("item")] == ["Open news"]
    link = feed.find("channel/item/link").text
    assert link.startswith("http") and "/discussions/" in link
    assert client.get(f"/groups/{closed.slug}/feed/").status_code == 404

    token = member_feed_token(user=organiser)
    response = client.get(f"/groups/{closed.slug}/feed/{token}/")
    feed = ElementTree.fromstring(response.content)
    assert [i.findtext("title") for i in feed.iter("item")] == ["Closed news"]
    outsider_token = member_feed_token(user=UserFactory())
    assert client.get(f"/groups/{closed.slug}/feed/{outsider_token}/").status_code == 404
    member_reset_feed_token(user=organiser)
    assert client.get(f"/groups/{closed.slug}/feed/{token}/").status_code == 404


def test_directory_and_group_page_queries_are_constant(client):
    viewer = UserFactory()
    client.force_login(viewer)
    organiser = UserFactory()
    for i in range(3):
        make_group(kind="open", organiser=organiser, name=f"Group {i}", members=[viewer])
    group = Group.objects.first()
    small_directory = queries_for(client, "/groups/")
    small_page = queries_for(client, group.get_absolute_url())
    for i in range(3, 60):
        make_group(kind="open", organiser=organiser, name=f"Group {i}")
    for member in UserFactory.create_batch(40):
        services.group_join(group=group, member=member)
    for n in range(15):
        discussion_services.discussion_create(
            author=organiser, title=f"T{n}", body="b", group=group
        )
    assert_same_queries(small_directory, queries_for(client, "/groups/"), "group directory")
    assert_same_queries(small_page, queries_for(client, group.get_absolute_url()), "group page")
