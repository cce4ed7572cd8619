"""A member's own data: download it all, or delete the account.

Deleting keeps the conversation's shape: posts stay, shown as by "a former member". RSVPs are
cancelled through the events service (so the waitlist moves up) and private notes are erased.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.models import User


def member_export(*, user: User) -> dict:
    """Everything the site holds about a member, as plain JSON-ready data."""
    from discussions.models import Discussion, Reply
    from events.models import Rsvp
    from groups.models import Membership
    from programmes.models import ProgrammeRole
    from subscriptions.models import EmailSubscription, Follow

    def when(value):
        return value.isoformat() if value else None

    return {
        "exported_at": when(timezone.now()),
        "profile": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "organisation": user.organisation,
            "role_title": user.role_title,
            "location": user.location,
            "bio": user.bio,
            "joined": when(user.date_joined),
            "terms_accepted_at": when(user.terms_accepted_at),
        },
        "notification_preferences": {
            "replies_in_followed_discussions": user.notify_followed,
            "mentions": user.notify_mentions,
            "replies_to_my_posts": user.notify_replies,
            "digest": user.digest_frequency,
        },
        "discussions": [
            {
                "title": d.title,
                "body": d.body,
                "created": when(d.created),
                "url": d.get_absolute_url(),
            }
            for d in Discussion.objects.filter(author=user).order_by("created")
        ],
        "replies": [
            {
                "discussion": r.discussion.title,
                "body": r.body,
                "created": when(r.created),
                "removed": r.removed_at is not None,
                "url": r.get_absolute_url(),
            }
            for r in Reply.objects.filter(author=user)
            .select_related("discussion")
            .order_by("created")
        ],
        "rsvps": [
            {
                "event": r.event.title,
                "starts_at": when(r.event.starts_at),
                "state": r.state,
                "guests": r.guests,
                "note_to_organisers": r.note,
            }
            for r in Rsvp.objects.filter(member=user).select_related("event").order_by("created")
        ],
        "group_memberships": [
            {"group": m.group.name, "role": m.role, "state": m.state, "since": when(m.created)}
            for m in Membership.objects.filter(member=user).select_related("group")
        ],
        "programme_roles": [
            {"programme": r.programme.name, "role": r.role, "confirmed": r.confirmed_at is not None}
            for r in ProgrammeRole.objects.filter(member=user).select_related("programme")
        ],
        "follows": [
            str(f)
            for f in Follow.objects.filter(member=user).select_related(
                "discussion", "group", "tag", "event", "member"
            )
        ],
        "email_subscriptions": [
            {
                "kind": s.kind,
                "target": str(s.target or "new events"),
                "confirmed": bool(s.confirmed_at),
            }
            for s in EmailSubscription.objects.filter(email__iexact=user.email)
        ],
    }


def member_delete(*, user: User) -> None:
    """Delete the account. Refused while the member is the last organiser of a group."""
    from events.models import Rsvp
    from events.services import rsvp_cancel
    from groups.models import Membership
    from groups.services import group_leave
    from subscriptions.models import EmailSubscription

    sole = [
        m.group.name
        for m in Membership.objects.filter(
            member=user, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
        ).select_related("group")
        if Membership.objects.filter(
            group=m.group, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
        ).count()
        == 1
    ]
    if sole:
        raise ValidationError(
            "You are the only organiser of "
            + ", ".join(sole)
            + ". Make someone else an organiser first, so the group is not left without one."
        )
    with transaction.atomic():
        for rsvp in Rsvp.objects.filter(member=user).exclude(state=Rsvp.State.CANCELLED):
            rsvp_cancel(rsvp=rsvp, actor=user)  # frees the place: the waitlist moves up
        Rsvp.objects.filter(member=user).update(note="")
        for membership in Membership.objects.filter(member=user).select_related("group"):
            group_leave(group=membership.group, member=user)
        EmailSubscription.objects.filter(email__iexact=user.email).delete()
        user.delete()  # posts stay, by "a former member" (their author is set to empty)
