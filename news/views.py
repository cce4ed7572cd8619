"""News from the network: the combined page, and organisers adding and removing feeds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from groups import visibility
from news import selectors, services
from news.forms import FeedAddForm
from news.models import ExternalFeed
from programmes import selectors as programme_selectors

ENTRIES_PER_PAGE = 25


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    entries = selectors.visible_entries(request.user)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "news/index.html", {"page_obj": page, "entries": page.object_list})


def _back(owner) -> str:
    return owner.get_absolute_url() + "#news-feeds"


def _add(request: HttpRequest, **owner) -> HttpResponse:
    target = owner.get("programme") or owner.get("group")
    if not services.may_manage_feeds(request.user, **owner):
        raise PermissionDenied("Only organisers and staff can change this page's news feeds.")
    form = FeedAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the address of an RSS or Atom feed.")
        return redirect(_back(target))
    try:
        services.feed_add(url=form.cleaned_data["url"], actor=request.user, **owner)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Feed added. Its latest posts will appear here shortly.")
    return redirect(_back(target))


@login_required
@require_POST
def group_feed_add(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(visibility.visible_groups(request.user), slug=slug)
    return _add(request, group=group)


@login_required
@require_POST
def programme_feed_add(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_selectors.programme_for_page(slug=slug, user=request.user)
    if programme is None:
        raise Http404("No such programme.")
    return _add(request, programme=programme)


@login_required
@require_POST
def feed_remove(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(ExternalFeed.objects.select_related("programme", "group"), pk=pk)
    if feed.group_id and not visibility.can_see_group(
        request.user, feed.group, visibility.membership(request.user, feed.group)
    ):
        raise Http404("No such feed.")
    owner = feed.owner
    services.feed_remove(feed=feed, actor=request.user)
    messages.success(request, "Feed removed, with the posts read from it.")
    return redirect(_back(owner))
