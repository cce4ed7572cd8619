"""Site-wide pages: home, health check, the feeds index and the error handler."""

import sys

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from discussions.selectors import discussion_list, feed_tags
from events.selectors import upcoming_events
from groups.models import Group
from groups.selectors import group_directory
from members.services import member_feed_token
from programmes.selectors import programme_list


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "programmes": programme_list()[:8],
            "upcoming_events": upcoming_events(user=request.user)[:5],
            "latest_discussions": discussion_list(user=request.user)[:6],
            "active_groups": group_directory(user=request.user)[:6],
        },
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answers without touching the database, cache or session: the performance floor."""
    return HttpResponse(b"ok\n", content_type="text/plain")


@require_GET
def feeds(request: HttpRequest) -> HttpResponse:
    """Every public feed, and a logged-in member's private address."""
    visitor = AnonymousUser()  # public feeds show what a visitor may see, whoever asks
    feeds = [
        {"title": "Latest discussions", "url": reverse("discussions:feed")},
        {"title": "Upcoming events", "url": reverse("events:feed")},
        {"title": "National programmes", "url": reverse("programmes:feed")},
        {
            "title": "Upcoming events (iCalendar, for calendar apps)",
            "url": reverse("events:site_calendar"),
        },
        {
            "title": "News from the network (posts from programmes' and groups' own sites)",
            "url": reverse("news:feed"),
        },
    ]
    context = {
        "feeds": feeds,
        "groups": group_directory(user=visitor, sort="name").filter(kind=Group.Kind.OPEN),
        "tags": feed_tags(user=visitor),
    }
    if request.user.is_authenticated:
        token = member_feed_token(user=request.user)
        context["private_feed_url"] = request.build_absolute_uri(
            reverse("private_discussions_feed", kwargs={"token": token})
        )
    return render(request, "feeds.html", context)


def server_error(request: HttpRequest) -> HttpResponse:
    """A database outage gets a friendly 503 (rendered without touching the database);
    anything else gets the 500 page."""
    from django.db import DatabaseError
    from django.template.loader import render_to_string

    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and _database_unreachable(error):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def _database_unreachable(error: Exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(error, InterfaceError | OperationalError)


def rate_limited(request: HttpRequest, exception=None) -> HttpResponse:
    """Over a rate limit: say so, and when to try again (all limits are per hour)."""
    response = render(
        request,
        "429.html",
        {"retry": "within the hour"},
        status=429,
    )
    response["Retry-After"] = "3600"
    return response
