"""@username mentions: found in a post's source text, linked when it is rendered."""

import re

from members.models import User

# "@name" not preceded by a word character, "@" or "/" (so emails and URLs are not mentions).
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.+-]{2,150})")
MAX_MENTIONS = 20


def mentioned_usernames(text: str) -> list[str]:
    names = []
    for match in MENTION_RE.finditer(text or ""):
        name = match.group(1).rstrip(".").lower()
        if name and name not in names:
            names.append(name)
    return names[:MAX_MENTIONS]


def mentioned_members(text: str) -> dict[str, User]:
    """The active members named in ``text``, by lower-case username (one query)."""
    names = mentioned_usernames(text)
    if not names:
        return {}
    return {u.username.lower(): u for u in User.objects.filter(username__in=names, is_active=True)}
