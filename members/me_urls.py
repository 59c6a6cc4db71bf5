"""The Me page, the language switch and a new person's welcome."""

from django.urls import path

from members import me_views

urlpatterns = [
    path("me/", me_views.me, name="me"),
    path("language/", me_views.language_switch, name="language-switch"),
    path("welcome/", me_views.welcome, name="welcome"),
]
