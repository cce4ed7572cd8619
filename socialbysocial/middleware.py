"""Request guards that apply to every URL."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RejectNullBytesMiddleware:
    """Answer 400 to a NUL byte in the path or query string.

    PostgreSQL cannot store or compare strings containing NUL, so such input would otherwise
    reach the database and fail with a 500. (Form fields already refuse NUL in POST data.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return render(request, "400.html", status=400)
        return self.get_response(request)
