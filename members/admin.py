from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from members.models import User
from socialbysocial.markdown import render_markdown


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "organisation", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email", "organisation")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "organisation",
                    "role_title",
                    "location",
                    "bio",
                    "terms_accepted_at",
                )
            },
        ),
    )
    readonly_fields = ("terms_accepted_at",)

    def save_model(self, request, obj, form, change):
        obj.bio_html = render_markdown(obj.bio)
        super().save_model(request, obj, form, change)
