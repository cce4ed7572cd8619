"""Who may do what with discussions. Views call these; the services keep the domain rules."""

from discussions.models import Discussion, Reply
from groups import visibility


def can_moderate(user, discussion: Discussion | None = None) -> bool:
    """Staff moderate everything; a group's organisers and moderators moderate its discussions."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    if discussion is None or discussion.group_id is None:
        return False
    member = visibility.membership(user, discussion.group)
    return visibility.can_moderate(user, discussion.group, member)


def can_edit(user, post: Discussion | Reply) -> bool:
    if not user.is_authenticated:
        return False
    discussion = post if isinstance(post, Discussion) else post.discussion
    return post.author_id == user.pk or can_moderate(user, discussion)
