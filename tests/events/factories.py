from datetime import timedelta

from django.utils import timezone

from events import services
from tests.members.factories import UserFactory


def make_event(*, capacity=30, organiser=None, days=7, **details):
    starts = timezone.now() + timedelta(days=days)
    details.setdefault("venue_name", "Eland House, London")
    return services.event_create(
        created_by=organiser or UserFactory(),
        title=details.pop("title", "Mapping workshop"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=capacity,
        **details,
    )
