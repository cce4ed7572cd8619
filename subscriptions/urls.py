from django.urls import path

from subscriptions import views

app_name = "subscriptions"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("members/me/notifications/", views.preferences, name="preferences"),
    path("follow/<str:kind>/<str:key>/", views.follow, name="follow"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribe/events/", views.subscribe, {"kind": "events"}, name="subscribe_events"),
    path("subscribe/<str:kind>/<str:key>/", views.subscribe, name="subscribe"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
