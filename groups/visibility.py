"""The one rule for who may see what. Every page, list, feed, calendar file, search result,
JSON-LD block and email that shows content reads through these functions.

- Groups: open and closed groups are visible to everyone; a private group only to its members
  (and to people invited to it, so they can accept). Staff see everything.
- Content in a group (discussions, replies, events): everyone for an open group; active
  members only for closed and private groups. Content outside any group is public.
"""

from django.db.models import Q, QuerySet

from groups.models import Group, Membership


def _staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _member_groups(user, states=(Membership.State.ACTIVE,)) -> QuerySet:
    return Membership.objects.filter(member=user, state__in=states).values("group_id")


def visible_groups(user) -> QuerySet[Group]:
    groups = Group.objects.all()
    if _staff(user):
        return groups
    if not _signed_in(user):
        return groups.exclude(kind=Group.Kind.PRIVATE)
    invited_or_member = (Membership.State.ACTIVE, Membership.State.INVITED)
    return groups.filter(
        ~Q(kind=Group.Kind.PRIVATE) | Q(pk__in=_member_groups(user, invited_or_member))
    )


def readable_content(user, field: str = "group") -> Q:
    """A filter for rows with a ``group`` foreign key: those whose content ``user`` may read."""
    if _staff(user):
        return Q()
    readable = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__kind": Group.Kind.OPEN})
    if _signed_in(user):
        readable |= Q(**{f"{field}__in": _member_groups(user)})
    return readable


def membership(user, group: Group) -> Membership | None:
    if not _signed_in(user):
        return None
    return Membership.objects.filter(group=group, member=user).first()


def can_see_group(user, group: Group, member: Membership | None = None) -> bool:
    if not group.is_private or _staff(user):
        return True
    return member is not None and member.state in (
        Membership.State.ACTIVE,
        Membership.State.INVITED,
    )


def can_read_content(user, group: Group | None, member: Membership | None = None) -> bool:
    if group is None or group.is_open or _staff(user):
        return True
    return member is not None and member.is_active


def can_moderate(user, group: Group | None, member: Membership | None = None) -> bool:
    """Staff, and a group's organisers and moderators for that group's content."""
    if _staff(user):
        return True
    if group is None or member is None:
        return False
    return member.is_active and member.role in (
        Membership.Role.ORGANISER,
        Membership.Role.MODERATOR,
    )


def is_organiser(user, group: Group | None, member: Membership | None = None) -> bool:
    if _staff(user):
        return True
    return bool(
        group is not None
        and member is not None
        and member.is_active
        and member.role == Membership.Role.ORGANISER
    )
