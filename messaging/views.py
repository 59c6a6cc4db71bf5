"""Pages for conversations and notifications: plain forms that post and reload, live with JavaScript."""

import uuid

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.selectors import network_in_reach
from messaging import moderation, selectors, services
from messaging.converters import parse_id
from messaging.models import Block, Message
from messaging.notifications import selectors as notification_selectors
from messaging.notifications import services as notification_services
from messaging.notifications.forms import PreferencesForm
from timebank.ids import is_id
from timebank.pages import back_path, page, refusal_shown

PAGE_MESSAGES = 100


@page
def conversation_list(request):
    conversations = list(selectors.conversations_of(user=request.user)[:200])
    for conversation in conversations:
        conversation.others = [p.user for p in conversation.participants.all() if p.user_id != request.user.pk]
    return render(request, "messaging/conversation_list.html", {"conversations": conversations})


@page
@require_POST
def conversation_start(request):
    """Open (or find) a conversation: with a member (`network`, `member`), e.g. from their profile's
    "Message" button, or about an exchange (`exchange`) from the exchange's page."""
    try:
        exchange_id = parse_id(request.POST["exchange"]) if request.POST.get("exchange") else None
        other_id = None if exchange_id else parse_id(request.POST.get("member", ""))
    except ValueError:
        flash.error(request, _("Choose a member to message."))
        return redirect("conversation-list")
    with refusal_shown(request):
        if exchange_id:
            conversation, _created = services.conversation_exchange_open(exchange_id=exchange_id, user=request.user)
        else:
            network = network_in_reach(user=request.user, slug=request.POST.get("network", ""))
            conversation, _created = services.conversation_direct_open(
                network=network, user=request.user, other_id=other_id
            )
        return redirect("conversation-detail", conversation_id=conversation.pk)
    return redirect("conversation-list")


@page
def conversation_detail(request, conversation_id: int):
    conversation = selectors.conversation_readable(user=request.user, conversation_id=conversation_id)
    participants = [p.user for p in conversation.participants.select_related("user")]
    is_participant = any(u.pk == request.user.pk for u in participants)
    if request.method == "POST" and is_participant:
        with refusal_shown(request):
            services.message_send(
                conversation=conversation.pk,
                sender=request.user,
                body=request.POST.get("body", ""),
                client_id=request.POST.get("client_id", "")[:64],
            )
        return redirect("conversation-detail", conversation_id=conversation.pk)
    total = conversation.last_seq
    recent = selectors.messages_after(conversation=conversation, after=max(0, total - PAGE_MESSAGES))
    chat_messages = list(recent.select_related("sender"))
    if is_participant and total:
        services.message_read(conversation=conversation.pk, user=request.user, seq=total)
    others = [u for u in participants if u.pk != request.user.pk]
    blocked_ids = set(
        Block.objects.filter(network=conversation.network, blocker=request.user).values_list("blocked_id", flat=True)
    )
    context = {
        "conversation": conversation,
        "chat_messages": chat_messages,
        "others": others,
        "is_participant": is_participant,
        "blocked_ids": blocked_ids,
        "client_id": uuid.uuid4().hex,
    }
    return render(request, "messaging/conversation_detail.html", context)


@page
def block_toggle(request, conversation_id: int):
    """Block or unblock the other person: a page that asks first (GET), then does it (POST)."""
    conversation = selectors.conversation_of(user=request.user, conversation_id=conversation_id)
    try:
        other_id = parse_id(request.POST.get("member", "") or request.GET.get("member", ""))
    except ValueError:
        flash.error(request, _("Choose a member."))
        return redirect("conversation-detail", conversation_id=conversation_id)
    if request.method != "POST":
        other = next((p.user for p in conversation.participants.select_related("user") if p.user_id == other_id), None)
        if other is None or other.pk == request.user.pk:
            raise Http404
        blocked = Block.objects.filter(network=conversation.network, blocker=request.user, blocked=other).exists()
        context = {"conversation": conversation, "other": other, "blocked": blocked}
        return render(request, "messaging/block_confirm.html", context)
    with refusal_shown(request):
        if request.POST.get("action") == "unblock":
            moderation.block_delete(network=conversation.network, blocker=request.user, blocked_id=other_id)
            flash.success(request, _("Unblocked."))
        else:
            moderation.block_create(network=conversation.network, blocker=request.user, blocked_id=other_id)
            flash.success(request, _("Blocked. Neither of you can send new messages here."))
    return redirect("conversation-detail", conversation_id=conversation_id)


@page
def message_report(request, message_id: int):
    message = Message.objects.filter(pk=message_id, conversation__participants__user=request.user).first()
    if message is None:
        raise Http404 from None
    if request.method == "POST":
        with refusal_shown(request):
            moderation.message_report(
                message_id=message.pk, reporter=request.user, reason=request.POST.get("reason", "")
            )
            flash.success(request, _("Thank you. A coordinator will look at this message."))
            return redirect("conversation-detail", conversation_id=message.conversation_id)
    return render(request, "messaging/message_report.html", {"message": message})


@page
def conversation_access(request, conversation_id: int):
    """A coordinator asks to read a reported conversation, giving a reason."""
    if request.method == "POST":
        with refusal_shown(request):
            moderation.conversation_access_open(
                conversation_id=conversation_id, coordinator=request.user, reason=request.POST.get("reason", "")
            )
            return redirect("conversation-detail", conversation_id=conversation_id)
        return redirect("conversation-access", conversation_id=conversation_id)
    moderation.conversation_for_access(conversation_id=conversation_id, coordinator=request.user)
    return render(request, "messaging/conversation_access.html", {"conversation_id": conversation_id})


@page
def notification_list(request):
    slug = request.GET.get("network")
    network = network_in_reach(user=request.user, slug=slug) if slug else None
    member_id = request.GET.get("member", "")
    member = None
    if is_id(member_id) and int(member_id) != request.user.pk:
        # A supporter (or a coordinator, for a supported member) reads a member's notifications, with them.
        notifications = notification_selectors.notifications_of_member(
            actor=request.user, member_id=int(member_id), network=network
        )
        member = notification_selectors.member_of_notifications(member_id=int(member_id))
    else:
        notifications = notification_selectors.notifications_of(user=request.user, network=network)
    preferences = notification_services.preferences_get(user=request.user)
    context = {
        "member": member,
        "notifications": notifications[:100],
        "preferences_form": PreferencesForm(initial=preferences),
    }
    return render(request, "messaging/notification_list.html", context)


@page
@require_POST
def notification_read(request, notification_id: int):
    """Mark read one of yours, or (a supporter, or a coordinator with a supported member) one of theirs."""
    notification = notification_services.notification_read(notification_id=notification_id, user=request.user)
    if request.POST.get("open") and notification.url.startswith("/"):
        return redirect(notification.url)
    # Back to the list it was marked on: a supporter's reading of their member's stays theirs.
    return redirect(back_path(request, reverse("notification-list")))


@page
@require_POST
def notification_preferences(request):
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Choose one of the options given."))
        return redirect("notification-list")
    with refusal_shown(request):
        notification_services.preferences_set(user=request.user, **form.cleaned_data)
        flash.success(request, _("Saved."))
    return redirect("notification-list")


@page
@require_POST
def notification_read_all(request):
    notification_services.notification_read_all(user=request.user)
    return redirect("notification-list")
