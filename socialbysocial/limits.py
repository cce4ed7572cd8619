"""Rate limits on posting, replying, RSVPing, reporting and subscribing (django-ratelimit).

Each action is limited per member (or per address, for visitors) and per address, and more
tightly on a member's first day, in the spirit of Discourse's first-day limits. Over a limit,
the person gets a 429 page saying when to try again. The numbers live in settings.RATE_LIMITS.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_ratelimit.decorators import ratelimit


def is_new_member(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.date_joined > timezone.now() - timedelta(hours=settings.NEW_MEMBER_HOURS)


def _member_rate(action: str):
    def rate(group, request):
        limits = settings.RATE_LIMITS[action]
        return limits["first_day"] if is_new_member(request.user) else limits["member"]

    return rate


def _address_rate(action: str):
    def rate(group, request):
        return settings.RATE_LIMITS[action]["address"]

    return rate


def limit(action: str):
    """Limit a view's POSTs for ``action`` per member (or visitor address) and per address."""

    def decorate(view):
        view = ratelimit(
            group=f"{action}:address", key="ip", rate=_address_rate(action), method="POST"
        )(view)
        return ratelimit(group=action, key="user_or_ip", rate=_member_rate(action), method="POST")(
            view
        )

    return decorate
