"""API routes for your data (under /api/v1/)."""

from django.urls import path

from members.privacy import apis

urlpatterns = [
    path("me/export/", apis.MeExportApi.as_view(), name="api-me-export"),
    path("me/erase/", apis.MeEraseApi.as_view(), name="api-me-erase"),
    path("networks/<slug:slug>/members/<int:user_id>/erase/", apis.MemberEraseApi.as_view(), name="api-member-erase"),
]
