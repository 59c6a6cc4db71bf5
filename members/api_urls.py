"""API routes for people and networks (under /api/v1/)."""

from django.urls import path

from members import apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
]
