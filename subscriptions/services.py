"""Every write about following, notifying and emailing members and subscribers.

The discussions and events services call ``post_published`` / ``post_edited`` /
``event_published`` inside their own transactions, so a post and the notifications and emails it
causes commit together. Emails go through the outbox (``subscriptions.outbox``).
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from discussions.models import Discussion, Reply
from events.models import Event
from groups.models import Group, Membership
from members.models import Delivery, DigestFrequency, User
from socialbysocial.links import site_url
from subscriptions.models import EmailSubscription, Follow, Notification
from subscriptions.outbox import outbox_queue
from subscriptions.tokens import confirm_token, unsubscribe_token

ANONYMOUS = AnonymousUser()


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 + RFC 8058: mail apps show an unsubscribe button that POSTs to ``url``."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def member_unsubscribe_url(member_id: int) -> str:
    return site_url(
        reverse("subscriptions:unsubscribe", args=[unsubscribe_token(member_id=member_id)])
    )


# --- Follows ---------------------------------------------------------------------------------


def _target_field(target) -> str:
    for model, field in (
        (Discussion, "discussion"),
        (Group, "group"),
        (Tag, "tag"),
        (Event, "event"),
    ):
        if isinstance(target, model):
            return field
    raise TypeError(f"cannot follow {target!r}")


def follow_add(*, member: User, target) -> Follow:
    field = _target_field(target)
    try:
        with transaction.atomic():
            follow, _ = Follow.objects.get_or_create(member=member, **{field: target})
    except IntegrityError:  # a double click racing itself
        follow = Follow.objects.get(member=member, **{field: target})
    return follow


def follow_remove(*, member: User, target) -> None:
    Follow.objects.filter(member=member, **{_target_field(target): target}).delete()


def is_following(member, target) -> bool:
    if not member.is_authenticated:
        return False
    return Follow.objects.filter(member=member, **{_target_field(target): target}).exists()


# --- Preferences and notifications -----------------------------------------------------------


def preferences_update(
    *,
    member: User,
    notify_followed: str,
    notify_mentions: str,
    notify_replies: str,
    digest_frequency: str,
) -> User:
    member.notify_followed, member.notify_mentions = notify_followed, notify_mentions
    member.notify_replies, member.digest_frequency = notify_replies, digest_frequency
    member.full_clean(exclude=["password", "username", "email"])
    member.save(
        update_fields=["notify_followed", "notify_mentions", "notify_replies", "digest_frequency"]
    )
    return member


def notifications_mark_read(*, member: User, notification_id: int | None = None) -> None:
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    with transaction.atomic():
        marked = unread.update(read_at=timezone.now())
        if marked:
            left = Notification.objects.filter(recipient=member, read_at__isnull=True).count()
            User.objects.filter(pk=member.pk).update(unread_notifications=left)


PREFERENCE = {
    Notification.Kind.MENTION: "notify_mentions",
    Notification.Kind.REPLY: "notify_replies",
    Notification.Kind.FOLLOWED: "notify_followed",
}


def _readers(discussion: Discussion, users: list[User]) -> list[User]:
    """Only people who may read the discussion hear about it (the groups rule)."""
    group = discussion.group
    if group is None or group.is_open:
        return users
    active = set(
        Membership.objects.filter(
            group=group, state=Membership.State.ACTIVE, member__in=users
        ).values_list("member_id", flat=True)
    )
    return [u for u in users if u.pk in active or u.is_staff]


def _notify(discussion: Discussion, reply: Reply | None, wanted: dict[int, tuple[str, User]]):
    """Create one notification per person (the most specific kind) and email those who want it."""
    post = reply or discussion
    actor = post.author
    people = _readers(discussion, [user for _, user in wanted.values()])
    created = []
    for user in people:
        kind = wanted[user.pk][0]
        delivery = getattr(user, PREFERENCE[kind])
        if delivery == Delivery.OFF:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    actor=actor,
                    discussion=discussion,
                    reply=reply,
                    delivery=delivery,
                )
        except IntegrityError:
            continue  # already told about this post (e.g. mentioned again after an edit)
        created.append(notification)
        if delivery == Delivery.EMAIL and user.email:
            _email_notification(notification, user, post)
    if created:
        User.objects.filter(pk__in=[n.recipient_id for n in created]).update(
            unread_notifications=F("unread_notifications") + 1
        )
    return created


def _email_notification(notification: Notification, user: User, post) -> None:
    url = site_url(post.get_absolute_url())
    unsubscribe = member_unsubscribe_url(user.pk)
    context = {
        "notification": notification,
        "member": user,
        "actor_name": post.author_name,
        "title": notification.discussion.title,
        "excerpt": post.body[:600],
        "url": url,
        "unsubscribe_url": unsubscribe,
        "preferences_url": site_url(reverse("subscriptions:preferences")),
        "site_name": settings.SITE_NAME,
    }
    what = notification.get_kind_display()
    outbox_queue(
        to=user.email,
        subject=f"{post.author_name} {what}: {notification.discussion.title}",
        text=render_to_string("subscriptions/email/notification.txt", context),
        headers=unsubscribe_headers(unsubscribe),
        kind="notification",
    )


def post_published(
    *, discussion: Discussion, reply: Reply | None = None, mentioned: dict[str, User]
) -> None:
    """A discussion or reply was published: follow it for the author, notify the people it
    concerns, and email posts-by-email subscribers."""
    post = reply or discussion
    author = post.author
    if author is not None:
        follow_add(member=author, target=discussion)
    wanted: dict[int, tuple[str, User]] = {}
    if reply is not None:
        follower_ids = Follow.objects.filter(discussion=discussion).values("member_id")
        for user in User.objects.filter(pk__in=follower_ids, is_active=True):
            wanted[user.pk] = (Notification.Kind.FOLLOWED, user)
        answered = reply.in_reply_to.author if reply.in_reply_to_id else discussion.author
        if answered is not None:
            wanted[answered.pk] = (Notification.Kind.REPLY, answered)
    for user in mentioned.values():
        wanted[user.pk] = (Notification.Kind.MENTION, user)
    if author is not None:
        wanted.pop(author.pk, None)
    _notify(discussion, reply, wanted)
    _email_subscribers(discussion, reply)


def post_edited(*, discussion: Discussion, reply: Reply | None = None, mentioned: dict) -> None:
    """Only newly mentioned people hear about an edit, once (the unique constraint holds)."""
    author = (reply or discussion).author
    wanted = {
        user.pk: (Notification.Kind.MENTION, user)
        for user in mentioned.values()
        if author is None or user.pk != author.pk
    }
    _notify(discussion, reply, wanted)


# --- Posts by email --------------------------------------------------------------------------


def _public(discussion: Discussion) -> bool:
    return discussion.group_id is None or discussion.group.is_open


def _email_subscribers(discussion: Discussion, reply: Reply | None) -> None:
    if not _public(discussion):
        return  # closed and private content never goes to email subscribers
    confirmed = EmailSubscription.objects.filter(confirmed_at__isnull=False)
    if reply is not None:
        subscribers = confirmed.filter(
            kind=EmailSubscription.Kind.DISCUSSION, discussion=discussion
        )
    else:
        subscribers = confirmed.filter(
            kind=EmailSubscription.Kind.TAG, tag__in=list(discussion.tags.all())
        ) | confirmed.filter(kind=EmailSubscription.Kind.GROUP, group_id=discussion.group_id)
    post = reply or discussion
    seen = set()
    for subscription in subscribers:
        if subscription.email in seen:
            continue
        seen.add(subscription.email)
        _email_post(
            subscription,
            title=discussion.title,
            author=post.author_name,
            body=post.body,
            url=site_url(post.get_absolute_url()),
        )


def event_published(*, event: Event) -> None:
    """A new public event: email the people subscribed to new events."""
    if event.group_id is not None and not event.group.is_open:
        return
    subscribers = EmailSubscription.objects.filter(
        confirmed_at__isnull=False, kind=EmailSubscription.Kind.EVENTS
    )
    when = timezone.localtime(event.starts_at).strftime("%A %-d %B %Y, %H:%M")
    for subscription in subscribers:
        _email_post(
            subscription,
            title=event.title,
            author=f"New event on {when}",
            body=event.description,
            url=site_url(event.get_absolute_url()),
        )


def _email_post(subscription: EmailSubscription, *, title, author, body, url) -> None:
    unsubscribe = site_url(
        reverse(
            "subscriptions:unsubscribe", args=[unsubscribe_token(subscription_id=subscription.pk)]
        )
    )
    context = {
        "subscription": subscription,
        "title": title,
        "author": author,
        "body": body,
        "url": url,
        "unsubscribe_url": unsubscribe,
        "site_name": settings.SITE_NAME,
    }
    outbox_queue(
        to=subscription.email,
        subject=title,
        text=render_to_string("subscriptions/email/post.txt", context),
        headers=unsubscribe_headers(unsubscribe),
        kind="post",
    )


def email_subscription_request(*, email: str, kind: str, target=None) -> EmailSubscription:
    """Step one of double opt-in: record the address unconfirmed and send a confirmation link.

    Nothing else is ever sent to an address that has not confirmed.
    """
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    fields = {"kind": kind}
    if kind in (
        EmailSubscription.Kind.DISCUSSION,
        EmailSubscription.Kind.TAG,
        EmailSubscription.Kind.GROUP,
    ):
        fields[kind] = target
    with transaction.atomic():
        subscription, _ = EmailSubscription.objects.get_or_create(
            email__iexact=email, defaults={"email": email}, **fields
        )
        if subscription.confirmed_at is not None:
            raise ValidationError({"email": "That address already gets these posts by email."})
        link = site_url(reverse("subscriptions:confirm", args=[confirm_token(subscription.pk)]))
        outbox_queue(
            to=subscription.email,
            subject="Please confirm your email subscription",
            text=render_to_string(
                "subscriptions/email/confirm.txt",
                {"subscription": subscription, "link": link, "site_name": settings.SITE_NAME},
            ),
            kind="confirm",
        )
    return subscription


def email_subscription_confirm(*, subscription_id: int) -> EmailSubscription:
    subscription = EmailSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise ValidationError("This subscription no longer exists; it may have been cancelled.")
    if subscription.confirmed_at is not None:
        raise ValidationError("This subscription is already confirmed. Nothing more to do.")
    EmailSubscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    subscription.refresh_from_db()
    return subscription


# --- Unsubscribing ---------------------------------------------------------------------------


def unsubscribe(
    *, member_id: int | None = None, subscription_id: int | None = None, how: str = "stop"
) -> str:
    """One-click and page unsubscribes. ``how``: "stop" (no more of these emails) or "less"
    (a weekly digest instead). Returns what now happens, in words."""
    if subscription_id is not None:
        EmailSubscription.objects.filter(pk=subscription_id).delete()
        return "You will get no more of these posts by email."
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        return "There is nothing to unsubscribe from."
    if how == "less":
        changes = {
            "digest_frequency": DigestFrequency.WEEKLY,
            **{
                field: Delivery.DIGEST
                for field in ("notify_followed", "notify_mentions", "notify_replies")
                if getattr(member, field) == Delivery.EMAIL
            },
        }
        User.objects.filter(pk=member.pk).update(**changes)
        return "From now on you get one weekly digest instead of separate emails."
    User.objects.filter(pk=member.pk).update(
        digest_frequency=DigestFrequency.OFF,
        notify_followed=Delivery.OFF,
        notify_mentions=Delivery.OFF,
        notify_replies=Delivery.OFF,
    )
    return "You will get no more digests or notification emails from us."
