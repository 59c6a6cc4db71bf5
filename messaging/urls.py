"""Pages for conversations and notifications."""

from django.urls import path

from messaging import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
]
