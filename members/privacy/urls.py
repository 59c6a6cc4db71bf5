"""Pages for your data. Included before members.urls: its `members/<id>/<action>/` would take `erase/`."""

from django.urls import path

from members.privacy import views

urlpatterns = [
    path("me/data/", views.your_data, name="your-data"),
    path("me/data/export.json", views.your_data_export, name="your-data-export"),
    path("networks/<slug:slug>/members/<int:user_id>/erase/", views.member_erase, name="member-erase"),
]
