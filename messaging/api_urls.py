"""API routes for conversations, messages and notifications (under /api/v1/)."""

from django.urls import path

from messaging import (
    apis,
    converters,  # noqa: F401 - registers the <tb_id:> path converter
)

urlpatterns = [
    path("conversations/", apis.ConversationListApi.as_view(), name="api-conversation-list"),
    path("conversations/<tb_id:conversation_id>/", apis.ConversationDetailApi.as_view(), name="api-conversation"),
    path(
        "conversations/<tb_id:conversation_id>/messages/",
        apis.MessageListApi.as_view(),
        name="api-conversation-messages",
    ),
    path(
        "conversations/<tb_id:conversation_id>/read/", apis.ConversationReadApi.as_view(), name="api-conversation-read"
    ),
    path(
        "conversations/<tb_id:conversation_id>/access/",
        apis.ConversationAccessApi.as_view(),
        name="api-conversation-access",
    ),
    path("messages/<tb_id:message_id>/report/", apis.MessageReportApi.as_view(), name="api-message-report"),
    path("blocks/", apis.BlockListApi.as_view(), name="api-block-list"),
    path("blocks/<tb_id:block_id>/", apis.BlockDetailApi.as_view(), name="api-block"),
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notification-list"),
    path("me/preferences/", apis.PreferencesApi.as_view(), name="api-preferences"),
    path(
        "notifications/<tb_id:notification_id>/read/", apis.NotificationReadApi.as_view(), name="api-notification-read"
    ),
]
