from django.contrib import admin, messages
from django.db import models
from django.utils.text import Truncator

from news import services
from news.models import ExternalFeed, FeedEntry


class FailingFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [("failing", "Failing now"), ("ok", "Working"), ("never", "Never read")]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            return queryset.filter(consecutive_failures__gt=0)
        if self.value() == "ok":
            return queryset.filter(consecutive_failures=0, last_success_at__isnull=False)
        if self.value() == "never":
            return queryset.filter(last_success_at__isnull=True)
        return queryset


@admin.register(ExternalFeed)
class ExternalFeedAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "__str__",
        "owner_name",
        "active",
        "last_success_at",
        "consecutive_failures",
        "short_error",
        "next_check_at",
    )
    list_filter = (FailingFilter, "active")
    search_fields = ("url", "title", "programme__name", "group__name", "last_error")
    list_select_related = ("programme", "group")
    raw_id_fields = ("programme", "group", "added_by")
    readonly_fields = (
        "etag",
        "last_modified",
        "last_checked_at",
        "last_success_at",
        "last_error",
        "consecutive_failures",
        "created",
    )
    fields = ("url", "title", "programme", "group", "active", "next_check_at", "added_by")
    fields += readonly_fields
    actions = ["poll_now"]

    @admin.display(description="programme or group")
    def owner_name(self, feed):
        owner = feed.owner
        kind = "programme" if feed.programme_id else "group"
        return f"{owner} ({kind})" if owner else "-"

    @admin.display(description="last error")
    def short_error(self, feed):
        return Truncator(feed.last_error).chars(80)

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset):
        count = services.feed_poll_soon(feeds=queryset.filter(active=True))
        self.message_user(
            request,
            f"{count} feed{'s' if count != 1 else ''} queued to be read now "
            "(inactive feeds are skipped).",
            messages.SUCCESS,
        )


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "feed", "published_at", "fetched_at")
    list_filter = ("feed",)
    search_fields = ("title", "guid", "link")
    list_select_related = ("feed",)
    date_hierarchy = "published_at"
    readonly_fields = (
        "feed",
        "guid",
        "title",
        "link",
        "summary_html",
        "published_at",
        "fetched_at",
    )

    def has_add_permission(self, request):
        return False
