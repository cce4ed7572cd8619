from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from members import selectors, services
from members.forms import ProfileForm
from members.models import User


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    paginator = Paginator(selectors.member_directory(query=query), settings.MEMBERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "page_obj": page,
            "members": page.object_list,
            "query": query.strip()[: selectors.SEARCH_MAX_LENGTH],
        },
    )


@require_GET
def detail(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username, is_active=True)
    return render(request, "members/detail.html", {"member": member})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile has been saved.")
        return redirect(request.user)
    return render(request, "members/profile_edit.html", {"form": form})
