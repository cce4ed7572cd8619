import secrets

from django.db import transaction

from members.models import User
from socialbysocial.markdown import render_markdown

PROFILE_FIELDS = ("display_name", "organisation", "role_title", "location", "bio")


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    organisation: str,
    role_title: str,
    location: str,
    bio: str,
) -> User:
    """Update a member's own profile; the bio is rendered to safe HTML here, once."""
    user.display_name = display_name.strip()
    user.organisation = organisation.strip()
    user.role_title = role_title.strip()
    user.location = location.strip()
    user.bio = bio.strip()
    user.bio_html = render_markdown(user.bio)
    user.full_clean(exclude=["password", "username", "email"])
    user.save(update_fields=[*PROFILE_FIELDS, "bio_html"])
    return user


def member_feed_token(*, user: User) -> str:
    """The secret in the member's private feed addresses, made on first use."""
    if not user.feed_token:
        User.objects.filter(pk=user.pk, feed_token__isnull=True).update(
            feed_token=secrets.token_urlsafe(24)
        )
        user.refresh_from_db(fields=["feed_token"])
    return user.feed_token


def member_reset_feed_token(*, user: User) -> str:
    """A new secret: every private feed address the member gave out stops working."""
    user.feed_token = secrets.token_urlsafe(24)
    user.save(update_fields=["feed_token"])
    return user.feed_token
