from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
]
