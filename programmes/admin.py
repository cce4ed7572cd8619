"""Programmes and organisations in the admin. Writes go through the services, as on the site."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse

from programmes import services
from programmes.models import Organisation, Programme, ProgrammeRole, Region


class ApprovedFilter(admin.SimpleListFilter):
    title = "listing"
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return [("yes", "Listed"), ("no", "Suggestions waiting for approval")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(approved_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(approved_at__isnull=True)
        return queryset


class ProgrammeRoleInline(admin.TabularInline):
    """People on the programme. Roles added here by staff count as confirmed."""

    model = ProgrammeRole
    fields = ("member", "role", "is_organiser", "confirmed_at", "confirmed_by")
    readonly_fields = ("confirmed_at", "confirmed_by")
    raw_id_fields = ("member",)
    extra = 0


class ProgrammeAdminForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "summary",
            "description",
            "website",
            "audience",
            "lead_organisations",
            "funders",
            "themes",
            "geography",
            "regions",
            "status",
            "starts_on",
            "ends_on",
            "related_groups",
            "related_events",
        ]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        same = Programme.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if same.exists():
            raise ValidationError(f"A programme called “{name}” is already listed.")
        return name

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in services.RESERVED_SLUGS:
            raise ValidationError(f"“{slug}” is the address of another page; choose another.")
        return slug


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "status", "geography", "approved_at", "suggested_by", "updated")
    list_filter = (
        ApprovedFilter,
        "status",
        "geography",
        ("funders", admin.RelatedOnlyFieldListFilter),
        ("lead_organisations", admin.RelatedOnlyFieldListFilter),
        ("regions", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("name", "summary", "description", "lead_organisations__name")
    list_select_related = ("suggested_by",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = (
        "lead_organisations",
        "funders",
        "regions",
        "related_groups",
        "related_events",
    )
    readonly_fields = ("approved_at", "suggested_by", "suggestion_note", "created", "updated")
    fieldsets = (
        (None, {"fields": ("name", "slug", "summary", "description", "website", "audience")}),
        ("Who", {"fields": ("lead_organisations", "funders", "themes")}),
        ("Where and when", {"fields": ("geography", "regions", "status", "starts_on", "ends_on")}),
        ("Related", {"fields": ("related_groups", "related_events")}),
        ("Listing", {"fields": readonly_fields}),
    )
    inlines = [ProgrammeRoleInline]
    actions = ["approve"]

    def save_model(self, request, obj, form, change):
        services.programme_save(programme=obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.programme_role_remove(role=obj, removed_by=request.user)
        for role in instances:
            if role.pk:
                role.save(update_fields=["member", "role", "is_organiser"])
            else:
                services.programme_role_add(
                    programme=form.instance,
                    member=role.member,
                    role=role.role,
                    is_organiser=role.is_organiser,
                    added_by=request.user,
                )

    @admin.action(description="Approve selected suggestions (list them)")
    def approve(self, request, queryset):
        approved = sum(
            services.programme_approve(programme=p, approved_by=request.user) for p in queryset
        )
        self.message_user(
            request, f"{approved} programme(s) approved and listed.", messages.SUCCESS
        )


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this one; the others are merged into it and deleted",
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "website", "leads", "funds")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("kind",)
    search_fields = ("name", "description", "website")
    prepopulated_fields = {"slug": ("name",)}
    actions = ["merge"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                lead_count=Count("led_programmes", distinct=True),
                fund_count=Count("funded_programmes", distinct=True),
            )
        )

    @admin.display(ordering="lead_count", description="leads")
    def leads(self, obj):
        return obj.lead_count

    @admin.display(ordering="fund_count", description="funds")
    def funds(self, obj):
        return obj.fund_count

    def save_model(self, request, obj, form, change):
        services.organisation_save(organisation=obj)

    @admin.action(description="Merge selected duplicate organisations")
    def merge(self, request, queryset):
        chosen = list(queryset.order_by("name"))
        if len(chosen) < 2:
            self.message_user(request, "Choose two or more organisations to merge.", messages.ERROR)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None)
        form.fields["keep"].queryset = queryset.order_by("name")
        if "apply" in request.POST and form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                services.organisation_merge(keep=keep, duplicates=chosen, merged_by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(
                request,
                f"Merged {len(chosen) - 1} organisation(s) into “{keep.name}”.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/programmes/organisation/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge duplicate organisations",
                "organisations": chosen,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ProgrammeRole)
class ProgrammeRoleAdmin(admin.ModelAdmin):
    list_display = ("member", "programme", "role", "is_organiser", "confirmed_at")
    list_filter = ("is_organiser", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("member__username", "member__display_name", "programme__name", "role")
    list_select_related = ("member", "programme")
    raw_id_fields = ("member", "programme")
    readonly_fields = ("confirmed_at", "confirmed_by")
    actions = ["confirm"]

    @admin.action(description="Confirm selected roles")
    def confirm(self, request, queryset):
        for role in queryset:
            services.programme_role_confirm(role=role, confirmed_by=request.user)
        self.message_user(request, "Roles confirmed.", messages.SUCCESS)
