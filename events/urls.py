from django.urls import path

from events import views
from events.feeds import UpcomingEventsFeed

app_name = "events"
urlpatterns = [
    path("", views.index, name="index"),
    path("past/", views.past, name="past"),
    path("feed/", UpcomingEventsFeed(), name="feed"),
    path("new/", views.create, name="create"),
    path("calendar.ics", views.site_calendar, name="site_calendar"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("my/<str:token>.ics", views.member_calendar, name="member_calendar"),
    path("<int:pk>/", views.detail, name="detail_short"),
    path("<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:pk>/rsvp/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path("<int:pk>/attendees/", views.attendees, name="attendees"),
    path("<int:pk>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path("<int:pk>/event.ics", views.event_calendar, name="ics"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    # Last: a slug could otherwise shadow the actions above.
    path("<int:pk>/<slug:slug>/", views.detail, name="detail"),
]
