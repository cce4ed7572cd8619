"""Discussions in the admin. Every change goes through the services, like on the site."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef

from discussions import services
from discussions.models import Discussion, Reply, Report, Revision


class ReportedFilter(admin.SimpleListFilter):
    title = "reported"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Has open reports"), ("no", "No open reports")]

    def queryset(self, request, queryset):
        open_reports = Report.objects.filter(discussion=OuterRef("pk"), status="open")
        if self.value() == "yes":
            return queryset.filter(Exists(open_reports))
        if self.value() == "no":
            return queryset.exclude(Exists(open_reports))
        return queryset


class ReplyInline(admin.TabularInline):
    model = Reply
    fields = ("position", "author", "body", "created", "edited_at", "removed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("position",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "author",
        "reply_count",
        "view_count",
        "pinned",
        "locked",
        "last_activity_at",
        "removed_at",
    )
    list_filter = ("pinned", "locked", ReportedFilter, "tags")
    search_fields = ("title", "body", "author__username", "author__display_name")
    list_select_related = ("author",)
    readonly_fields = (
        "author",
        "slug",
        "created",
        "last_activity_at",
        "edited_at",
        "removed_at",
        "reply_count",
        "view_count",
    )
    fields = ("title", "body", "tags", "pinned", "locked", *readonly_fields)
    inlines = [ReplyInline]
    actions = ["lock", "unlock", "pin", "unpin", "remove"]

    def save_model(self, request, obj, form, change):
        if not change:
            messages.error(request, "Start discussions on the site, not in the admin.")
            return
        services.discussion_edit(
            discussion=obj,
            editor=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        services.discussion_moderate(
            discussion=obj,
            moderator=request.user,
            locked=form.cleaned_data["locked"],
            pinned=form.cleaned_data["pinned"],
        )

    def has_add_permission(self, request):
        return False

    def _moderate(self, request, queryset, **flags):
        for discussion in queryset:
            services.discussion_moderate(discussion=discussion, moderator=request.user, **flags)

    @admin.action(description="Lock selected discussions")
    def lock(self, request, queryset):
        self._moderate(request, queryset, locked=True)

    @admin.action(description="Unlock selected discussions")
    def unlock(self, request, queryset):
        self._moderate(request, queryset, locked=False)

    @admin.action(description="Pin selected discussions")
    def pin(self, request, queryset):
        self._moderate(request, queryset, pinned=True)

    @admin.action(description="Unpin selected discussions")
    def unpin(self, request, queryset):
        self._moderate(request, queryset, pinned=False)

    @admin.action(description="Remove selected discussions")
    def remove(self, request, queryset):
        for discussion in queryset:
            services.discussion_remove(discussion=discussion, moderator=request.user)


class RevisionInline(admin.TabularInline):
    model = Revision
    fk_name = "reply"
    fields = ("created", "edited_by", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "created", "edited_at", "removed_at")
    list_filter = ("removed_at",)
    search_fields = ("body", "author__username", "discussion__title")
    list_select_related = ("author", "discussion")
    raw_id_fields = ("discussion", "in_reply_to", "quoted")
    readonly_fields = ("discussion", "author", "position", "created", "edited_at", "removed_at")
    fields = ("body", *readonly_fields)
    inlines = [RevisionInline]
    actions = ["remove"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.reply_edit(reply=obj, editor=request.user, body=form.cleaned_data["body"])

    @admin.action(description="Remove selected replies (leave a placeholder)")
    def remove(self, request, queryset):
        for reply in queryset:
            services.reply_remove(reply=reply, remover=request.user)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The moderation queue: open reports first, with actions to dismiss or remove."""

    list_display = ("__str__", "discussion", "reason", "reporter", "status", "created")
    list_filter = ("status",)
    search_fields = ("reason", "discussion__title", "reporter__username")
    list_select_related = ("discussion", "reporter")
    readonly_fields = (
        "reporter",
        "discussion",
        "reply",
        "reason",
        "status",
        "created",
        "handled_by",
        "handled_at",
    )
    actions = ["dismiss", "remove_content"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-status", "-created")

    def has_add_permission(self, request):
        return False

    @admin.action(description="Dismiss selected reports")
    def dismiss(self, request, queryset):
        for report in queryset:
            services.report_dismiss(report=report, moderator=request.user)
        self.message_user(request, f"{len(queryset)} report(s) dismissed.")

    @admin.action(description="Remove the reported content")
    def remove_content(self, request, queryset):
        for report in queryset.select_related("reply", "discussion"):
            services.report_remove_content(report=report, moderator=request.user)
        self.message_user(request, "Reported content removed.")
