"""Following, notifications, preferences, posts by email and unsubscribing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from taggit.models import Tag

from discussions.selectors import visible_discussions
from events.selectors import visible_events
from groups.visibility import visible_groups
from socialbysocial.limits import limit
from subscriptions import services
from subscriptions.forms import EmailSubscribeForm, PreferencesForm
from subscriptions.models import EmailSubscription, Notification
from subscriptions.tokens import read_confirm_token, read_unsubscribe_token

FOLLOWABLE = {
    "discussion": lambda user, key: get_object_or_404(visible_discussions(user), pk=_int(key)),
    "group": lambda user, key: get_object_or_404(visible_groups(user), slug=key),
    "tag": lambda user, key: get_object_or_404(Tag, slug=key),
    "event": lambda user, key: get_object_or_404(visible_events(user), pk=_int(key)),
}


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404("No such thing to follow.") from None


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on: a path on this site, else the fallback."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


@login_required
@require_POST
def follow(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    if kind not in FOLLOWABLE:
        raise Http404("No such thing to follow.")
    target = FOLLOWABLE[kind](request.user, key)
    if request.POST.get("action") == "unfollow":
        services.follow_remove(member=request.user, target=target)
        messages.success(request, "You no longer follow this.")
    else:
        services.follow_add(member=request.user, target=target)
        messages.success(request, "You follow this now. See your notification settings for how.")
    fallback = target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"
    return _back(request, fallback)


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    items = (
        Notification.objects.filter(recipient=request.user)
        .select_related("actor", "discussion", "reply")
        .order_by("-created", "-pk")
    )
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "subscriptions/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(member=request.user)
    messages.success(request, "All notifications are marked as read.")
    return redirect("subscriptions:notifications")


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(
        Notification.objects.select_related("discussion", "reply"), pk=pk, recipient=request.user
    )
    services.notifications_mark_read(member=request.user, notification_id=notification.pk)
    post = notification.reply or notification.discussion
    return redirect(post.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(member=request.user, **form.cleaned_data)
        messages.success(request, "Your notification settings are saved.")
        return redirect("subscriptions:preferences")
    return render(request, "subscriptions/preferences.html", {"form": form})


# --- Posts by email --------------------------------------------------------------------------

SUBSCRIBABLE = {
    "discussion": lambda key: get_object_or_404(visible_discussions(None), pk=_int(key)),
    "tag": lambda key: get_object_or_404(Tag, slug=key),
    "group": lambda key: get_object_or_404(visible_groups(None), slug=key, kind="open"),
    "events": lambda key: None,
}


@limit("subscribe")
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, kind: str, key: str = "") -> HttpResponse:
    """Anyone can ask for posts by email: public content only, and only after confirming."""
    if kind not in SUBSCRIBABLE:
        raise Http404("No such feed.")
    target = SUBSCRIBABLE[kind](key)
    form = EmailSubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.email_subscription_request(
                    email=form.cleaned_data["email"], kind=kind, target=target
                )
            except ValidationError as exc:
                form.add_error("email", exc.message_dict.get("email", exc.messages))
                status = 400
            else:
                return render(request, "subscriptions/subscribe_sent.html", {"target": target})
        else:
            status = 400
    label = dict(EmailSubscription.Kind.choices)[kind]
    return render(
        request,
        "subscriptions/subscribe.html",
        {"form": form, "target": target, "kind": kind, "label": label},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscription_id, problem = read_confirm_token(token)
    if subscription_id is None:
        message = (
            "This confirmation link has expired. Please subscribe again to get a new one."
            if problem == "expired"
            else "This confirmation link is not valid. Please copy it again from the email."
        )
        return render(request, "subscriptions/message.html", {"message": message}, status=400)
    if request.method == "POST":
        try:
            services.email_subscription_confirm(subscription_id=subscription_id)
        except ValidationError as exc:
            return render(
                request, "subscriptions/message.html", {"message": exc.messages[0]}, status=400
            )
        return render(
            request,
            "subscriptions/message.html",
            {"message": "Thank you: your subscription is confirmed. New posts will be emailed."},
        )
    return render(request, "subscriptions/confirm.html", {"token": token})


@csrf_exempt  # RFC 8058 one-click: a POST from a mail app, with no session and no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    payload = read_unsubscribe_token(token)
    if payload is None:
        return render(
            request,
            "subscriptions/message.html",
            {"message": "This unsubscribe link is not valid. Please copy it again from the email."},
            status=400,
        )
    if request.method == "POST":
        how = request.POST.get("how", "stop")
        if request.POST.get("List-Unsubscribe") == "One-Click":
            how = "stop"
        if how not in ("stop", "less"):
            return HttpResponseBadRequest("Choose stop or less.")
        message = services.unsubscribe(
            member_id=payload.get("m"), subscription_id=payload.get("s"), how=how
        )
        return render(request, "subscriptions/message.html", {"message": message})
    return render(
        request,
        "subscriptions/unsubscribe.html",
        {"token": token, "is_member": "m" in payload},
    )
