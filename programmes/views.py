"""Programme pages. Each view: fetch with permission, one service call, response."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from news import selectors as news_selectors
from programmes import network as net
from programmes import selectors, services, similarity
from programmes.forms import OverlapForm, RoleClaimForm, SuggestForm
from programmes.models import Organisation, ProgrammeRole
from socialbysocial.text import csv_cell

PROGRAMMES_PER_PAGE = 50


def _filtered(request: HttpRequest):
    filters = selectors.parse_filters(request.GET)
    return filters, selectors.facets(filters)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    filters, facets = _filtered(request)
    page = Paginator(selectors.directory(filters), PROGRAMMES_PER_PAGE).get_page(
        _page_number(request)
    )
    return render(
        request,
        "programmes/index.html",
        {
            "filters": filters,
            "facets": facets,
            "page_obj": page,
            "programmes": page.object_list,
            "query_string": filters.query_string(),
            "export_params": selectors.export_url_params(filters),
        },
    )


# --- Open data ------------------------------------------------------------------------------


def _export_filters(request: HttpRequest):
    filters = selectors.parse_filters(request.GET)
    return filters, filters.errors


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    filters, errors = _export_filters(request)
    if errors:
        return HttpResponse(
            "\n".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    rows = selectors.export_rows(filters, base_url=request.build_absolute_uri("/")[:-1])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="programmes.csv"'
    writer = csv.DictWriter(response, fieldnames=selectors.EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: csv_cell("; ".join(v) if isinstance(v, list) else (v or ""))
                for k, v in row.items()
            }
        )
    return response


@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    filters, errors = _export_filters(request)
    if errors:
        return JsonResponse(
            {"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    rows = selectors.export_rows(filters, base_url=request.build_absolute_uri("/")[:-1])
    return JsonResponse(
        {"count": len(rows), "filters": filters.active(), "programmes": rows},
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


# --- A programme ------------------------------------------------------------------------------


def _programme(request: HttpRequest, slug: str):
    programme = selectors.programme_for_page(slug=slug, user=request.user)
    if programme is None:
        raise Http404("No such programme.")
    return programme


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug)
    people = selectors.programme_people(programme)
    confirmed = [r for r in people if r.confirmed_at]
    user = request.user
    own_role = next((r for r in people if r.member_id == user.pk), None)
    may_confirm = user.is_authenticated and (
        user.is_staff
        or any(r.member_id == user.pk and r.is_organiser and r.confirmed_at for r in people)
    )
    similar = []
    if programme.is_listed:
        similar = similarity.similar_to(programme, selectors.listed_programmes())
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "organisers": [r for r in confirmed if r.is_organiser],
            "people": [r for r in confirmed if not r.is_organiser],
            "waiting": [r for r in people if not r.confirmed_at] if may_confirm else [],
            "own_role": own_role,
            "may_confirm": may_confirm,
            "claim_form": RoleClaimForm(),
            "similar": [{"match": m, "reason": m.reason()} for m in similar],
            "discussions": selectors.themed_discussions(programme, user=user),
            "groups": selectors.related_groups(programme, user=user),
            "events": selectors.upcoming_events(programme, user=user),
            "member_prefix": reverse("members:directory"),
            "news_entries": news_selectors.latest_entries(user, programme=programme),
            # Organisers (may_confirm: staff or a confirmed organiser) manage the news feeds.
            "news_feeds": news_selectors.owner_feeds(programme=programme) if may_confirm else [],
        },
    )


@login_required
@require_POST
def claim(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug)
    form = RoleClaimForm(request.POST)
    if form.is_valid():
        try:
            services.programme_role_claim(
                programme=programme, member=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                "Thanks: your role will show once an organiser of the programme or staff "
                "confirm it.",
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(programme.get_absolute_url() + "#people")


def _role(pk: int) -> ProgrammeRole:
    return get_object_or_404(ProgrammeRole.objects.select_related("programme", "member"), pk=pk)


@login_required
@require_POST
def role_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(pk)
    services.programme_role_confirm(role=role, confirmed_by=request.user)
    messages.success(request, f"{role.member.name} is confirmed as {role.role}.")
    return redirect(role.programme.get_absolute_url() + "#people")


@login_required
@require_POST
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(pk)
    services.programme_role_remove(role=role, removed_by=request.user)
    own = role.member_id == request.user.pk
    messages.success(
        request, "Your role was removed." if own else f"{role.member.name}'s role was removed."
    )
    return redirect(role.programme.get_absolute_url() + "#people")


# --- Organisations ----------------------------------------------------------------------------


@require_GET
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=slug)
    return render(
        request,
        "programmes/organisation.html",
        {"organisation": org, **selectors.organisation_page(org)},
    )


# --- The map ----------------------------------------------------------------------------------


@require_GET
def programme_map(request: HttpRequest) -> HttpResponse:
    filters, facets = _filtered(request)
    shown = selectors.apply_filters(selectors.listed_programmes(), filters)
    network = net.build_network(similarity.load_facts(shown, people=True))
    prefix = reverse("programmes:index")
    matrix = net.matrix(network)
    return render(
        request,
        "programmes/map.html",
        {
            "filters": filters,
            "facets": facets,
            "query_string": filters.query_string(),
            "network": network,
            "count": len(network.facts),
            # Built from escaped strings in programmes/network.py.
            "svg": mark_safe(net.render_svg(network, url_prefix=prefix)),  # noqa: S308
            "legend": net.legend(network),
            "matrix": matrix,
            "matrix_head": mark_safe(matrix["head_html"]),  # noqa: S308
            "matrix_rows": mark_safe(matrix["rows_html"]),  # noqa: S308
            "matrix_totals": mark_safe(matrix["totals_html"]),  # noqa: S308
            "table_rows": mark_safe(net.table_rows(network, url_prefix=prefix)),  # noqa: S308
            "gaps": net.gaps(network),
        },
    )


# --- Overlaps ---------------------------------------------------------------------------------


def _may_see_overlaps(user) -> bool:
    return (
        user.is_staff
        or ProgrammeRole.objects.filter(
            member=user, is_organiser=True, confirmed_at__isnull=False
        ).exists()
    )


@login_required
@require_GET
def overlaps(request: HttpRequest) -> HttpResponse:
    if not _may_see_overlaps(request.user):
        raise PermissionDenied(
            "The overlap report is for programme organisers and staff. Say you organise a "
            "programme on its page; once confirmed you can see it."
        )
    form = OverlapForm(request.GET or None)
    threshold = 6
    if form.is_bound:
        if form.is_valid() and form.cleaned_data["min_score"]:
            threshold = form.cleaned_data["min_score"]
        elif not form.is_valid():
            messages.error(request, "Choose one of the listed scores; showing 6 and above.")
            form = OverlapForm(initial={"min_score": 6})
    pairs = similarity.overlaps(selectors.listed_programmes(), threshold=threshold)
    prefix = reverse("programmes:index")
    return render(
        request,
        "programmes/overlaps.html",
        {
            "form": form,
            "threshold": threshold,
            "pairs": [
                {
                    "a": o.a,
                    "b": o.b,
                    "score": round(o.score, 1),
                    "reason": o.match.reason(),
                }
                for o in pairs[:200]
            ],
            "total": len(pairs),
            "prefix": prefix,
        },
    )


# --- Suggestions ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["region_names"] = data.pop("regions")
        try:
            programme = services.programme_suggest(suggested_by=request.user, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Thank you: “{programme.name}” will appear in the directory once staff "
                "have checked it.",
            )
            return redirect(programme)
    return render(request, "programmes/suggest.html", {"form": form})
