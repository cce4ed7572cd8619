"""Every write to discussions. Keyword-only, atomic; counters change only with ``F()``."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from discussions.models import Discussion, Reply, Report, Revision
from groups.models import Group, Membership
from groups.services import group_touch
from socialbysocial.markdown import render_markdown
from socialbysocial.text import clean_text as _text
from subscriptions import services as subscriptions
from subscriptions.mentions import mentioned_members

MAX_TAGS = 8
TAG_MAX_LENGTH = 50
VIEW_PENDING_PREFIX = "discussion-views-pending:"


def _check_links(author, html: str) -> None:
    """A first-day member may put only a few links in a post (spam often starts with links)."""
    from socialbysocial.limits import is_new_member

    if author is None or not is_new_member(author):
        return
    links = html.count("<a href=") - html.count('<a href="/members/')
    if links > settings.NEW_MEMBER_MAX_LINKS:
        raise ValidationError(
            {
                "body": f"On their first day, members can put at most "
                f"{settings.NEW_MEMBER_MAX_LINKS} links in a post. Please remove some, or post "
                "them tomorrow."
            }
        )


# /discussions/<id>/<slug>/ must not be mistaken for /discussions/<id>/<action>/.
RESERVED_SLUGS = frozenset({"reply", "edit", "moderate", "history", "report", "feed"})


def _slug_for(title: str) -> str:
    slug = slugify(title)[:200].strip("-") or "discussion"
    return f"{slug}-discussion" if slug in RESERVED_SLUGS else slug


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split()).lower()
        if tag and tag not in cleaned:
            if len(tag) > TAG_MAX_LENGTH:
                raise ValidationError(
                    {"tags": f"Each tag can be at most {TAG_MAX_LENGTH} characters."}
                )
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": f"Use at most {MAX_TAGS} tags."})
    return cleaned


def _bump(discussion_id: int, **changes) -> None:
    """Every change to a thread moves its version on: pages cached by version go out of use."""
    Discussion.objects.filter(pk=discussion_id).update(version=F("version") + 1, **changes)


def _lock(discussion: Discussion) -> Discussion:
    return Discussion.objects.select_for_update().get(pk=discussion.pk)


@transaction.atomic
def discussion_create(
    *,
    author: AbstractBaseUser,
    title: str,
    body: str,
    tags: Iterable[str] = (),
    group: Group | None = None,
) -> Discussion:
    """Start a discussion; in a group, only its active members may (and staff)."""
    if group is not None and not author.is_staff:
        if not Membership.objects.filter(
            group=group, member=author, state=Membership.State.ACTIVE
        ).exists():
            raise PermissionDenied("Only members of the group can start discussions in it.")
    now = timezone.now()
    discussion = Discussion(
        group=group,
        author=author,
        title=_text(title),
        slug=_slug_for(title),
        body=_text(body),
        last_activity_at=now,
    )
    mentioned = mentioned_members(discussion.body)
    discussion.body_html = render_markdown(discussion.body, mentions=mentioned)
    _check_links(author, discussion.body_html)
    discussion.full_clean()
    discussion.save()
    discussion.tags.set(_clean_tags(tags))
    group_touch(group_id=discussion.group_id)
    subscriptions.post_published(discussion=discussion, mentioned=mentioned)
    return discussion


@transaction.atomic
def discussion_edit(
    *,
    discussion: Discussion,
    editor: AbstractBaseUser,
    title: str,
    body: str,
    tags: Iterable[str] | None = None,
) -> Discussion:
    """Change the opening post; the previous text is kept as a Revision for moderators."""
    discussion = _lock(discussion)
    title, body = _text(title), _text(body)
    if (title, body) != (discussion.title, discussion.body):
        Revision.objects.create(
            discussion=discussion, title=discussion.title, body=discussion.body, edited_by=editor
        )
        discussion.title, discussion.body = title, body
        discussion.slug = _slug_for(title)
        mentioned = mentioned_members(body)
        discussion.body_html = render_markdown(body, mentions=mentioned)
        discussion.edited_at = timezone.now()
        discussion.full_clean()
        discussion.save(update_fields=["title", "slug", "body", "body_html", "edited_at"])
        _bump(discussion.pk)
        subscriptions.post_edited(discussion=discussion, mentioned=mentioned)
    if tags is not None:
        discussion.tags.set(_clean_tags(tags))
        _bump(discussion.pk)
    return discussion


@transaction.atomic
def discussion_remove(*, discussion: Discussion, moderator: AbstractBaseUser) -> None:
    _bump(discussion.pk)
    Discussion.objects.filter(pk=discussion.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    Report.objects.filter(discussion=discussion, reply__isnull=True, status="open").update(
        status=Report.Status.REMOVED, handled_by=moderator, handled_at=timezone.now()
    )


@transaction.atomic
def discussion_moderate(
    *,
    discussion: Discussion,
    moderator: AbstractBaseUser,
    locked: bool | None = None,
    pinned: bool | None = None,
) -> Discussion:
    changes = {}
    if locked is not None:
        changes["locked"] = locked
    if pinned is not None:
        changes["pinned"] = pinned
    if changes:
        _bump(discussion.pk, **changes)
        for field, value in changes.items():
            setattr(discussion, field, value)
    return discussion


def _reply_target(
    discussion: Discussion, reply: Reply | None, field: str, verb: str
) -> Reply | None:
    if reply is None:
        return None
    if reply.discussion_id != discussion.pk:
        raise ValidationError({field: f"You can only {verb} a reply in this discussion."})
    if reply.removed_at is not None:
        raise ValidationError({field: f"That reply was removed, so you cannot {verb} it."})
    return reply


@transaction.atomic
def reply_create(
    *,
    discussion: Discussion,
    author: AbstractBaseUser,
    body: str,
    in_reply_to: Reply | None = None,
    quoted: Reply | None = None,
) -> Reply:
    """Add a reply at the end of the thread.

    The discussion row is locked so positions stay unique and counters exact under concurrent
    replies; the counters move with ``F()`` in the same transaction.
    """
    locked = _lock(discussion)
    if locked.removed_at is not None:
        raise PermissionDenied("This discussion was removed.")
    if locked.locked:
        raise PermissionDenied("This discussion is locked: no new replies can be added.")
    reply = Reply(
        discussion=locked,
        author=author,
        position=locked.reply_total + 1,
        body=_text(body),
        in_reply_to=_reply_target(locked, in_reply_to, "in_reply_to", "reply to"),
        quoted=_reply_target(locked, quoted, "quoted", "quote"),
    )
    mentioned = mentioned_members(reply.body)
    reply.body_html = render_markdown(reply.body, mentions=mentioned)
    _check_links(author, reply.body_html)
    reply.full_clean()
    reply.save()
    _bump(
        locked.pk,
        reply_total=F("reply_total") + 1,
        reply_count=F("reply_count") + 1,
        last_activity_at=reply.created,
    )
    group_touch(group_id=locked.group_id)
    subscriptions.post_published(discussion=locked, reply=reply, mentioned=mentioned)
    return reply


@transaction.atomic
def reply_edit(*, reply: Reply, editor: AbstractBaseUser, body: str) -> Reply:
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    if reply.removed_at is not None:
        raise PermissionDenied("A removed reply cannot be edited.")
    body = _text(body)
    if body != reply.body:
        Revision.objects.create(
            discussion_id=reply.discussion_id, reply=reply, body=reply.body, edited_by=editor
        )
        reply.body = body
        mentioned = mentioned_members(body)
        reply.body_html = render_markdown(body, mentions=mentioned)
        reply.edited_at = timezone.now()
        reply.full_clean()
        reply.save(update_fields=["body", "body_html", "edited_at"])
        _bump(reply.discussion_id)
        subscriptions.post_edited(discussion=reply.discussion, reply=reply, mentioned=mentioned)
    return reply


@transaction.atomic
def reply_remove(*, reply: Reply, remover: AbstractBaseUser) -> Reply:
    """Leave a placeholder so the thread keeps its shape; the text stays for moderators."""
    updated = Reply.objects.filter(pk=reply.pk, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=remover
    )
    if updated:
        _bump(reply.discussion_id, reply_count=F("reply_count") - 1)
        Report.objects.filter(reply=reply, status="open").update(
            status=Report.Status.REMOVED, handled_by=remover, handled_at=timezone.now()
        )
    reply.refresh_from_db(fields=["removed_at", "removed_by"])
    return reply


def report_create(
    *, reporter: AbstractBaseUser, discussion: Discussion, reason: str, reply: Reply | None = None
) -> Report:
    if reply is not None and reply.discussion_id != discussion.pk:
        raise ValidationError("That reply is not part of this discussion.")
    already = Report.objects.filter(reporter=reporter, discussion=discussion, reply=reply)
    if already.exists():
        raise ValidationError("You have already reported this post. A moderator will look at it.")
    report = Report(reporter=reporter, discussion=discussion, reply=reply, reason=_text(reason))
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:  # a double submission racing the check above
        raise ValidationError(
            "You have already reported this post. A moderator will look at it."
        ) from exc
    return report


@transaction.atomic
def report_dismiss(*, report: Report, moderator: AbstractBaseUser) -> Report:
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DISMISSED, handled_by=moderator, handled_at=timezone.now()
    )
    report.refresh_from_db()
    return report


@transaction.atomic
def report_remove_content(*, report: Report, moderator: AbstractBaseUser) -> Report:
    if report.reply_id:
        reply_remove(reply=report.reply, remover=moderator)
    else:
        discussion_remove(discussion=report.discussion, moderator=moderator)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.REMOVED, handled_by=moderator, handled_at=timezone.now()
    )
    report.refresh_from_db()
    return report


# --- View counts -----------------------------------------------------------------------------
# One view per visitor per discussion per day. A new view is two cache operations; the database
# is written only by ``view_counts_flush`` (a Celery beat task), never on a page view.


def view_pending_key(discussion_id: int) -> str:
    return f"{VIEW_PENDING_PREFIX}{discussion_id}"


def view_record(*, discussion_id: int, visitor: str) -> bool:
    """Count a view if this visitor has not been counted today. Returns whether it counted."""
    day = timezone.localdate().isoformat()
    if not cache.add(f"discussion-seen:{discussion_id}:{visitor}:{day}", 1, timeout=90_000):
        return False
    key = view_pending_key(discussion_id)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)
    return True


def view_counts_flush(*, batch_size: int = 1000) -> int:
    """Move buffered view counts into the database. Returns how many views were written."""
    written = 0
    ids = Discussion.objects.values_list("pk", flat=True).order_by("pk")
    for start in range(0, ids.count(), batch_size):
        batch = list(ids[start : start + batch_size])
        pending = cache.get_many([view_pending_key(pk) for pk in batch])
        for key, count in pending.items():
            if not count:
                continue
            cache.decr(key, count)
            discussion_id = int(key.removeprefix(VIEW_PENDING_PREFIX))
            Discussion.objects.filter(pk=discussion_id).update(view_count=F("view_count") + count)
            written += count
    return written
