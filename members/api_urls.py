"""API routes for people and networks (under /api/v1/)."""

from django.urls import path

from members import apis, profile_apis
from members.safeguarding import apis as safeguarding_apis

member = "networks/<slug:slug>/members/<int:user_id>/"

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("networks/", apis.NetworkListApi.as_view(), name="api-network-list"),
    path("networks/<slug:slug>/join/", apis.NetworkJoinApi.as_view(), name="api-network-join"),
    path("networks/<slug:slug>/settings/", apis.NetworkSettingsApi.as_view(), name="api-network-settings"),
    path("networks/<slug:slug>/announcements/", apis.AnnouncementListApi.as_view(), name="api-network-announcements"),
    path("networks/<slug:slug>/audit/", apis.AuditListApi.as_view(), name="api-network-audit"),
    path("networks/<slug:slug>/leave/", apis.NetworkLeaveApi.as_view(), name="api-network-leave"),
    path("networks/<slug:slug>/profile/", profile_apis.ProfileApi.as_view(), name="api-profile"),
    path(
        "networks/<slug:slug>/neighbourhoods/",
        apis.NetworkNeighbourhoodsApi.as_view(),
        name="api-network-neighbourhoods",
    ),
    path("networks/<slug:slug>/members/", apis.MemberListApi.as_view(), name="api-member-list"),
    path(member + "approve/", apis.MemberApproveApi.as_view(), name="api-member-approve"),
    path(member + "decline/", apis.MemberDeclineApi.as_view(), name="api-member-decline"),
    path(member + "suspend/", apis.MemberSuspendApi.as_view(), name="api-member-suspend"),
    path(member + "reinstate/", apis.MemberReinstateApi.as_view(), name="api-member-reinstate"),
    path(member + "role/", apis.MemberRoleApi.as_view(), name="api-member-role"),
    path(member + "supporters/", apis.SupportLinkApi.as_view(), name="api-support-link"),
    path(member + "supporters/<int:supporter_id>/", apis.SupportUnlinkApi.as_view(), name="api-support-unlink"),
    path(member + "checks/", safeguarding_apis.CheckListApi.as_view(), name="api-check-list"),
    path(member + "checks/<int:check_id>/", safeguarding_apis.CheckDetailApi.as_view(), name="api-check-detail"),
    path("networks/<slug:slug>/checks/due/", safeguarding_apis.ChecksDueApi.as_view(), name="api-checks-due"),
    path("concerns/", safeguarding_apis.ConcernListApi.as_view(), name="api-concern-list"),
    path("concerns/<int:concern_id>/close/", safeguarding_apis.ConcernCloseApi.as_view(), name="api-concern-close"),
    path("skills/", profile_apis.SkillListApi.as_view(), name="api-skill-list"),
]
