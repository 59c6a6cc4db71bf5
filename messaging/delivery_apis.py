"""REST endpoints for reaching phones (PRODUCT §4): Web Push's key and subscriptions, and the SMS provider's
inbound webhook."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.notifications import services as notification_services
from messaging.services import sms as sms_services
from timebank.fields import Text
from timebank.throttling import FailOpenUserThrottle

# base64url of a 65-byte uncompressed P-256 point (its first byte 0x04) and of a 16-byte secret, with or
# without padding; the service checks the point is on the curve.
P256DH_PATTERN = "^B[A-P][A-Za-z0-9_-]{85}=?$"
AUTH_PATTERN = "^[A-Za-z0-9_-]{21}[AQgw](==)?$"


class PushKeyApi(APIView):
    throttle_classes = [FailOpenUserThrottle]

    @extend_schema(
        operation_id="push_key",
        responses=inline_serializer("PushKeyOutput", {"public_key": Text()}),
    )
    def get(self, request):
        return Response({"public_key": notification_services.push_public_key()})


class PushSubscriptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    endpoint = Text()
    created_at = serializers.DateTimeField()


class PushSubscriptionKeys(serializers.Serializer):
    p256dh = serializers.RegexField(P256DH_PATTERN, min_length=87, max_length=88)
    auth = serializers.RegexField(AUTH_PATTERN, min_length=22, max_length=24)


class PushSubscriptionListApi(APIView):
    throttle_classes = [FailOpenUserThrottle]

    class Input(serializers.Serializer):
        """A browser's PushSubscription, as `JSON.stringify(subscription)` gives it."""

        class Meta:
            ref_name = "PushSubscriptionInput"

        endpoint = serializers.URLField(max_length=1000)
        keys = PushSubscriptionKeys()
        expirationTime = serializers.IntegerField(required=False, allow_null=True)  # noqa: N815 - the browser's name

    @extend_schema(operation_id="push_subscriptions_create", request=Input, responses={201: PushSubscriptionOutput})
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        subscription = notification_services.push_subscription_create(
            user=request.user, endpoint=values["endpoint"], p256dh=values["keys"]["p256dh"], auth=values["keys"]["auth"]
        )
        return Response(PushSubscriptionOutput(subscription).data, status=status.HTTP_201_CREATED)


class PushSubscriptionDetailApi(APIView):
    throttle_classes = [FailOpenUserThrottle]

    @extend_schema(operation_id="push_subscriptions_destroy", responses={204: None})
    def delete(self, request, subscription_id: int):
        notification_services.push_subscription_delete(user=request.user, subscription_id=subscription_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


SIGNATURE_HEADER = "X-Timebank-Signature"
TIMESTAMP_HEADER = "X-Timebank-Timestamp"


class SmsInboundApi(APIView):
    """The SMS provider posts each message people send to the time bank's number here."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "SmsInboundInput"

        # `from` is a Python keyword: the field is declared below under its JSON name.
        text = Text(max_length=480, allow_blank=True, trim_whitespace=False)

    Input._declared_fields["from"] = Text(max_length=30)

    @extend_schema(
        operation_id="sms_inbound",
        auth=[],
        request=Input,
        responses=inline_serializer("SmsInboundOutput", {"reply": Text()}),
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                location=OpenApiParameter.HEADER,
                required=True,
                description=(
                    f"Hex HMAC-SHA256 under the shared secret of the {TIMESTAMP_HEADER} value, a dot and the raw "
                    "body (`sha256=` in front allowed). The same signed message delivered again is answered with "
                    "the first reply and acts on nothing."
                ),
            ),
            OpenApiParameter(
                TIMESTAMP_HEADER,
                location=OpenApiParameter.HEADER,
                required=True,
                description=(
                    "When the provider signed the message, in unix seconds; refused more than "
                    f"{sms_services.SIGNATURE_TOLERANCE_SECONDS} seconds from the server's clock either way."
                ),
            ),
        ],
    )
    def post(self, request):
        signature = sms_services.sms_signature_check(
            body=request.body,
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        )
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        reply = sms_services.sms_inbound(phone=values["from"], text=values["text"], signature=signature)
        return Response({"reply": reply})
