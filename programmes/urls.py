from django.urls import path

from programmes import views
from programmes.feeds import ProgrammesFeed

app_name = "programmes"
urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", ProgrammesFeed(), name="feed"),
    path("map/", views.programme_map, name="map"),
    path("overlaps/", views.overlaps, name="overlaps"),
    path("suggest/", views.suggest, name="suggest"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("roles/<int:pk>/confirm/", views.role_confirm, name="role_confirm"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("<slug:slug>/claim/", views.claim, name="claim"),
    # Last: a programme's slug could otherwise shadow the pages above (services reserve them).
    path("<slug:slug>/", views.detail, name="detail"),
]
