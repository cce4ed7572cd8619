from django.conf import settings
from django.contrib import admin
from django.contrib.flatpages import views as flatpage_views
from django.urls import include, path

from discussions import views as discussion_views
from programmes import views as programme_views
from socialbysocial import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("feeds/", views.feeds, name="feeds"),
    path("terms/", flatpage_views.flatpage, {"url": "/terms/"}, name="terms"),
    path("about/", flatpage_views.flatpage, {"url": "/about/"}, name="about"),
    path(
        "report-an-issue/",
        flatpage_views.flatpage,
        {"url": "/report-an-issue/"},
        name="report_an_issue",
    ),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("discussions/", include("discussions.urls")),
    path("search/", discussion_views.search, name="search"),
    path("events/", include("events.urls")),
    path("groups/", include("groups.urls")),
    path("programmes/", include("programmes.urls")),
    path("news/", include("news.urls")),
    path("programmes.csv", programme_views.export_csv, name="programmes_csv"),
    path("programmes.json", programme_views.export_json, name="programmes_json"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME
