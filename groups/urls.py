from django.urls import path

from groups import views
from groups.feeds import GroupDiscussionsFeed

app_name = "groups"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path(
        "<slug:slug>/requests/<int:membership_id>/approve/",
        views.decide,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "<slug:slug>/requests/<int:membership_id>/decline/",
        views.decide,
        {"decision": "decline"},
        name="decline",
    ),
    path("<slug:slug>/invite/", views.invite, name="invite"),
    path("<slug:slug>/members/<int:membership_id>/role/", views.set_role, name="set_role"),
    path("<slug:slug>/members/<int:membership_id>/remove/", views.remove, name="remove"),
    path("<slug:slug>/feed/", GroupDiscussionsFeed(), name="feed"),
    path("<slug:slug>/feed/<str:token>/", GroupDiscussionsFeed(), name="member_feed"),
]
