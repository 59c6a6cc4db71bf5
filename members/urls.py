"""Pages for people and networks."""

from django.urls import path

from members import views
from members.safeguarding import views as safeguarding_views

urlpatterns = [
    path("networks/", views.network_list, name="network-list"),
    path("networks/<slug:slug>/join/", views.network_join, name="network-join"),
    path("networks/<slug:slug>/leave/", views.network_leave, name="network-leave"),
    path("networks/<slug:slug>/profile/", views.profile_edit, name="profile-edit"),
    path("networks/<slug:slug>/settings/", views.network_settings, name="network-settings"),
    path("networks/<slug:slug>/announcements/", views.announcement_list, name="announcement-list"),
    path("networks/<slug:slug>/audit/", views.network_audit, name="network-audit"),
    path("networks/<slug:slug>/queue/", views.membership_queue, name="membership-queue"),
    path("networks/<slug:slug>/neighbourhoods/", views.network_neighbourhoods, name="network-neighbourhoods"),
    path("networks/<slug:slug>/members/", views.member_list, name="member-list"),
    path("networks/<slug:slug>/members/new/", views.supported_member_create, name="supported-member-create"),
    path("networks/<slug:slug>/members/<int:user_id>/manage/", views.membership_manage, name="membership-manage"),
    path(
        "networks/<slug:slug>/members/<int:user_id>/<slug:action>/",
        views.membership_action,
        name="membership-action",
    ),
    path(
        "networks/<slug:slug>/members/<int:user_id>/checks/new/", safeguarding_views.check_create, name="check-create"
    ),
    path("networks/<slug:slug>/concerns/new/", safeguarding_views.concern_create, name="concern-create"),
    path("concerns/", safeguarding_views.concern_list, name="concern-list"),
    path("concerns/<int:concern_id>/close/", safeguarding_views.concern_close, name="concern-close"),
]
