from django.conf import settings
from django.contrib import admin
from django.contrib.flatpages import views as flatpage_views
from django.urls import include, path

from discussions import views as discussion_views
from discussions.feeds import DiscussionRepliesFeed, LatestDiscussionsFeed
from programmes import views as programme_views
from socialbysocial import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("feeds/", views.feeds, name="feeds"),
    # A member's private feeds: what they may read, closed and private groups included.
    path(
        "feeds/private/<str:token>/discussions/",
        LatestDiscussionsFeed(),
        name="private_discussions_feed",
    ),
    path(
        "feeds/private/<str:token>/discussions/<int:pk>/",
        DiscussionRepliesFeed(),
        name="private_discussion_feed",
    ),
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
    path("", include("subscriptions.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "socialbysocial.views.server_error"

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME
