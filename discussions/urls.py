from django.urls import path

from discussions import views
from discussions.feeds import DiscussionRepliesFeed, LatestDiscussionsFeed, TagDiscussionsFeed

app_name = "discussions"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("feed/", LatestDiscussionsFeed(), name="feed"),
    path("tags/<slug:tag_slug>/", views.index, name="tag"),
    path("tags/<slug:tag_slug>/feed/", TagDiscussionsFeed(), name="tag_feed"),
    path("<int:pk>/", views.detail, {"slug": ""}, name="detail_short"),
    path("<int:pk>/reply/", views.reply_create, name="reply_create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/moderate/", views.moderate, name="moderate"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/feed/", DiscussionRepliesFeed(), name="discussion_feed"),
    path("replies/<int:pk>/", views.reply_permalink, name="reply"),
    path("replies/<int:pk>/edit/", views.reply_edit, name="reply_edit"),
    path("replies/<int:pk>/delete/", views.reply_delete, name="reply_delete"),
    path("replies/<int:reply_pk>/report/", views.report, {"pk": None}, name="reply_report"),
    # Last: a slug could otherwise shadow the actions above.
    path("<int:pk>/<slug:slug>/", views.detail, name="detail"),
]
