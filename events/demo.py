"""Demo events: the mapping workshop for 30 (nearly full, with a waitlist), a free
unconference with no cap, and a past social media demo."""

from datetime import timedelta

from django.utils import timezone

from events import services
from events.models import Event, Rsvp
from members.models import User


def _at(days: int, hour: int) -> timezone.datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, 0))


def _demo_members(count: int) -> list[User]:
    """Extra attendees so the workshop is nearly full (no known passwords: they never log in)."""
    members = []
    for n in range(1, count + 1):
        member, created = User.objects.get_or_create(
            username=f"attendee{n:02d}",
            defaults={
                "email": f"attendee{n:02d}@example.org",
                "display_name": f"Attendee {n:02d}",
                "organisation": ["Young Foundation", "NESTA", "RSA", "IDeA"][n % 4],
            },
        )
        if created:
            member.set_unusable_password()
            member.save(update_fields=["password"])
        members.append(member)
    return members


def seed(*, log) -> None:
    nadia = User.objects.get(username="nadia")
    owen = User.objects.get(username="owen")
    if not Event.objects.filter(title="Mapping workshop: who's doing what").exists():
        workshop = services.event_create(
            created_by=nadia,
            title="Mapping workshop: who's doing what",
            starts_at=_at(21, 13),
            ends_at=_at(21, 17),
            venue_name="Eland House, London",
            venue_address="Bressenden Place\nLondon SW1E 5DU",
            capacity=30,
            max_guests=1,
            description=(
                "An afternoon for programme leaders inside and outside government to map "
                "who is doing what, spot overlaps and agree where to join forces.\n\n"
                "- Lightning introductions from each programme\n"
                "- Mapping in small groups\n"
                "- What next: follow-up events on themes\n\n"
                "The room holds **30 people**. If it is full, join the waitlist: places are "
                "passed on automatically when someone cancels."
            ),
        )
        attendees = _demo_members(32)
        for member in attendees[:27]:
            services.rsvp_create(event=workshop, member=member)
        services.rsvp_create(event=workshop, member=User.objects.get(username="grace"), guests=1)
        for member in attendees[27:]:
            services.rsvp_create(event=workshop, member=member, guests=1 if member.pk % 2 else 0)
    if not Event.objects.filter(title="Talk About Local unconference").exists():
        services.event_create(
            created_by=owen,
            title="Talk About Local unconference",
            starts_at=_at(35, 10),
            ends_at=_at(35, 16),
            venue_name="Stoke-on-Trent",
            venue_address="Hanley, Stoke-on-Trent",
            max_guests=2,
            description="A free unconference for people who run, or want to run, local "
            "websites. The people who come set the agenda. No limit on places.",
        )
    if not Event.objects.filter(title="Social media demo for colleagues").exists():
        past = services.event_create(
            created_by=nadia,
            title="Social media demo for colleagues",
            starts_at=_at(21, 10),
            ends_at=_at(21, 12),
            venue_name="Eland House, London",
            capacity=20,
            description="A hands-on tour of blogs, feeds and social networks for civil servants.",
        )
        for username in ("felix", "grace"):
            services.rsvp_create(event=past, member=User.objects.get(username=username))
        # Move it into the past, as if it had happened three weeks ago.
        Event.objects.filter(pk=past.pk).update(starts_at=_at(-21, 10), ends_at=_at(-21, 12))
    going = Rsvp.objects.filter(state=Rsvp.State.GOING).count()
    log(f"events: {Event.objects.count()} in total, {going} RSVPs going")
