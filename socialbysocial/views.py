"""Site-wide pages: home, health check and the feeds index."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from discussions.selectors import discussion_list
from events.selectors import upcoming_events
from groups.selectors import group_directory
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
    feeds = [
        {
            "title": "Upcoming events (iCalendar, for calendar apps)",
            "url": reverse("events:site_calendar"),
        },
        {
            "title": "News from the network (posts from programmes' and groups' own sites)",
            "url": reverse("news:feed"),
        },
    ]
    return render(request, "feeds.html", {"feeds": feeds})
