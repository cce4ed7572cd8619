from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from programmes.models import Programme
from programmes.selectors import programme_list


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/index.html", {"programmes": programme_list()})


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    return render(request, "programmes/detail.html", {"programme": programme})
