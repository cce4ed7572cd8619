"""Who may do what with discussions. Views call these; the services keep the domain rules."""

from django.contrib.auth.models import AnonymousUser

from discussions.models import Discussion, Reply


def can_moderate(user, discussion: Discussion | None = None) -> bool:
    """Staff moderate everything. (The groups issue adds its group's moderators here.)"""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_edit(user, post: Discussion | Reply) -> bool:
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    discussion = post if isinstance(post, Discussion) else post.discussion
    return post.author_id == user.pk or can_moderate(user, discussion)
