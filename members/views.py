from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import privacy, selectors, services
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
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "members/my_data.html")


@login_required
@require_GET
def my_data_download(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        privacy.member_export(user=request.user), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{request.user.username}-data.json"'
    return response


@login_required
@require_POST
def delete_account(request: HttpRequest) -> HttpResponse:
    if not request.user.check_password(request.POST.get("password", "")):
        messages.error(request, "That password is not right, so your account was not deleted.")
        return redirect("members:my_data")
    try:
        privacy.member_delete(user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("members:my_data")
    logout(request)
    messages.success(request, "Your account is deleted. Your posts now show as by a former member.")
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile has been saved.")
        return redirect(request.user)
    return render(request, "members/profile_edit.html", {"form": form})
