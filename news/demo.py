"""Demo news: two programme feeds and an open group's feed, each with a few posts stored
directly (no network at demo time; the addresses are example.org placeholders)."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Group
from news.models import ExternalFeed, FeedEntry
from programmes.models import Programme
from socialbysocial.markdown import sanitise_html

FEEDS = [
    {
        "programme": "Talk About Local",
        "url": "https://talkaboutlocal.example.org/feed/",
        "title": "Talk About Local blog",
        "entries": [
            (
                "Five hyperlocal sites that started with a single meeting",
                "<p>Each began with a handful of neighbours, a free blog and an evening of "
                "training. A year on, they cover planning rows, school fêtes and bus cuts.</p>",
                2,
            ),
            (
                "What we learned from a year of surgeries in libraries",
                "<p>Drop-in sessions work best when a librarian is on hand and the wifi "
                "password is on the wall.</p>",
                9,
            ),
        ],
    },
    {
        "programme": "Community Voices",
        "url": "https://communityvoices.example.org/news.rss",
        "title": "Community Voices news",
        "entries": [
            (
                "Residents' panels in three towns: first reports",
                "<p>The panels met monthly and wrote their own summaries; we publish them "
                "unedited.</p>",
                4,
            ),
        ],
    },
    {
        "group": "Social reporters",
        "url": "https://socialreporters.example.org/atom.xml",
        "title": "Social reporters' shared blog",
        "entries": [
            (
                "A phone, a tripod and a good question",
                "<p>Notes from our reporting clinic: the kit matters less than asking people "
                "what they would like the rest of the town to know.</p>",
                1,
            ),
            (
                "Live-blogging a council meeting, politely",
                "<p>Ask the clerk first, sit near a socket, and post the agenda before you "
                "start.</p>",
                6,
            ),
        ],
    },
]


def seed(*, log) -> None:
    now = timezone.now()
    for spec in FEEDS:
        owner = {}
        if "programme" in spec:
            programme = Programme.objects.filter(name=spec["programme"]).first()
            if programme is None:
                continue
            owner["programme"] = programme
        else:
            group = Group.objects.filter(name=spec["group"]).first()
            if group is None:
                continue
            owner["group"] = group
        if ExternalFeed.objects.filter(url=spec["url"], **owner).exists():
            continue
        # Already read, so a running worker will not poll these placeholders for a while.
        feed = ExternalFeed.objects.create(
            url=spec["url"],
            title=spec["title"],
            last_checked_at=now,
            last_success_at=now,
            next_check_at=now + timedelta(days=1),
            **owner,
        )
        FeedEntry.objects.bulk_create(
            FeedEntry(
                feed=feed,
                guid=f"{spec['url']}#{index}",
                title=title,
                link=f"{spec['url'].rsplit('/', 1)[0]}/posts/{index}/",
                summary_html=sanitise_html(summary),
                published_at=now - timedelta(days=days_ago),
                fetched_at=now,
            )
            for index, (title, summary, days_ago) in enumerate(spec["entries"], start=1)
        )
        log(f"news feed {feed.title}: {len(spec['entries'])} posts")
