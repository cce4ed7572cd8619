"""Reads for group pages. Visibility comes from ``groups.visibility`` only."""

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from discussions.selectors import visible_discussions
from events.selectors import upcoming_events
from groups.models import Group, Membership
from groups.visibility import visible_groups

SORTS = {
    "activity": ("-last_activity_at", "pk"),
    "size": ("-member_count", "-last_activity_at", "pk"),
    "name": (Lower("name"), "pk"),
}


def group_directory(*, user, query: str = "", sort: str = "activity") -> QuerySet[Group]:
    groups = visible_groups(user)
    query = query.strip()
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(description__icontains=query))
    return groups.order_by(*SORTS.get(sort, SORTS["activity"])).only(
        "name", "slug", "kind", "colour", "description", "member_count", "last_activity_at"
    )


def members(group: Group) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(group=group, state=Membership.State.ACTIVE)
        .select_related("member")
        .order_by("role", Lower("member__display_name"), "member__username")
    )


def pending(group: Group, state: str) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(group=group, state=state)
        .select_related("member")
        .order_by("created")
    )


def group_discussions(*, user, group: Group):
    """The group's discussions for its page: titles and reply counts, most active first."""
    return (
        visible_discussions(user)
        .filter(group=group)
        .only("title", "slug", "reply_count", "pinned", "last_activity_at")
        .order_by("-pinned", "-last_activity_at", "-pk")
    )


def group_events(*, user, group: Group):
    return upcoming_events(user=user).filter(group=group, starts_at__gte=timezone.now())
