from django.urls import path

from news import views
from news.feeds import NetworkNewsFeed

app_name = "news"
urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", NetworkNewsFeed(), name="feed"),
    path("groups/<slug:slug>/feeds/", views.group_feed_add, name="group_feed_add"),
    path("programmes/<slug:slug>/feeds/", views.programme_feed_add, name="programme_feed_add"),
    path("feeds/<int:pk>/remove/", views.feed_remove, name="feed_remove"),
]
