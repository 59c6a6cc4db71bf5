"""Template context for the layout: unread counts for the badges."""

from messaging.notifications.selectors import notifications_of
from messaging.selectors import unread_messages_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": notifications_of(user=user, unread=True).count(),
        "unread_messages": unread_messages_count(user=user),
    }
