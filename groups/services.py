"""Every write to groups and memberships. A group always keeps at least one organiser."""

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from groups.models import COLOURS, Group, Membership
from socialbysocial.markdown import render_markdown
from socialbysocial.queue import enqueue
from socialbysocial.text import clean_text as _text

Role, State = Membership.Role, Membership.State
RESERVED_SLUGS = {"new"}  # taken by /groups/new/


def _notify(task_name: str, *args) -> None:
    from groups import tasks

    enqueue(getattr(tasks, task_name), *args)


def _lock(group: Group) -> Group:
    return Group.objects.select_for_update().get(pk=group.pk)


def _count(group_id: int, delta: int) -> None:
    Group.objects.filter(pk=group_id).update(member_count=F("member_count") + delta)


def _organisers(group: Group) -> int:
    return Membership.objects.filter(group=group, state=State.ACTIVE, role=Role.ORGANISER).count()


def _unique_slug(name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:90].strip("-") or "group"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Group.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def group_create(
    *, creator: AbstractBaseUser, name: str, kind: str, description: str = ""
) -> Group:
    name = " ".join(name.split())
    if Group.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A group with this name already exists."})
    digest = hashlib.sha256(name.lower().encode()).digest()
    group = Group(
        name=name,
        slug=_unique_slug(name),
        kind=kind,
        description=_text(description),
        created_by=creator,
        last_activity_at=timezone.now(),
        colour=COLOURS[digest[0] % len(COLOURS)],
        member_count=1,
    )
    group.description_html = render_markdown(group.description)
    group.full_clean()
    group.save()
    Membership.objects.create(group=group, member=creator, role=Role.ORGANISER, state=State.ACTIVE)
    return group


@transaction.atomic
def group_update(
    *, group: Group, actor: AbstractBaseUser, name: str, kind: str, description: str
) -> Group:
    group = _lock(group)
    name = " ".join(name.split())
    if Group.objects.filter(name__iexact=name).exclude(pk=group.pk).exists():
        raise ValidationError({"name": "A group with this name already exists."})
    group.name, group.kind, group.description = name, kind, _text(description)
    group.description_html = render_markdown(group.description)
    group.full_clean()
    group.save(update_fields=["name", "kind", "description", "description_html"])
    return group


def group_touch(*, group_id: int | None) -> None:
    """Something happened in the group (a post, an event): it sorts as recently active."""
    if group_id:
        Group.objects.filter(pk=group_id).update(last_activity_at=timezone.now())


@transaction.atomic
def group_join(*, group: Group, member: AbstractBaseUser) -> Membership:
    """Open: join at once. Closed: ask to join. Private: only by accepting an invitation."""
    group = _lock(group)
    existing = Membership.objects.filter(group=group, member=member).first()
    if existing and existing.state == State.ACTIVE:
        raise ValidationError("You are already a member of this group.")
    if existing and existing.state == State.REQUESTED:
        raise ValidationError("You have already asked to join. The organisers will decide soon.")
    if existing and existing.state == State.INVITED:
        return _activate(existing)
    if group.kind == Group.Kind.PRIVATE:
        raise PermissionDenied("This group is joined by invitation only.")
    if group.kind == Group.Kind.OPEN:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    group=group, member=member, role=Role.MEMBER, state=State.ACTIVE
                )
        except IntegrityError:
            raise ValidationError("You are already a member of this group.") from None
        _count(group.pk, +1)
        return membership
    membership = Membership.objects.create(
        group=group, member=member, role=Role.MEMBER, state=State.REQUESTED
    )
    _notify("send_join_request", membership.pk)
    return membership


def _activate(membership: Membership) -> Membership:
    membership.state = State.ACTIVE
    membership.save(update_fields=["state", "updated"])
    _count(membership.group_id, +1)
    return membership


@transaction.atomic
def group_leave(*, group: Group, member: AbstractBaseUser) -> None:
    """Leave, withdraw a request, or turn down an invitation."""
    group = _lock(group)
    membership = Membership.objects.filter(group=group, member=member).first()
    if membership is None:
        raise ValidationError("You are not in this group.")
    if membership.role == Role.ORGANISER and membership.is_active and _organisers(group) == 1:
        raise ValidationError(
            "You are the last organiser, so you cannot leave. Make someone else an organiser first."
        )
    if membership.is_active:
        _count(group.pk, -1)
    membership.delete()


def _pending(membership_id: int, group: Group, state: str, what: str) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .filter(pk=membership_id, group=group, state=state)
        .first()
    )
    if membership is None:
        raise ValidationError(f"That {what} was withdrawn or has already been handled.")
    return membership


def _require_organiser(group: Group, actor: AbstractBaseUser) -> None:
    if actor.is_staff:
        return
    if not Membership.objects.filter(
        group=group, member=actor, state=State.ACTIVE, role=Role.ORGANISER
    ).exists():
        raise PermissionDenied("Only the group's organisers can do that.")


@transaction.atomic
def group_approve(*, group: Group, membership_id: int, actor: AbstractBaseUser) -> Membership:
    group = _lock(group)
    _require_organiser(group, actor)
    membership = _activate(_pending(membership_id, group, State.REQUESTED, "request"))
    _notify("send_join_decision", group.pk, membership.member_id, True)
    return membership


@transaction.atomic
def group_decline(*, group: Group, membership_id: int, actor: AbstractBaseUser) -> None:
    group = _lock(group)
    _require_organiser(group, actor)
    membership = _pending(membership_id, group, State.REQUESTED, "request")
    member_id = membership.member_id
    membership.delete()
    _notify("send_join_decision", group.pk, member_id, False)


@transaction.atomic
def group_invite(*, group: Group, actor: AbstractBaseUser, member: AbstractBaseUser) -> Membership:
    group = _lock(group)
    _require_organiser(group, actor)
    existing = Membership.objects.filter(group=group, member=member).first()
    if existing and existing.is_active:
        raise ValidationError(f"{member.name} is already a member.")
    if existing and existing.state == State.INVITED:
        raise ValidationError(f"{member.name} has already been invited.")
    if existing and existing.state == State.REQUESTED:
        membership = _activate(existing)  # they asked; inviting them answers yes
        _notify("send_join_decision", group.pk, member.pk, True)
        return membership
    membership = Membership.objects.create(
        group=group, member=member, role=Role.MEMBER, state=State.INVITED, invited_by=actor
    )
    _notify("send_invitation", membership.pk)
    return membership


@transaction.atomic
def group_set_role(
    *, group: Group, membership_id: int, actor: AbstractBaseUser, role: str
) -> Membership:
    group = _lock(group)
    _require_organiser(group, actor)
    if role not in Role.values:
        raise ValidationError("Choose organiser, moderator or member.")
    membership = _pending(membership_id, group, State.ACTIVE, "membership")
    if membership.role == Role.ORGANISER and role != Role.ORGANISER and _organisers(group) == 1:
        raise ValidationError("A group needs at least one organiser: promote someone else first.")
    membership.role = role
    membership.save(update_fields=["role", "updated"])
    return membership


@transaction.atomic
def group_remove_member(*, group: Group, membership_id: int, actor: AbstractBaseUser) -> None:
    group = _lock(group)
    _require_organiser(group, actor)
    membership = _pending(membership_id, group, State.ACTIVE, "membership")
    if membership.role == Role.ORGANISER and _organisers(group) == 1:
        raise ValidationError("The last organiser cannot be removed.")
    membership.delete()
    _count(group.pk, -1)
