"""Group emails, sent by Celery after commit. Tasks take ids."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from groups.models import Group, Membership
from members.models import User
from socialbysocial.links import site_url
from socialbysocial.text import one_line


def _send(subject: str, template: str, context: dict, to: list[str]) -> None:
    if not to:
        return
    context = {**context, "site_name": settings.SITE_NAME}
    send_mail(
        one_line(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject),
        render_to_string(f"groups/email/{template}.txt", context),
        None,
        to,
    )


RETRY = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 5}


@shared_task(**RETRY)
def send_join_request(membership_id: int) -> None:
    """Tell a closed group's organisers that someone asked to join."""
    membership = (
        Membership.objects.select_related("group", "member")
        .filter(pk=membership_id, state=Membership.State.REQUESTED)
        .first()
    )
    if membership is None:
        return
    group = membership.group
    organisers = User.objects.filter(
        memberships__group=group,
        memberships__state=Membership.State.ACTIVE,
        memberships__role=Membership.Role.ORGANISER,
    ).exclude(email="")
    _send(
        f"{membership.member.name} asked to join {group.name}",
        "join_request",
        {"membership": membership, "group": group, "url": site_url(group.get_absolute_url())},
        [u.email for u in organisers],
    )


@shared_task(**RETRY)
def send_join_decision(group_id: int, member_id: int, approved: bool) -> None:
    group = Group.objects.filter(pk=group_id).first()
    member = User.objects.filter(pk=member_id).first()
    if group is None or member is None or not member.email:
        return
    subject = f"Welcome to {group.name}" if approved else f"Your request to join {group.name}"
    _send(
        subject,
        "join_decision",
        {
            "group": group,
            "member": member,
            "approved": approved,
            "url": site_url(group.get_absolute_url()),
        },
        [member.email],
    )


@shared_task(**RETRY)
def send_invitation(membership_id: int) -> None:
    membership = (
        Membership.objects.select_related("group", "member", "invited_by")
        .filter(pk=membership_id, state=Membership.State.INVITED)
        .first()
    )
    if membership is None or not membership.member.email:
        return
    group = membership.group
    _send(
        f"You're invited to join {group.name}",
        "invitation",
        {
            "membership": membership,
            "group": group,
            # Through the log-in page: a private group is a 404 to anyone not logged in.
            "url": site_url(
                reverse("account_login") + "?" + urlencode({"next": group.get_absolute_url()})
            ),
        },
        [membership.member.email],
    )
