from django.urls import path

from groups import views

app_name = "groups"
urlpatterns = [
    path("", views.index, name="index"),
]
