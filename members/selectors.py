from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from members.models import User

SEARCH_MAX_LENGTH = 100


def member_directory(*, query: str = "") -> QuerySet[User]:
    """Active members, alphabetical by the name they show, optionally searched."""
    members = User.objects.filter(is_active=True).annotate(
        sort_name=Lower(Coalesce(NullIf("display_name", Value("")), "username"))
    )
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if query:
        members = members.filter(
            Q(display_name__icontains=query)
            | Q(username__icontains=query)
            | Q(organisation__icontains=query)
        )
    return members.only(
        "username", "display_name", "organisation", "role_title", "location", "date_joined"
    ).order_by("sort_name", "pk")
