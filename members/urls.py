from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_download, name="my_data_download"),
    path("me/delete/", views.delete_account, name="delete_account"),
    path("<str:username>/", views.detail, name="detail"),
]
