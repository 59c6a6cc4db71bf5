"""API routes for conversations, messages and notifications (under /api/v1/)."""

from django.urls import path

from messaging import apis

urlpatterns = [
    path("conversations/", apis.ConversationListApi.as_view(), name="api-conversation-list"),
    path("conversations/<int:conversation_id>/", apis.ConversationDetailApi.as_view(), name="api-conversation"),
    path(
        "conversations/<int:conversation_id>/messages/", apis.MessageListApi.as_view(), name="api-conversation-messages"
    ),
    path("conversations/<int:conversation_id>/read/", apis.ConversationReadApi.as_view(), name="api-conversation-read"),
    path(
        "conversations/<int:conversation_id>/access/",
        apis.ConversationAccessApi.as_view(),
        name="api-conversation-access",
    ),
    path("messages/<int:message_id>/report/", apis.MessageReportApi.as_view(), name="api-message-report"),
    path("blocks/", apis.BlockListApi.as_view(), name="api-block-list"),
    path("blocks/<int:block_id>/", apis.BlockDetailApi.as_view(), name="api-block"),
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notification-list"),
    path("notifications/<int:notification_id>/read/", apis.NotificationReadApi.as_view(), name="api-notification-read"),
]
