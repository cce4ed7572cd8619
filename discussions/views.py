"""Discussion pages. Each view: fetch with permission, one service call, response."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from taggit.models import Tag
from taggit.utils import edit_string_for_tags

from discussions import selectors, services
from discussions.forms import (
    DiscussionForm,
    ReplyEditForm,
    ReplyForm,
    ReportForm,
    SearchForm,
)
from discussions.models import Discussion, Reply
from discussions.permissions import can_edit, can_moderate
from groups.models import Group
from groups.visibility import membership, visible_groups
from members import services as member_services
from socialbysocial.limits import limit
from subscriptions.services import is_following

DISCUSSIONS_PER_PAGE = 25
SEARCH_RESULTS_PER_PAGE = 20


# --- Fetch with permission ------------------------------------------------------------------


def _discussion(request: HttpRequest, pk: int) -> Discussion:
    discussion = selectors.discussion_for_page(
        user=request.user, pk=pk, include_removed=can_moderate(request.user)
    )
    if discussion is None:
        raise Http404("No such discussion.")
    return discussion


def _reply(request: HttpRequest, pk: int) -> Reply:
    reply = get_object_or_404(
        Reply.objects.select_related("discussion", "author"),
        pk=pk,
        discussion__in=selectors.visible_discussions(request.user),
    )
    return reply


def _editable(request: HttpRequest, post: Discussion | Reply) -> None:
    if not can_edit(request.user, post):
        raise PermissionDenied("Only the author or a moderator can change this post.")


def _reply_in(discussion: Discussion, raw: str | None) -> Reply | None:
    """A reply named in the query string, which must belong to this discussion."""
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404("No such reply.") from None
    return get_object_or_404(Reply.objects.select_related("author"), pk=pk, discussion=discussion)


def _feed_url(request: HttpRequest, discussion: Discussion) -> str | None:
    """The replies feed to advertise: the public one if a visitor could read the discussion,
    otherwise the member's own private address (their feed secret is in it)."""
    if discussion.removed_at is not None:
        return None
    kwargs = {"pk": discussion.pk}
    if not request.user.is_authenticated or discussion.group_id is None:
        return reverse("discussions:discussion_feed", kwargs=kwargs)  # visible, so public
    if Group.objects.filter(pk=discussion.group_id, kind=Group.Kind.OPEN).exists():
        return reverse("discussions:discussion_feed", kwargs=kwargs)
    kwargs["token"] = member_services.member_feed_token(user=request.user)
    return reverse("private_discussion_feed", kwargs=kwargs)


def _visitor(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    if request.session.session_key:
        return f"s{request.session.session_key}"
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
    return "a" + hashlib.sha256(raw.encode()).hexdigest()[:24]


# --- Lists -------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest, tag_slug: str | None = None) -> HttpResponse:
    tag = None
    tag_slug = tag_slug or request.GET.get("tag") or None
    if tag_slug:
        tag = Tag.objects.filter(slug=tag_slug).first()
        if tag is None:
            raise Http404("No such tag.")
    discussions = selectors.discussion_list(user=request.user, tag_slug=tag_slug)
    page = Paginator(discussions, DISCUSSIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "discussions": page.object_list, "tag": tag}
    if tag is not None:
        context |= {
            "following": is_following(request.user, tag),
            "follow_url": reverse("subscriptions:follow", args=["tag", tag.slug]),
            "subscribe_url": reverse("subscriptions:subscribe", args=["tag", tag.slug]),
        }
    return render(request, "discussions/index.html", context)


# --- A discussion ----------------------------------------------------------------------------


# The thread (opening post, tags, pagination, replies) is rendered once per thread version
# and page, and shared by everyone: it holds nothing personal. Controls only some people may use
# are marked ``if-own``/``if-mod`` and revealed by a per-request style rule (the server checks
# again on use). Anonymous visitors get the whole page from the cache.
THREAD_CACHE_SECONDS = 15 * 60
VIEWS_SLOT = "\u2063views\u2063"  # an invisible marker, replaced by the live count
THREAD_SPLIT = "<!--thread-split-->"  # between the opening post and the replies


def _thread_html(discussion: Discussion, page: int, pages: int) -> str:
    key = f"discussion-thread:{discussion.pk}:v{discussion.version}:p{page}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "discussions/_thread.html",
            {
                "discussion": discussion,
                "replies": selectors.reply_page(discussion=discussion, page=page),
                "page": page,
                "pages": range(1, pages + 1),
                "page_total": pages,
                "thread_url": reverse("discussions:reply_create", kwargs={"pk": discussion.pk}),
                # URL prefixes built once, not a {% url %} per reply.
                "reply_prefix": reverse("discussions:reply", kwargs={"pk": 0})[:-2],
                "member_prefix": reverse("members:directory"),
            },
        )
        cache.set(key, html, THREAD_CACHE_SECONDS)
    return html


def _page_number(request: HttpRequest, pages: int) -> int:
    try:
        return min(max(1, int(request.GET.get("page", 1))), pages)
    except ValueError:
        return 1


def _live_views(discussion_id: int, stored: int) -> int:
    return stored + (cache.get(services.view_pending_key(discussion_id)) or 0)


@require_GET
def detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    discussion = _discussion(request, pk)  # one query; also the visibility check
    pages = selectors.page_count(discussion)
    page = _page_number(request, pages)
    if slug != discussion.slug:
        url = discussion.get_absolute_url() + (f"?page={page}" if page > 1 else "")
        return redirect(url, permanent=True)
    if discussion.author_id is None or discussion.author_id != request.user.pk:
        services.view_record(discussion_id=discussion.pk, visitor=_visitor(request))
    views = str(_live_views(discussion.pk, discussion.view_count))

    # Visitors who are not logged in all see the same page: cache it whole, by thread version.
    anonymous = not request.user.is_authenticated and not len(messages.get_messages(request))
    page_key = f"discussion-page:{pk}:v{discussion.version}:p{page}"
    if anonymous and discussion.removed_at is None:
        html = cache.get(page_key)
        if html is not None:
            return HttpResponse(html.replace(VIEWS_SLOT, views))

    opening, replies = _thread_html(discussion, page, pages).split(THREAD_SPLIT, 1)
    response = render(
        request,
        "discussions/detail.html",
        {
            "discussion": discussion,
            # Both halves come from our own template render: safe HTML.
            "opening_html": mark_safe(opening),  # noqa: S308
            "replies_html": mark_safe(replies),  # noqa: S308
            "views": VIEWS_SLOT if anonymous else views,
            "is_moderator": can_moderate(request.user, discussion),
            "can_edit": can_edit(request.user, discussion),
            "feed_url": _feed_url(request, discussion),
            "following": is_following(request.user, discussion),
            "follow_url": reverse("subscriptions:follow", args=["discussion", discussion.pk]),
            "subscribe_url": reverse("subscriptions:subscribe", args=["discussion", discussion.pk]),
        },
    )
    if anonymous:
        html = response.content.decode()
        if discussion.removed_at is None:
            cache.set(page_key, html, THREAD_CACHE_SECONDS)
        response.content = html.replace(VIEWS_SLOT, views)
    return response


@require_GET
def reply_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply's permanent address: redirects to the page that holds it, anchored."""
    reply = _reply(request, pk)
    page = selectors.page_of_position(reply.position)
    url = reply.discussion.get_absolute_url() + (f"?page={page}" if page > 1 else "")
    return redirect(f"{url}#reply-{reply.pk}")


def _posting_group(request: HttpRequest) -> Group | None:
    """The group named by ``?group=<slug>``: it must be visible, and the poster a member."""
    slug = request.GET.get("group")
    if not slug:
        return None
    group = get_object_or_404(visible_groups(request.user), slug=slug)
    member = membership(request.user, group)
    if not (request.user.is_staff or (member and member.is_active)):
        raise PermissionDenied("Join the group to start a discussion in it.")
    return group


@login_required
@limit("post")
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    group = _posting_group(request)
    form = DiscussionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_create(
                author=request.user, group=group, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your discussion has started.")
            return redirect(discussion)
    return render(
        request, "discussions/form.html", {"form": form, "discussion": None, "group": group}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _discussion(request, pk)
    _editable(request, discussion)
    initial = {
        "title": discussion.title,
        "body": discussion.body,
        "tags": edit_string_for_tags(list(discussion.tags.all())),
    }
    form = DiscussionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.discussion_edit(
                discussion=discussion, editor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(discussion)
    return render(request, "discussions/form.html", {"form": form, "discussion": discussion})


@login_required
@limit("reply")
@require_http_methods(["GET", "POST"])
def reply_create(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _discussion(request, pk)
    if discussion.locked:
        raise PermissionDenied("This discussion is locked: no new replies can be added.")
    if request.method == "POST":
        form = ReplyForm(request.POST)
        in_reply_to = quoted = None
        if form.is_valid():
            targets = {}
            for field in ("in_reply_to", "quoted"):
                target_pk = form.cleaned_data[field]
                targets[field] = target_pk and (
                    Reply.objects.filter(
                        pk=target_pk,
                        discussion__in=selectors.visible_discussions(request.user),
                    )
                    .select_related("author")
                    .first()
                )
                if target_pk and targets[field] is None:
                    form.add_error(None, "The reply you answered or quoted no longer exists.")
            in_reply_to = targets["in_reply_to"] or None
            quoted = targets["quoted"] or None
        if form.is_valid():
            try:
                reply = services.reply_create(
                    discussion=discussion,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    in_reply_to=in_reply_to,
                    quoted=quoted,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, "Your reply is posted.")
                return redirect(reply)
    else:
        in_reply_to = _reply_in(discussion, request.GET.get("to"))
        quoted = _reply_in(discussion, request.GET.get("quote"))
        for target in (in_reply_to, quoted):
            if target is not None and target.is_removed:
                raise Http404("That reply was removed.")
        initial = {
            "in_reply_to": in_reply_to.pk if in_reply_to else (quoted.pk if quoted else None),
            "quoted": quoted.pk if quoted else None,
            "body": selectors.quote_markdown(quoted) if quoted else "",
        }
        form = ReplyForm(initial=initial)
    return render(
        request,
        "discussions/reply_form.html",
        {"discussion": discussion, "form": form, "in_reply_to": in_reply_to or quoted},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    _editable(request, reply)
    if reply.is_removed:
        raise PermissionDenied("A removed reply cannot be edited.")
    form = ReplyEditForm(request.POST or None, initial={"body": reply.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_edit(reply=reply, editor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your reply is updated.")
            return redirect(reply)
    return render(request, "discussions/reply_edit.html", {"reply": reply, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    _editable(request, reply)
    if request.method == "POST":
        services.reply_remove(reply=reply, remover=request.user)
        messages.success(request, "The reply was removed. A placeholder keeps its place.")
        return redirect(reply)
    return render(request, "discussions/reply_delete.html", {"reply": reply})


MODERATION_ACTIONS = {
    "lock": {"locked": True},
    "unlock": {"locked": False},
    "pin": {"pinned": True},
    "unpin": {"pinned": False},
}


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _discussion(request, pk)
    if not can_moderate(request.user, discussion):
        raise PermissionDenied("Only moderators can do that.")
    action = request.POST.get("action", "")
    if action == "remove":
        services.discussion_remove(discussion=discussion, moderator=request.user)
        messages.success(request, f"“{discussion.title}” was removed.")
        return redirect("discussions:index")
    if action not in MODERATION_ACTIONS:
        return HttpResponseBadRequest("Unknown moderation action.")
    services.discussion_moderate(
        discussion=discussion, moderator=request.user, **MODERATION_ACTIONS[action]
    )
    messages.success(request, f"Discussion {action}ed.")
    return redirect(discussion)


@login_required
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _discussion(request, pk)
    if not can_moderate(request.user, discussion):
        raise PermissionDenied("Only moderators can see earlier versions.")
    revisions = discussion.revisions.select_related("edited_by", "reply").order_by("-created")
    page = Paginator(revisions, 50).get_page(request.GET.get("page"))
    return render(request, "discussions/history.html", {"discussion": discussion, "page_obj": page})


@login_required
@limit("report")
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, reply_pk: int | None = None) -> HttpResponse:
    if reply_pk is not None:
        reply = _reply(request, reply_pk)
        discussion, target = reply.discussion, reply
    else:
        discussion, reply = _discussion(request, pk), None
        target = discussion
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user,
                discussion=discussion,
                reply=reply,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Thank you. A moderator will look at your report.")
            return redirect(target)
    return render(
        request,
        "discussions/report.html",
        {"form": form, "discussion": discussion, "reply": reply},
    )


# --- Search ----------------------------------------------------------------------------------


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET if "q" in request.GET else None)
    page = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            results = selectors.search(user=request.user, query=form.cleaned_data["q"])
            page = Paginator(results, SEARCH_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        else:
            status = 400
    return render(
        request,
        "discussions/search.html",
        {"form": form, "page_obj": page, "query": request.GET.get("q", "")[:200]},
        status=status,
    )
