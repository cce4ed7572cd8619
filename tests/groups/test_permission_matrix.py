"""The permission matrix: every URL in the URLconf, for every kind of person, on content of an
open, a closed and a private group.

For each case it checks the status code, and that no title or body text of content the person
may not read appears in the response (pages, feeds, calendar files, search, JSON-LD). Adding a
URL to the URLconf without adding it here (or to EXEMPT, with a reason) fails the test.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from discussions import services as discussion_services
from groups import services as group_services
from groups.models import Group, Membership
from members import services as member_services
from news.models import ExternalFeed, FeedEntry
from programmes import services as programme_services
from subscriptions.models import EmailSubscription, Notification
from subscriptions.tokens import confirm_token, unsubscribe_token
from tests.events.factories import make_event
from tests.members.factories import UserFactory
from tests.programmes.factories import make_org, make_programme

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "nonmember", "member", "moderator", "organiser", "staff")
KINDS = ("open", "closed", "private")

# URL patterns that show no group content, with the reason they are outside the matrix.
EXEMPT_PREFIXES = {
    "accounts/": "django-allauth's account pages (log in, sign up, passwords): no content",
    "admin/": "the staff-only Django admin; admin:index below checks that only staff get in",
}


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def expect(anonymous, nonmember, member, moderator, organiser, staff):
    return dict(
        zip(ROLES, (anonymous, nonmember, member, moderator, organiser, staff), strict=True)
    )


def everyone(status):
    return expect(*[status] * 6)


def signed_in(status):
    return expect(302, *[status] * 5)


def readers(kind, status, anonymous=None):
    """Group content: everyone for an open group; members only (404 to others) otherwise."""
    outsider = status if kind == "open" else 404
    return expect(anonymous or outsider, outsider, status, status, status, status)


def login_then_readers(kind, status):
    return readers(kind, status, anonymous=302)


def staff_like(kind, member, moderator, organiser, staff, outsider=403):
    """Signed-in actions limited to some roles; outsiders get 403, or 404 for hidden groups."""
    hidden = 404 if kind != "open" else outsider
    return expect(302, hidden, member, moderator, organiser, staff)


def group_admin(kind, ok=302):
    """Organiser-only group actions: non-organisers get 403; a private group is 404 outside."""
    outsider = 404 if kind == "private" else 403
    return expect(302, outsider, 403, 403, ok, ok)


@pytest.fixture
def world():
    people = {
        "nonmember": UserFactory(username="nonmember"),
        "member": UserFactory(username="member"),
        "moderator": UserFactory(username="moderator"),
        "organiser": UserFactory(username="organiser"),
        "staff": UserFactory(username="staff", is_staff=True, is_superuser=True),
    }
    applicant = UserFactory(username="applicant")
    organiser = people["organiser"]
    world = {"people": people, "groups": {}, "discussions": {}, "replies": {}, "events": {}}
    world["secrets"] = {}
    for kind in KINDS:
        name = "Hidden circle zebra" if kind == "private" else f"{kind.capitalize()} zebra group"
        group = group_services.group_create(
            creator=organiser,
            name=name,
            kind=kind,
            description=f"{kind}-group-description-zebra",
        )
        for role in ("member", "moderator"):
            Membership.objects.create(group=group, member=people[role], state="active")
        Membership.objects.filter(group=group, member=people["moderator"]).update(role="moderator")
        Group.objects.filter(pk=group.pk).update(member_count=3)
        Membership.objects.create(group=group, member=applicant, state="requested")
        discussion = discussion_services.discussion_create(
            author=organiser,
            title=f"Secret {kind} discussion zebra",
            body=f"{kind}-discussion-body-zebra",
            group=group,
            tags=["zebra tag"],
        )
        reply = discussion_services.reply_create(
            discussion=discussion, author=people["member"], body=f"{kind}-reply-body-zebra"
        )
        event = make_event(
            organiser=organiser,
            title=f"{kind} zebra gathering",
            description=f"{kind}-event-description-zebra",
            group=group,
        )
        news_feed = ExternalFeed.objects.create(url=f"https://{kind}.example.org/feed", group=group)
        FeedEntry.objects.create(
            feed=news_feed,
            guid=f"{kind}-news",
            title=f"{kind} zebra news headline",
            link=f"https://{kind}.example.org/news",
            summary_html=f"<p>{kind}-news-summary-zebra</p>",
            published_at=timezone.now(),
        )
        world.setdefault("news_feeds", {})[kind] = news_feed
        world["groups"][kind] = group
        world["discussions"][kind] = discussion
        world["replies"][kind] = reply
        world["events"][kind] = event
        content = [
            discussion.title,
            f"{kind}-discussion-body-zebra",
            f"{kind}-reply-body-zebra",
            event.title,
            f"{kind}-event-description-zebra",
            f"{kind} zebra news headline",
            f"{kind}-news-summary-zebra",
        ]
        if kind == "private":
            content += [group.name, f"{kind}-group-description-zebra"]
        world["secrets"][kind] = content
    world["applicant"] = {
        kind: Membership.objects.get(group=world["groups"][kind], member=applicant).pk
        for kind in KINDS
    }
    world["target"] = {
        kind: Membership.objects.get(group=world["groups"][kind], member=people["member"]).pk
        for kind in KINDS
    }
    world["tokens"] = {
        role: member_services.member_feed_token(user=user) for role, user in people.items()
    }
    world["tokens"]["anonymous"] = "no-such-token"
    return world


def _cases(world):
    """(url name, kind or None, method, path or role->path, data, expected statuses)."""
    organiser = world["people"]["organiser"].username
    cases = [
        ("home", None, "get", "/", None, everyone(200)),
        ("healthz", None, "get", "/healthz", None, everyone(200)),
        ("feeds", None, "get", "/feeds/", None, everyone(200)),
        ("terms", None, "get", "/terms/", None, everyone(200)),
        ("about", None, "get", "/about/", None, everyone(200)),
        ("report_an_issue", None, "get", "/report-an-issue/", None, everyone(200)),
        ("search", None, "get", "/search/?q=zebra", None, everyone(200)),
        ("members:directory", None, "get", "/members/", None, everyone(200)),
        ("members:profile_edit", None, "get", "/members/me/edit/", None, signed_in(200)),
        ("members:my_data", None, "get", "/members/me/data/", None, signed_in(200)),
        ("members:my_data_download", None, "get", "/members/me/data.json", None, signed_in(200)),
        # A wrong password never deletes anything: everyone is sent back with a message.
        (
            "members:delete_account",
            None,
            "post",
            "/members/me/delete/",
            {"password": "x"},
            signed_in(302),
        ),
        ("members:detail", None, "get", f"/members/{organiser}/", None, everyone(200)),
        ("discussions:index", None, "get", "/discussions/", None, everyone(200)),
        ("discussions:tag", None, "get", "/discussions/tags/zebra-tag/", None, everyone(200)),
        # Public feeds show what a visitor may read, whoever asks.
        ("discussions:feed", None, "get", "/discussions/feed/", None, everyone(200)),
        (
            "discussions:tag_feed",
            None,
            "get",
            "/discussions/tags/zebra-tag/feed/",
            None,
            everyone(200),
        ),
        ("events:feed", None, "get", "/events/feed/", None, everyone(200)),
        ("programmes:feed", None, "get", "/programmes/feed/", None, everyone(200)),
        (
            "private_discussions_feed",
            None,
            "get",
            {
                role: f"/feeds/private/{token}/discussions/"
                for role, token in world["tokens"].items()
            },
            None,
            expect(404, 200, 200, 200, 200, 200),
        ),
        ("events:index", None, "get", "/events/", None, everyone(200)),
        ("events:past", None, "get", "/events/past/", None, everyone(200)),
        ("events:site_calendar", None, "get", "/events/calendar.ics", None, everyone(200)),
        ("events:calendar_settings", None, "get", "/events/calendar/", None, signed_in(200)),
        ("events:create", None, "get", "/events/new/", None, signed_in(200)),
        ("discussions:create", None, "get", "/discussions/new/", None, signed_in(200)),
        ("groups:index", None, "get", "/groups/", None, everyone(200)),
        ("groups:create", None, "get", "/groups/new/", None, signed_in(200)),
        ("programmes:index", None, "get", "/programmes/", None, everyone(200)),
        ("news:index", None, "get", "/news/", None, everyone(200)),
        ("news:feed", None, "get", "/news/feed/", None, everyone(200)),
        ("admin:index", None, "get", "/admin/", None, expect(302, 302, 302, 302, 302, 200)),
        (
            "events:member_calendar",
            None,
            "get",
            {role: f"/events/my/{token}.ics" for role, token in world["tokens"].items()},
            None,
            expect(404, 200, 200, 200, 200, 200),
        ),
    ]
    programme = make_programme("Matrix programme")
    org = make_org("Matrix organisation")
    claim = programme_services.programme_role_claim(
        programme=programme, member=UserFactory(username="claimant"), role="Researcher"
    )
    p = f"/programmes/{programme.slug}"
    programme_feed = ExternalFeed.objects.create(
        url="https://programme.example.org/feed", programme=programme
    )
    cases += [
        # News feeds of a programme: its organisers (none of these people) and staff.
        (
            "news:programme_feed_add",
            None,
            "post",
            f"/news/programmes/{programme.slug}/feeds/",
            {"url": "https://new.example.org/feed"},
            expect(302, 403, 403, 403, 403, 302),
        ),
        (
            "news:feed_remove",
            None,
            "post",
            f"/news/feeds/{programme_feed.pk}/remove/",
            None,
            expect(302, 403, 403, 403, 403, 302),
        ),
        ("programmes:detail", None, "get", f"{p}/", None, everyone(200)),
        ("programmes:map", None, "get", "/programmes/map/", None, everyone(200)),
        (
            "programmes:organisation",
            None,
            "get",
            f"/programmes/organisations/{org.slug}/",
            None,
            everyone(200),
        ),
        ("programmes_csv", None, "get", "/programmes.csv", None, everyone(200)),
        ("programmes_json", None, "get", "/programmes.json", None, everyone(200)),
        ("programmes:suggest", None, "get", "/programmes/suggest/", None, signed_in(200)),
        # Overlaps are for programme organisers (none of these people) and staff.
        (
            "programmes:overlaps",
            None,
            "get",
            "/programmes/overlaps/",
            None,
            expect(302, 403, 403, 403, 403, 200),
        ),
        ("programmes:claim", None, "post", f"{p}/claim/", {"role": "Adviser"}, signed_in(302)),
        (
            "programmes:role_confirm",
            None,
            "post",
            f"/programmes/roles/{claim.pk}/confirm/",
            None,
            expect(302, 403, 403, 403, 403, 302),
        ),
        (
            "programmes:role_remove",
            None,
            "post",
            f"/programmes/roles/{claim.pk}/remove/",
            None,
            expect(302, 403, 403, 403, 403, 302),
        ),
    ]

    member = world["people"]["member"]
    subscription = EmailSubscription.objects.create(email="reader@example.org", kind="events")
    notification = Notification.objects.create(
        recipient=member,
        kind="mention",
        discussion=world["discussions"]["closed"],
        delivery="email",
    )
    cases += [
        ("subscriptions:notifications", None, "get", "/notifications/", None, signed_in(200)),
        (
            "subscriptions:notifications_read",
            None,
            "post",
            "/notifications/read/",
            None,
            signed_in(302),
        ),
        (
            "subscriptions:notification_open",
            None,
            "get",
            f"/notifications/{notification.pk}/",
            None,
            expect(302, 404, 302, 404, 404, 404),  # only its recipient
        ),
        (
            "subscriptions:preferences",
            None,
            "get",
            "/members/me/notifications/",
            None,
            signed_in(200),
        ),
        ("subscriptions:subscribe_events", None, "get", "/subscribe/events/", None, everyone(200)),
        (
            "subscriptions:confirm",
            None,
            "get",
            f"/subscribe/confirm/{confirm_token(subscription.pk)}/",
            None,
            everyone(200),
        ),
        (
            "subscriptions:unsubscribe",
            None,
            "get",
            f"/unsubscribe/{unsubscribe_token(member_id=member.pk)}/",
            None,
            everyone(200),
        ),
        ("subscriptions:follow", None, "post", "/follow/tag/zebra-tag/", None, signed_in(302)),
    ]

    for kind in KINDS:
        group = world["groups"][kind]
        d = world["discussions"][kind]
        r = world["replies"][kind]
        e = world["events"][kind]
        g = f"/groups/{group.slug}"
        hidden = 404 if kind == "private" else None
        cases += [
            # Discussions in the group
            ("discussions:detail", kind, "get", d.get_absolute_url(), None, readers(kind, 200)),
            (
                "discussions:detail_short",
                kind,
                "get",
                f"/discussions/{d.pk}/",
                None,
                readers(kind, 301),
            ),
            (
                "discussions:reply",
                kind,
                "get",
                f"/discussions/replies/{r.pk}/",
                None,
                readers(kind, 302),
            ),
            (
                "discussions:create",
                kind,
                "get",
                f"/discussions/new/?group={group.slug}",
                None,
                expect(302, hidden or 403, 200, 200, 200, 200),
            ),
            (
                "discussions:reply_create",
                kind,
                "get",
                f"/discussions/{d.pk}/reply/",
                None,
                login_then_readers(kind, 200),
            ),
            (
                "discussions:edit",
                kind,
                "get",
                f"/discussions/{d.pk}/edit/",
                None,
                staff_like(kind, 403, 200, 200, 200),
            ),
            (
                "discussions:moderate",
                kind,
                "post",
                f"/discussions/{d.pk}/moderate/",
                {"action": "pin"},
                staff_like(kind, 403, 302, 302, 302),
            ),
            (
                "discussions:history",
                kind,
                "get",
                f"/discussions/{d.pk}/history/",
                None,
                staff_like(kind, 403, 200, 200, 200),
            ),
            (
                "discussions:report",
                kind,
                "get",
                f"/discussions/{d.pk}/report/",
                None,
                login_then_readers(kind, 200),
            ),
            (
                "discussions:reply_edit",
                kind,
                "get",
                f"/discussions/replies/{r.pk}/edit/",
                None,
                staff_like(kind, 200, 200, 200, 200),
            ),
            (
                "discussions:reply_delete",
                kind,
                "get",
                f"/discussions/replies/{r.pk}/delete/",
                None,
                staff_like(kind, 200, 200, 200, 200),
            ),
            (
                "discussions:reply_report",
                kind,
                "get",
                f"/discussions/replies/{r.pk}/report/",
                None,
                login_then_readers(kind, 200),
            ),
            (
                "discussions:discussion_feed",
                kind,
                "get",
                f"/discussions/{d.pk}/feed/",
                None,
                everyone(200) if kind == "open" else everyone(404),
            ),
            (
                "private_discussion_feed",
                kind,
                "get",
                {
                    role: f"/feeds/private/{token}/discussions/{d.pk}/"
                    for role, token in world["tokens"].items()
                },
                None,
                readers(kind, 200, anonymous=404),
            ),
            # Events in the group
            ("events:detail", kind, "get", e.get_absolute_url(), None, readers(kind, 200)),
            ("events:detail_short", kind, "get", f"/events/{e.pk}/", None, readers(kind, 301)),
            ("events:ics", kind, "get", f"/events/{e.pk}/event.ics", None, readers(kind, 200)),
            (
                "events:create",
                kind,
                "get",
                f"/events/new/?group={group.slug}",
                None,
                expect(302, hidden or 403, 403, 403, 200, 200),
            ),
            (
                "events:rsvp",
                kind,
                "post",
                f"/events/{e.pk}/rsvp/",
                {"guests": "0"},
                login_then_readers(kind, 302),
            ),
            (
                "events:rsvp_cancel",
                kind,
                "post",
                f"/events/{e.pk}/rsvp/cancel/",
                None,
                login_then_readers(kind, 302),
            ),
            (
                "events:attendees",
                kind,
                "get",
                f"/events/{e.pk}/attendees/",
                None,
                staff_like(kind, 403, 403, 200, 200),
            ),
            (
                "events:attendees_csv",
                kind,
                "get",
                f"/events/{e.pk}/attendees.csv",
                None,
                staff_like(kind, 403, 403, 200, 200),
            ),
            (
                "events:edit",
                kind,
                "get",
                f"/events/{e.pk}/edit/",
                None,
                staff_like(kind, 403, 403, 200, 200),
            ),
            (
                "events:cancel",
                kind,
                "post",
                f"/events/{e.pk}/cancel/",
                None,
                staff_like(kind, 403, 403, 302, 302),
            ),
            # The group itself
            (
                "groups:detail",
                kind,
                "get",
                f"{g}/",
                None,
                everyone(200) if kind != "private" else readers(kind, 200),
            ),
            ("groups:edit", kind, "get", f"{g}/edit/", None, group_admin(kind, 200)),
            (
                "groups:join",
                kind,
                "post",
                f"{g}/join/",
                None,
                expect(302, hidden or 302, 302, 302, 302, 403 if kind == "private" else 302),
            ),
            (
                "groups:leave",
                kind,
                "post",
                f"{g}/leave/",
                None,
                expect(302, hidden or 302, 302, 302, 302, 302),
            ),
            (
                "groups:approve",
                kind,
                "post",
                f"{g}/requests/{world['applicant'][kind]}/approve/",
                None,
                group_admin(kind),
            ),
            (
                "groups:decline",
                kind,
                "post",
                f"{g}/requests/{world['applicant'][kind]}/decline/",
                None,
                group_admin(kind),
            ),
            (
                "groups:invite",
                kind,
                "post",
                f"{g}/invite/",
                {"username": "applicant"},
                group_admin(kind),
            ),
            (
                "groups:set_role",
                kind,
                "post",
                f"{g}/members/{world['target'][kind]}/role/",
                {"role": "moderator"},
                group_admin(kind),
            ),
            (
                "groups:remove",
                kind,
                "post",
                f"{g}/members/{world['target'][kind]}/remove/",
                None,
                group_admin(kind),
            ),
            # Following needs read access; posts by email are for public content only.
            (
                "subscriptions:follow",
                kind,
                "post",
                f"/follow/discussion/{d.pk}/",
                None,
                login_then_readers(kind, 302),
            ),
            (
                "subscriptions:follow",
                kind,
                "post",
                f"/follow/group/{group.slug}/",
                None,
                expect(302, hidden or 302, 302, 302, 302, 302),
            ),
            (
                "subscriptions:subscribe",
                kind,
                "get",
                f"/subscribe/discussion/{d.pk}/",
                None,
                everyone(200 if kind == "open" else 404),
            ),
            (
                "subscriptions:subscribe",
                kind,
                "get",
                f"/subscribe/group/{group.slug}/",
                None,
                everyone(200 if kind == "open" else 404),
            ),
            (
                "news:group_feed_add",
                kind,
                "post",
                f"/news/groups/{group.slug}/feeds/",
                {"url": "https://new.example.org/feed"},
                group_admin(kind),
            ),
            (
                "news:feed_remove",
                kind,
                "post",
                f"/news/feeds/{world['news_feeds'][kind].pk}/remove/",
                None,
                group_admin(kind),
            ),
            (
                "groups:feed",
                kind,
                "get",
                f"{g}/feed/",
                None,
                everyone(200) if kind == "open" else everyone(404),
            ),
            (
                "groups:member_feed",
                kind,
                "get",
                {role: f"{g}/feed/{token}/" for role, token in world["tokens"].items()},
                None,
                readers(kind, 200, anonymous=404),
            ),
        ]
    return cases


def _forbidden_texts(world, role) -> list[str]:
    if role in ("member", "moderator", "organiser", "staff"):
        return []
    return world["secrets"]["closed"] + world["secrets"]["private"]


def test_every_url_for_every_person_on_every_kind_of_group(world):
    cases = _cases(world)
    covered = {name for name, *_ in cases}
    missing = []
    for name, route in _routes():
        if any(route.startswith(prefix) for prefix in EXEMPT_PREFIXES) and name != "admin:index":
            continue
        if name not in covered:
            missing.append(f"{name} ({route})")
    assert not missing, "URLs missing from the permission matrix: " + ", ".join(missing)

    clients = {"anonymous": Client()}
    for role, user in world["people"].items():
        clients[role] = Client()
        clients[role].force_login(user)

    failures = []
    checked = 0
    for name, kind, method, path, data, expected in cases:
        for role in ROLES:
            url = path[role] if isinstance(path, dict) else path
            with transaction.atomic():
                response = getattr(clients[role], method)(url, data or {})
                transaction.set_rollback(True)
            checked += 1
            where = f"{name} [{kind or '-'}] {method.upper()} {url} as {role}"
            if response.status_code != expected[role]:
                failures.append(f"{where}: {response.status_code}, expected {expected[role]}")
                continue
            body = response.content.decode(errors="replace")
            failures.extend(
                f"{where}: shows {text!r}"
                for text in _forbidden_texts(world, role)
                if text in body or text.replace("'", "&#x27;") in body
            )
    assert not failures, f"{len(failures)} of {checked} checks failed:\n" + "\n".join(failures)
    assert checked > 500
