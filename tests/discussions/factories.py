"""Discussions made through the services, so counters and HTML are as on the site."""

from discussions import services
from tests.members.factories import UserFactory


def make_discussion(*, author=None, title="Mapping who does what", body="Let's map it.", tags=()):
    return services.discussion_create(
        author=author or UserFactory(), title=title, body=body, tags=tags
    )


def make_replies(discussion, count: int, *, author=None):
    author = author or UserFactory()
    return [
        services.reply_create(discussion=discussion, author=author, body=f"Reply number {i}")
        for i in range(1, count + 1)
    ]
