"""Daily and weekly email digests, exactly once per member per period.

A run splits the members who asked for this frequency into batches of ids. A batch reads
everything it needs in a fixed number of queries (however many members it holds), then, in one
transaction, inserts a ``DigestDelivery(member, period)`` marker and an outbox email for every
member with something new. The marker is unique: if another worker (or a retried task) got
there first, the insert fails, the whole batch rolls back and the retry skips those members.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone

from discussions.models import Discussion, Reply
from events.models import Event
from groups.models import Group, Membership
from members.models import DigestFrequency, User
from socialbysocial.links import site_url
from subscriptions.models import DigestDelivery, Follow, Notification, OutgoingEmail
from subscriptions.outbox import outbox_queue_many
from subscriptions.services import member_unsubscribe_url, unsubscribe_headers

BATCH_SIZE = 30
MAX_ITEMS = 25  # per section of one digest


def period_of(frequency: str, now: datetime | None = None) -> tuple[str, datetime]:
    """The period key and the start of the time it covers. Daily digests cover the last day,
    weekly digests the last seven days; the key names the day or ISO week it is sent."""
    now = timezone.localtime(now or timezone.now())
    if frequency == DigestFrequency.DAILY:
        return f"daily:{now.date().isoformat()}", now - timedelta(days=1)
    year, week, _ = now.isocalendar()
    return f"weekly:{year}-W{week:02d}", now - timedelta(days=7)


def recipient_ids(frequency: str) -> list[int]:
    return list(
        User.objects.filter(digest_frequency=frequency, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids: list[int], size: int = BATCH_SIZE) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@dataclass
class Digest:
    member: User
    discussions: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    mentions: list = field(default_factory=list)
    events: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.discussions or self.replies or self.mentions or self.events)


def build(member_ids: list[int], since: datetime, now: datetime | None = None) -> list[Digest]:
    """What is new for each member, in a fixed number of queries for the whole batch."""
    now = now or timezone.now()
    members = list(User.objects.filter(pk__in=member_ids, is_active=True).order_by("pk"))
    follows = defaultdict(lambda: {"discussion": set(), "group": set(), "tag": set()})
    for follow in Follow.objects.filter(member__in=members).values(
        "member_id", "discussion_id", "group_id", "tag_id"
    ):
        for target in ("discussion", "group", "tag"):
            if follow[f"{target}_id"]:
                follows[follow["member_id"]][target].add(follow[f"{target}_id"])
    groups_of = defaultdict(set)
    for member_id, group_id in Membership.objects.filter(
        member__in=members, state=Membership.State.ACTIVE
    ).values_list("member_id", "group_id"):
        groups_of[member_id].add(group_id)
    open_groups = set(Group.objects.filter(kind=Group.Kind.OPEN).values_list("pk", flat=True))

    all_discussions = set().union(*(f["discussion"] for f in follows.values()))
    all_groups = set().union(*(f["group"] for f in follows.values()), *groups_of.values())
    all_tags = set().union(*(f["tag"] for f in follows.values()))

    new_discussions = list(
        Discussion.objects.filter(removed_at__isnull=True, created__gte=since)
        .filter(Q(group__in=all_groups) | Q(tags__in=all_tags))
        .select_related("author")
        .prefetch_related("tags")
        .distinct()
        .order_by("-created")
    )
    # The newest MAX_ITEMS replies of each followed discussion: a very busy thread cannot
    # crowd anybody else's news out of the batch.
    new_replies = list(
        Reply.objects.filter(
            discussion__in=all_discussions,
            discussion__removed_at__isnull=True,
            removed_at__isnull=True,
            created__gte=since,
        )
        .annotate(
            newest=Window(
                RowNumber(), partition_by=F("discussion_id"), order_by=F("position").desc()
            )
        )
        .filter(newest__lte=MAX_ITEMS)
        .select_related("author", "discussion")
        .order_by("discussion_id", "position")
    )
    mentions = list(
        Notification.objects.filter(
            recipient__in=members, delivery="digest", created__gte=since, read_at__isnull=True
        )
        .exclude(kind=Notification.Kind.FOLLOWED)
        .select_related("actor", "discussion", "reply")
    )
    events = list(
        Event.objects.filter(
            group__in=all_groups,
            status=Event.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=14),
        ).order_by("starts_at")
    )

    digests = []
    for member in members:
        mine = follows[member.pk]
        readable = groups_of[member.pk] | open_groups

        def may_read(group_id, member=member, readable=readable):
            return group_id is None or group_id in readable or member.is_staff

        digest = Digest(member=member)
        digest.discussions = [
            d
            for d in new_discussions
            if may_read(d.group_id)
            and d.author_id != member.pk
            and (d.group_id in mine["group"] or {t.pk for t in d.tags.all()} & mine["tag"])
        ][:MAX_ITEMS]
        digest.replies = [
            r
            for r in new_replies
            if r.discussion_id in mine["discussion"]
            and r.author_id != member.pk
            and may_read(r.discussion.group_id)
        ][:MAX_ITEMS]
        digest.mentions = [n for n in mentions if n.recipient_id == member.pk][:MAX_ITEMS]
        digest.events = [
            e for e in events if e.group_id in groups_of[member.pk] and may_read(e.group_id)
        ][:MAX_ITEMS]
        digests.append(digest)
    return digests


def _email(digest: Digest, frequency: str) -> OutgoingEmail:
    member = digest.member
    unsubscribe = member_unsubscribe_url(member.pk)
    context = {
        "digest": digest,
        "member": member,
        "frequency": "daily" if frequency == DigestFrequency.DAILY else "weekly",
        "site_url": site_url("/"),
        "unsubscribe_url": unsubscribe,
        "site_name": settings.SITE_NAME,
    }
    return OutgoingEmail(
        to=member.email,
        subject=f"Your {context['frequency']} digest from {settings.SITE_NAME}",
        body_text=render_to_string("subscriptions/email/digest.txt", context),
        body_html=render_to_string("subscriptions/email/digest.html", context),
        headers=unsubscribe_headers(unsubscribe),
        kind="digest",
    )


def send_batch(
    *, member_ids: list[int], frequency: str, period: str, since: datetime, dry_run: bool = False
) -> int:
    """Queue the digests of one batch. Returns how many were queued (or would be)."""
    already = set(
        DigestDelivery.objects.filter(member__in=member_ids, period=period).values_list(
            "member_id", flat=True
        )
    )
    todo = [pk for pk in member_ids if pk not in already]
    digests = [d for d in build(todo, since) if not d.empty]
    delay = getattr(settings, "DIGEST_TEST_DELAY", 0)  # tests only: widen the kill window
    if delay:
        import time

        time.sleep(delay)
    if dry_run or not digests:
        return len(digests)
    try:
        with transaction.atomic():
            DigestDelivery.objects.bulk_create(
                DigestDelivery(member=d.member, period=period) for d in digests
            )
            outbox_queue_many([_email(d, frequency) for d in digests])
    except IntegrityError:
        # Someone else sent some of these meanwhile: nothing of this batch was written. Try
        # again; the markers now present are skipped.
        return send_batch(member_ids=member_ids, frequency=frequency, period=period, since=since)
    return len(digests)
