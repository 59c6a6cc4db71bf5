"""Pages for conversations and notifications."""

from django.urls import path

from messaging import (
    converters,  # noqa: F401 - registers the <tb_id:> path converter
    views,
)

urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation-list"),
    path("conversations/start/", views.conversation_start, name="conversation-start"),
    path("conversations/<tb_id:conversation_id>/", views.conversation_detail, name="conversation-detail"),
    path("conversations/<tb_id:conversation_id>/block/", views.block_toggle, name="conversation-block"),
    path("conversations/<tb_id:conversation_id>/access/", views.conversation_access, name="conversation-access"),
    path("messages/<tb_id:message_id>/report/", views.message_report, name="message-report"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", views.notification_preferences, name="notification-preferences"),
    path("notifications/<tb_id:notification_id>/read/", views.notification_read, name="notification-read"),
]
