"""Group pages. A private group is a 404 to anyone who may not see it, on every URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import selectors, services, visibility
from groups.forms import DirectoryForm, GroupForm, InviteForm, RoleForm
from groups.models import Group, Membership
from members import services as member_services
from members.models import User
from news import selectors as news_selectors
from subscriptions.services import is_following

GROUPS_PER_PAGE = 24


def _group(request: HttpRequest, slug: str) -> tuple[Group, Membership | None]:
    """The group if this person may see it (else 404), with their membership."""
    group = get_object_or_404(visibility.visible_groups(request.user), slug=slug)
    return group, visibility.membership(request.user, group)


def _organised(request: HttpRequest, slug: str) -> tuple[Group, Membership | None]:
    group, member = _group(request, slug)
    if not visibility.is_organiser(request.user, group, member):
        raise PermissionDenied("Only the group's organisers can do that.")
    return group, member


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    query, sort = data.get("q", ""), data.get("sort") or "activity"
    groups = selectors.group_directory(user=request.user, query=query, sort=sort)
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/index.html",
        {
            "form": form,
            "page_obj": page,
            "groups": page.object_list,
            "query": query,
            "sort": sort,
        },
    )


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    group, member = _group(request, slug)
    can_read = visibility.can_read_content(request.user, group, member)
    organiser = visibility.is_organiser(request.user, group, member)
    context = {
        "group": group,
        "membership": member,
        "can_read": can_read,
        "is_organiser": organiser,
        "members": selectors.members(group)[:200],
        "invite_form": InviteForm(),
        "roles": Membership.Role.choices,
        "following": can_read and is_following(request.user, group),
        "follow_url": reverse("subscriptions:follow", args=["group", group.slug]),
        "subscribe_url": reverse("subscriptions:subscribe", args=["group", group.slug]),
    }
    if can_read and request.user.is_authenticated and not group.is_open:
        token = member_services.member_feed_token(user=request.user)
        context["private_feed_url"] = reverse("groups:member_feed", args=[group.slug, token])
    if can_read:
        context["discussions"] = selectors.group_discussions(user=request.user, group=group)[:20]
        context["events"] = selectors.group_events(user=request.user, group=group)[:10]
        context["news_entries"] = news_selectors.latest_entries(request.user, group=group)
    if organiser:
        context["requests"] = selectors.pending(group, Membership.State.REQUESTED)
        context["invitations"] = selectors.pending(group, Membership.State.INVITED)
        context["news_feeds"] = news_selectors.owner_feeds(group=group)
    return render(request, "groups/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(creator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(
                "name" if "name" in getattr(exc, "error_dict", {}) else None, exc.messages
            )
        else:
            messages.success(request, "Your group is ready. You are its organiser.")
            return redirect(group)
    return render(request, "groups/form.html", {"form": form, "group": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    group, _ = _organised(request, slug)
    initial = {"name": group.name, "kind": group.kind, "description": group.description}
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "The group is updated.")
            return redirect(group)
    return render(request, "groups/form.html", {"form": form, "group": group})


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    group, _ = _group(request, slug)
    try:
        membership = services.group_join(group=group, member=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if membership.is_active:
            messages.success(request, f"Welcome to {group.name}.")
        else:
            messages.success(request, "You asked to join. The organisers will let you know.")
    return redirect(group)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    group, member = _group(request, slug)
    try:
        services.group_leave(group=group, member=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(group)
    messages.success(
        request,
        {
            Membership.State.ACTIVE: f"You have left {group.name}.",
            Membership.State.REQUESTED: "Your request to join is withdrawn.",
            Membership.State.INVITED: "You turned down the invitation.",
        }[member.state],
    )
    return redirect("groups:index" if group.is_private else group.get_absolute_url())


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, membership_id: int, decision: str) -> HttpResponse:
    group, _ = _organised(request, slug)
    service = services.group_approve if decision == "approve" else services.group_decline
    try:
        service(group=group, membership_id=membership_id, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, "Request approved." if decision == "approve" else "Request declined."
        )
    return redirect(group)


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    group, _ = _organised(request, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type the username of the member to invite.")
        return redirect(group)
    invitee = User.objects.filter(
        username__iexact=form.cleaned_data["username"].strip().lstrip("@"), is_active=True
    ).first()
    if invitee is None:
        messages.error(request, "No member has that username.")
        return redirect(group)
    try:
        membership = services.group_invite(group=group, actor=request.user, member=invitee)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if membership.is_active:
            messages.success(request, f"{invitee.name} had asked to join and is now a member.")
        else:
            messages.success(request, f"{invitee.name} is invited and has been emailed.")
    return redirect(group)


@login_required
@require_POST
def set_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    group, _ = _organised(request, slug)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose organiser, moderator or member.")
        return redirect(group)
    try:
        services.group_set_role(
            group=group, membership_id=membership_id, actor=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Role changed.")
    return redirect(group)


@login_required
@require_POST
def remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    group, _ = _organised(request, slug)
    try:
        services.group_remove_member(group=group, membership_id=membership_id, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Member removed from the group.")
    return redirect(group)
