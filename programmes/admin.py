from django.contrib import admin

from programmes.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "summary")
    search_fields = ("name", "summary")
    prepopulated_fields = {"slug": ("name",)}
