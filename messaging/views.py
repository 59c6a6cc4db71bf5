"""Pages for conversations and notifications."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from messaging.models import Notification


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user).select_related("network")[:100]
    return render(request, "messaging/notification_list.html", {"notifications": notifications})
