"""REST endpoints for conversations, messages, notifications, blocks and reports (PRODUCT §4)."""

import logging

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.audit import REASON_MAX
from members.selectors import network_in_reach
from messaging import moderation, selectors, services
from messaging.converters import MAX_ID
from messaging.models import Block
from messaging.notifications import selectors as notification_selectors
from messaging.notifications import services as notification_services
from messaging.notifications.kinds import PUSH_GROUPS
from timebank.api import Pagination, paginated, query_valid
from timebank.fields import Text
from timebank.throttling import FailOpenUserThrottle

logger = logging.getLogger(__name__)


class MessagingApi(APIView):
    throttle_classes = [FailOpenUserThrottle]


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = Text(source="name")


class ConversationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = Text(source="network.slug")
    kind = Text()
    exchange = serializers.IntegerField(source="exchange_id", allow_null=True)
    participants = serializers.SerializerMethodField()
    last_seq = serializers.IntegerField()
    last_read_seq = serializers.IntegerField(default=None)
    unread = serializers.IntegerField(default=None)
    last_message_at = serializers.DateTimeField(allow_null=True)

    def get_participants(self, conversation) -> list[dict]:
        return PersonOutput([p.user for p in conversation.participants.all()], many=True).data


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField(source="conversation_id")
    seq = serializers.IntegerField()
    sender = serializers.IntegerField(source="sender_id")
    body = Text()
    client_id = Text()
    created_at = serializers.DateTimeField()


class ConversationListApi(MessagingApi):
    pagination_class = Pagination

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ConversationListInput"

        network = serializers.SlugField(required=False)
        member = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        exchange = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

        def validate(self, attrs):
            direct = "network" in attrs and "member" in attrs
            if direct == ("exchange" in attrs):
                raise serializers.ValidationError(_('Send {"network", "member"} or {"exchange"}.'))
            return attrs

    class Filter(serializers.Serializer):
        class Meta:
            ref_name = "ConversationListFilter"

        network = serializers.SlugField(required=False, help_text="Only this network (slug).")

    @extend_schema(operation_id="conversations_list", parameters=[Filter], responses=ConversationOutput(many=True))
    def get(self, request):
        slug = query_valid(self.Filter, request).get("network")
        network = network_in_reach(user=request.user, slug=slug) if slug else None
        return paginated(
            request, self, selectors.conversations_of(user=request.user, network=network), ConversationOutput
        )

    # What Input accepts, for the schema: one shape or the other, never both.
    Opening = PolymorphicProxySerializer(
        component_name="ConversationOpen",
        resource_type_field_name=None,
        serializers=[
            inline_serializer(
                "ConversationDirectOpen",
                {
                    "network": serializers.SlugField(),
                    "member": serializers.IntegerField(min_value=1, max_value=MAX_ID),
                },
            ),
            inline_serializer(
                "ConversationExchangeOpen", {"exchange": serializers.IntegerField(min_value=1, max_value=MAX_ID)}
            ),
        ],
    )

    @extend_schema(request=Opening, responses={200: ConversationOutput, 201: ConversationOutput})
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        if "exchange" in data.validated_data:
            conversation, created = services.conversation_exchange_open(
                exchange_id=data.validated_data["exchange"], user=request.user
            )
        else:
            network = network_in_reach(user=request.user, slug=data.validated_data["network"])
            conversation, created = services.conversation_direct_open(
                network=network, user=request.user, other_id=data.validated_data["member"]
            )
        conversation = selectors.conversation_of(user=request.user, conversation_id=conversation.pk)
        return Response(ConversationOutput(conversation).data, status=201 if created else 200)


class ConversationDetailApi(MessagingApi):
    @extend_schema(responses=ConversationOutput)
    def get(self, request, conversation_id: int):
        conversation = selectors.conversation_of(user=request.user, conversation_id=conversation_id)
        return Response(ConversationOutput(conversation).data)


class MessageListApi(MessagingApi):
    pagination_class = Pagination

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "MessageListInput"

        body = Text(max_length=services.MAX_BODY, trim_whitespace=True)
        client_id = Text(max_length=services.MAX_CLIENT_ID, required=False, allow_blank=True, default="")

    class Filter(serializers.Serializer):
        class Meta:
            ref_name = "MessageListFilter"

        after = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False, default=0)

    @extend_schema(operation_id="conversation_messages_list", parameters=[Filter], responses=MessageOutput(many=True))
    def get(self, request, conversation_id: int):
        conversation = selectors.conversation_readable(user=request.user, conversation_id=conversation_id)
        after = query_valid(self.Filter, request)["after"]
        messages = selectors.messages_after(conversation=conversation, after=after)
        return paginated(request, self, messages, MessageOutput)

    @extend_schema(request=Input, responses={200: MessageOutput, 201: MessageOutput})
    def post(self, request, conversation_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = services.message_send(
            conversation=conversation_id, sender=request.user, **data.validated_data
        )
        return Response(MessageOutput(message).data, status=201 if created else 200)


class ConversationReadApi(MessagingApi):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ConversationReadInput"

        seq = serializers.IntegerField(min_value=0, max_value=MAX_ID)

    @extend_schema(request=Input, responses=OpenApiTypes.OBJECT)
    def post(self, request, conversation_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        seq = services.message_read(conversation=conversation_id, user=request.user, seq=data.validated_data["seq"])
        return Response({"conversation": conversation_id, "last_read_seq": seq})


class ConversationAccessApi(MessagingApi):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ConversationAccessInput"

        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, conversation_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        access = moderation.conversation_access_open(
            conversation_id=conversation_id, coordinator=request.user, reason=data.validated_data["reason"]
        )
        return Response(
            {"conversation": conversation_id, "reason": access.reason, "created_at": access.created_at}, status=201
        )


class MessageReportApi(MessagingApi):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "MessageReportInput"

        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, message_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        report = moderation.message_report(
            message_id=message_id, reporter=request.user, reason=data.validated_data["reason"]
        )
        return Response({"id": report.pk, "message": message_id, "reason": report.reason}, status=201)


class BlockOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = Text(source="network.slug")
    member = serializers.IntegerField(source="blocked_id")
    created_at = serializers.DateTimeField()


class BlockListApi(MessagingApi):
    pagination_class = Pagination

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BlockListInput"

        network = serializers.SlugField()
        member = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(operation_id="blocks_list", responses=BlockOutput(many=True))
    def get(self, request):
        blocks = Block.objects.filter(blocker=request.user).select_related("network").order_by("-created_at")
        return paginated(request, self, blocks, BlockOutput)

    @extend_schema(request=Input, responses={201: BlockOutput})
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        network = network_in_reach(user=request.user, slug=data.validated_data["network"])
        block = moderation.block_create(network=network, blocker=request.user, blocked_id=data.validated_data["member"])
        return Response(BlockOutput(block).data, status=201)


class BlockDetailApi(MessagingApi):
    @extend_schema(responses={204: None})
    def delete(self, request, block_id: int):
        block = get_object_or_404(Block, pk=block_id, blocker=request.user)
        moderation.block_delete(network=block.network, blocker=request.user, blocked_id=block.blocked_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationOutput(serializers.Serializer):
    """notification_serialize's shape, for the schema (it renders the body, as the socket does)."""

    id = serializers.IntegerField()
    network = serializers.SlugField(allow_null=True)
    kind = Text()
    text = Text()
    url = Text()
    data = serializers.DictField()
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()
    for_member = PersonOutput(allow_null=True, help_text="The supported member it is about (null: your own).")

    def to_representation(self, instance):
        return notification_services.notification_serialize(instance, language=self.context.get("language"))


class NotificationListApi(MessagingApi):
    pagination_class = Pagination

    class Filter(serializers.Serializer):
        class Meta:
            ref_name = "NotificationListFilter"

        network = serializers.SlugField(required=False, help_text="Only this network (slug).")
        unread = serializers.BooleanField(default=False)
        member = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_ID,
            help_text="A member you support (or, as a coordinator, a supported member): their notifications.",
        )

    @extend_schema(parameters=[Filter], responses=NotificationOutput(many=True))
    def get(self, request):
        filters = query_valid(self.Filter, request)
        slug, unread, member_id = filters.get("network"), filters["unread"], filters.get("member")
        network = network_in_reach(user=request.user, slug=slug) if slug else None
        if member_id is not None:
            notifications = notification_selectors.notifications_of_member(
                actor=request.user, member_id=member_id, network=network, unread=unread
            )
        else:
            notifications = notification_selectors.notifications_of(user=request.user, network=network, unread=unread)
        language = notification_selectors.language_of(user_id=request.user.pk)
        return paginated(request, self, notifications, NotificationOutput, language=language)


class NotificationReadApi(MessagingApi):
    class Filter(serializers.Serializer):
        class Meta:
            ref_name = "NotificationReadFilter"

        member = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_ID, help_text="The member it belongs to, when not you."
        )

    @extend_schema(parameters=[Filter], request=None, responses=NotificationOutput)
    def post(self, request, notification_id: int):
        member_id = query_valid(self.Filter, request).get("member")
        notification = notification_services.notification_read(
            notification_id=notification_id, user=request.user, member_id=member_id
        )
        language = notification_selectors.language_of(user_id=request.user.pk)
        return Response(notification_services.notification_serialize(notification, language=language))


# One true-or-false per group of `kinds.PUSH_GROUPS`, described by its words in the schema.
PushGroupsSerializer = type(
    "PushGroupsSerializer",
    (serializers.Serializer,),
    {group: serializers.BooleanField(required=False, help_text=str(label)) for group, label in PUSH_GROUPS.items()},
)


class PreferencesSerializer(serializers.Serializer):
    """PRODUCT §4 `me/preferences`: the language you read in, and how you like to hear of things."""

    language = serializers.ChoiceField(choices=["en-gb", "cy"])
    push = serializers.BooleanField()
    email_digest = serializers.ChoiceField(choices=["daily", "weekly", "off"])
    sms = serializers.BooleanField()
    push_groups = PushGroupsSerializer(
        help_text="Which groups of notifications are pushed to your phones (each true or false); a group "
        "switched off is still kept and shown in the app. A PATCH changes only the groups it names."
    )

    # DRF's BooleanField takes 0, 1 and "yes" too; the schema says true or false, so only those are taken.
    def validate(self, attrs):
        for name in ("push", "sms"):
            if name in self.initial_data and not isinstance(self.initial_data[name], bool):
                raise serializers.ValidationError({name: [_("Say true or false.")]})
        if "push_groups" in self.initial_data:
            # As sent: the service refuses a group it does not know, or anything but true or false.
            attrs["push_groups"] = self.initial_data["push_groups"]
        return attrs


class PreferencesApi(MessagingApi):
    @extend_schema(operation_id="me_preferences_retrieve", responses=PreferencesSerializer)
    def get(self, request):
        return Response(notification_services.preferences_get(user=request.user))

    @extend_schema(
        operation_id="me_preferences_update",
        request=PreferencesSerializer(partial=True),
        responses=PreferencesSerializer,
    )
    def patch(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(_("Send a JSON object with the preferences to change."))
        unknown = set(request.data) - set(PreferencesSerializer().fields)
        if unknown:
            raise serializers.ValidationError({name: ["There is no such preference."] for name in sorted(unknown)})
        data = PreferencesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(notification_services.preferences_set(user=request.user, **data.validated_data))
