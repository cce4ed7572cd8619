from django.contrib import admin

from groups.models import Group, Membership
from socialbysocial.markdown import render_markdown


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "group"
    fields = ("member", "role", "state", "created")
    readonly_fields = ("member", "role", "state", "created")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Memberships change on the site (where the last-organiser rule is kept), not here."""

    list_display = ("name", "kind", "member_count", "last_activity_at", "created")
    list_filter = ("kind",)
    search_fields = ("name", "description")
    readonly_fields = ("slug", "member_count", "created_by", "created", "last_activity_at")
    fields = ("name", "kind", "description", *readonly_fields)
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        obj.description_html = render_markdown(obj.description)
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("member", "group", "role", "state", "created")
    list_filter = ("role", "state", "group")
    search_fields = ("member__username", "member__display_name", "group__name")
    list_select_related = ("member", "group")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
