"""Demo discussions in the spirit of the community's first conversation: planning a workshop
across national programmes. Written through the services, so counters and HTML are right."""

from discussions import services
from discussions.models import Discussion
from discussions.selectors import quote_markdown
from members.models import User

THREADS = [
    {
        "author": "nadia",
        "title": "Joining up the national programmes for local communities",
        "tags": ["collaboration", "national programmes", "workshops"],
        "body": (
            "Several national programmes now help local communities use social technology, "
            "and most of us only meet by accident.\n\n"
            "I'd like us to **map who is doing what** and see where we could pool research, "
            "events and toolkits. The department has offered to host a first workshop.\n\n"
            "If you lead or work on one of these programmes, please say hello below."
        ),
        "replies": [
            (
                "owen",
                "Count Talk About Local in. We are planning a free unconference in the "
                "autumn for people running hyperlocal sites, so timing matters.",
                None,
                None,
            ),
            (
                "grace",
                "Community Voices would love to share what our reporters are learning. "
                "A small first meeting for programme leads, then a wider one, sounds right.",
                None,
                None,
            ),
            (
                "felix",
                "From the justice side: our innovation fund backs several local "
                "projects with the same aims. Could the mapping include funders too?",
                0,
                None,
            ),
            (
                "nadia",
                "Yes, funders belong on the map. I'll add a column for who funds what.",
                2,
                2,
            ),
            ("owen", "Happy to help draw the map itself if someone shares a list.", 3, None),
        ],
    },
    {
        "author": "nadia",
        "title": "First workshop: a room for 30",
        "tags": ["workshops", "events"],
        "body": (
            "I've booked a room for thirty people for the first mapping workshop. "
            "Places will go to programme leads first; there will be later events for "
            "practitioners.\n\nPlease RSVP on the event page so we know numbers."
        ),
        "replies": [
            ("grace", "Booked. Is there step-free access to the room?", None, None),
            (
                "nadia",
                "Yes: step-free entrance and a hearing loop. Add any access needs to "
                "your RSVP note and only the organisers will see it.",
                0,
                0,
            ),
        ],
    },
    {
        "author": "owen",
        "title": "Social reporting as a theme across programmes",
        "tags": ["social reporting"],
        "body": "Community and social reporting keeps coming up. Should it be a strand "
        "of its own at the workshop, with a group here to develop it?",
        "replies": [
            (
                "grace",
                "Strongly yes. I've started a social reporters group for exactly this.",
                None,
                None,
            ),
        ],
    },
]


def seed(*, log) -> None:
    members = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    for thread in THREADS:
        if Discussion.objects.filter(title=thread["title"]).exists():
            continue
        discussion = services.discussion_create(
            author=members[thread["author"]],
            title=thread["title"],
            body=thread["body"],
            tags=thread["tags"],
        )
        posted = []
        for username, body, to_index, quote_index in thread["replies"]:
            quoted = posted[quote_index] if quote_index is not None else None
            if quoted is not None:
                body = quote_markdown(quoted) + body
            posted.append(
                services.reply_create(
                    discussion=discussion,
                    author=members[username],
                    body=body,
                    in_reply_to=posted[to_index] if to_index is not None else None,
                    quoted=quoted,
                )
            )
    log(f"discussions: {Discussion.objects.count()} in total")


def _usernames() -> set[str]:
    names = {t["author"] for t in THREADS}
    names |= {reply[0] for t in THREADS for reply in t["replies"]}
    return names
