import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from groups import services
from groups.models import Group, Membership
from tests.groups.factories import make_group
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def _state(group, member):
    return (
        Membership.objects.filter(group=group, member=member).values_list("state", "role").first()
    )


def test_creating_a_group_makes_the_creator_its_organiser():
    creator = UserFactory()
    group = services.group_create(creator=creator, name="  Social   reporters ", kind="open")
    assert group.name == "Social reporters" and group.slug == "social-reporters"
    assert _state(group, creator) == ("active", "organiser")
    assert group.member_count == 1
    assert group.initials == "SR"
    with pytest.raises(ValidationError, match="already exists"):
        services.group_create(creator=creator, name="social reporters", kind="open")


def test_a_group_cannot_take_a_reserved_slug():
    group = services.group_create(creator=UserFactory(), name="New", kind="open")
    assert group.slug == "new-2"


def test_open_groups_are_joined_at_once_and_twice_is_refused():
    group = make_group(kind="open")
    member = UserFactory()
    services.group_join(group=group, member=member)
    assert _state(group, member) == ("active", "member")
    with pytest.raises(ValidationError, match="already a member"):
        services.group_join(group=group, member=member)
    assert Group.objects.get().member_count == 2


def test_closed_groups_take_requests_that_organisers_approve_or_decline(
    mailoutbox, django_capture_on_commit_callbacks
):
    organiser = UserFactory(email="org@example.org")
    group = make_group(kind="closed", organiser=organiser)
    asker, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.group_join(group=group, member=asker)
        second = services.group_join(group=group, member=other)
    assert _state(group, asker) == ("requested", "member")
    assert [m.to for m in mailoutbox] == [["org@example.org"], ["org@example.org"]]
    assert "asked to join Closed group" in mailoutbox[0].subject
    with pytest.raises(ValidationError, match="already asked"):
        services.group_join(group=group, member=asker)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.group_approve(group=group, membership_id=request.pk, actor=organiser)
        services.group_decline(group=group, membership_id=second.pk, actor=organiser)
    assert _state(group, asker) == ("active", "member")
    assert _state(group, other) is None
    assert sorted(m.subject.split("] ")[1] for m in mailoutbox) == [
        "Welcome to Closed group",
        "Your request to join Closed group",
    ]
    # Approving a request that was withdrawn or already handled says so.
    with pytest.raises(ValidationError, match="withdrawn or has already been handled"):
        services.group_approve(group=group, membership_id=second.pk, actor=organiser)


def test_only_organisers_approve_invite_or_change_roles():
    organiser = UserFactory()
    member = UserFactory()
    group = make_group(kind="closed", organiser=organiser, members=[member])
    asker = UserFactory()
    request = services.group_join(group=group, member=asker)
    with pytest.raises(PermissionDenied):
        services.group_approve(group=group, membership_id=request.pk, actor=member)
    with pytest.raises(PermissionDenied):
        services.group_invite(group=group, actor=member, member=UserFactory())


def test_private_groups_are_joined_by_invitation_only(
    mailoutbox, django_capture_on_commit_callbacks
):
    organiser = UserFactory()
    group = make_group(kind="private", organiser=organiser)
    stranger, guest = UserFactory(), UserFactory(email="guest@example.org")
    with pytest.raises(PermissionDenied, match="invitation only"):
        services.group_join(group=group, member=stranger)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_invite(group=group, actor=organiser, member=guest)
    assert mailoutbox[0].to == ["guest@example.org"]
    assert f"/accounts/login/?next=%2Fgroups%2F{group.slug}%2F" in mailoutbox[0].body
    with pytest.raises(ValidationError, match="already been invited"):
        services.group_invite(group=group, actor=organiser, member=guest)
    services.group_join(group=group, member=guest)  # accepting
    assert _state(group, guest) == ("active", "member")
    with pytest.raises(ValidationError, match="already a member"):
        services.group_invite(group=group, actor=organiser, member=guest)


def test_inviting_someone_who_asked_lets_them_in():
    organiser = UserFactory()
    group = make_group(kind="closed", organiser=organiser)
    asker = UserFactory()
    services.group_join(group=group, member=asker)
    services.group_invite(group=group, actor=organiser, member=asker)
    assert _state(group, asker) == ("active", "member")


def test_the_last_organiser_cannot_leave_be_demoted_or_removed():
    organiser = UserFactory()
    helper = UserFactory()
    group = make_group(kind="open", organiser=organiser, members=[helper])
    own = Membership.objects.get(group=group, member=organiser)
    with pytest.raises(ValidationError, match="last organiser"):
        services.group_leave(group=group, member=organiser)
    with pytest.raises(ValidationError, match="at least one organiser"):
        services.group_set_role(group=group, membership_id=own.pk, actor=organiser, role="member")
    with pytest.raises(ValidationError, match="last organiser"):
        services.group_remove_member(group=group, membership_id=own.pk, actor=organiser)

    theirs = Membership.objects.get(group=group, member=helper)
    services.group_set_role(group=group, membership_id=theirs.pk, actor=organiser, role="organiser")
    services.group_leave(group=group, member=organiser)  # now there is another organiser
    assert _state(group, organiser) is None
    assert Group.objects.get().member_count == 1


def test_removing_and_leaving_keep_the_count_right():
    organiser = UserFactory()
    a, b = UserFactory(), UserFactory()
    group = make_group(kind="open", organiser=organiser, members=[a, b])
    assert Group.objects.get().member_count == 3
    target = Membership.objects.get(group=group, member=a)
    services.group_remove_member(group=group, membership_id=target.pk, actor=organiser)
    services.group_leave(group=group, member=b)
    assert Group.objects.get().member_count == 1
    with pytest.raises(ValidationError, match="not in this group"):
        services.group_leave(group=group, member=b)
    with pytest.raises(ValidationError, match="Choose organiser"):
        services.group_set_role(
            group=group,
            membership_id=Membership.objects.get(member=organiser).pk,
            actor=organiser,
            role="king",
        )
