"""Template context for the layout: unread counts for the badges."""

from messaging.notifications.models import Notification
from messaging.selectors import unread_messages_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        "unread_messages": unread_messages_count(user=user),
    }
