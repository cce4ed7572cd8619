"""Demo groups: an open "Social reporters", a closed "Workshop agenda" with a pending request,
and a private organisers' group, each with a discussion and an event."""

from datetime import timedelta

from django.utils import timezone

from discussions import services as discussion_services
from events import services as event_services
from groups import services
from groups.models import Group, Membership
from members.models import User

GROUPS = [
    {
        "name": "Social reporters",
        "kind": Group.Kind.OPEN,
        "organiser": "grace",
        "members": ["owen", "felix"],
        "description": "For people who help communities report on their own places: "
        "training, tools and stories worth sharing.",
        "discussion": (
            "Kit list for a community reporting day",
            "What do you bring? We manage with two phones, a tripod and a shared blog.",
        ),
        "event": ("Community reporting clinic", 28),
    },
    {
        "name": "Workshop agenda",
        "kind": Group.Kind.CLOSED,
        "organiser": "nadia",
        "members": ["grace"],
        "requests": ["owen"],
        "description": "Planning the agenda for the mapping workshop. Members are the "
        "programme leads taking part.",
        "discussion": (
            "Draft running order",
            "1. Introductions\n2. Mapping in small groups\n3. Gaps and next steps",
        ),
        "event": ("Agenda planning call", 14),
    },
    {
        "name": "Organisers' corner",
        "kind": Group.Kind.PRIVATE,
        "organiser": "nadia",
        "members": ["admin"],
        "description": "Private: logistics for the people running events.",
        "discussion": ("Room booking and catering", "The room is confirmed; catering for 30."),
        "event": ("Organisers' check-in", 20),
    },
]


def seed(*, log) -> None:
    users = {u.username: u for u in User.objects.all()}
    for spec in GROUPS:
        if Group.objects.filter(name=spec["name"]).exists():
            continue
        organiser = users[spec["organiser"]]
        group = services.group_create(
            creator=organiser, name=spec["name"], kind=spec["kind"], description=spec["description"]
        )
        for username in spec["members"]:
            member = users[username]
            if group.is_open:
                services.group_join(group=group, member=member)
            else:
                invite = services.group_invite(group=group, actor=organiser, member=member)
                services.group_join(group=group, member=invite.member)
        for username in spec.get("requests", []):
            services.group_join(group=group, member=users[username])
        title, body = spec["discussion"]
        discussion_services.discussion_create(
            author=organiser, title=title, body=body, group=group, tags=["groups"]
        )
        name, days = spec["event"]
        start = (timezone.now() + timedelta(days=days)).replace(
            hour=11, minute=0, second=0, microsecond=0
        )
        event_services.event_create(
            created_by=organiser,
            title=name,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            online_url="https://meet.example.org/" + group.slug,
            capacity=12,
            group=group,
        )
    _link_programmes()
    pending = Membership.objects.filter(state=Membership.State.REQUESTED).count()
    log(f"groups: {Group.objects.count()} in total, {pending} pending request(s)")


def _link_programmes() -> None:
    """Show the map of who does what: programmes linked to the demo groups and workshop."""
    from events.models import Event
    from programmes.models import Programme

    reporters = Group.objects.filter(name="Social reporters").first()
    for programme in Programme.objects.filter(name__in=["Community Voices", "Talk About Local"]):
        if reporters:
            programme.related_groups.add(reporters)
    workshop = Event.objects.filter(title="Mapping workshop: who's doing what").first()
    if workshop:
        for programme in Programme.objects.filter(approved_at__isnull=False):
            programme.related_events.add(workshop)
