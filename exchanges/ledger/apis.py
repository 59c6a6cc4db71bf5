"""REST endpoints of the ledger: accounts, statements, idempotent transfers, floor overrides."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.ledger.idempotency import idempotency_fingerprint, idempotent_answer
from exchanges.ledger.models import Transfer
from exchanges.ledger.moves import COORDINATOR_KINDS, transfer_request
from exchanges.ledger.selectors import (
    account_name,
    account_owner,
    accounts_visible,
    membership_in_reach,
    transfer_description,
    transfers_visible,
)
from exchanges.ledger.services import account_floor_set
from exchanges.limits import MAX_TRANSFER_MINUTES
from members.audit import REASON_MAX
from timebank.api import Pagination, exception_handler, paginated, query_valid
from timebank.errors import NotFound
from timebank.fields import Text
from timebank.ids import MAX_ID, is_id
from timebank.schema import IDEMPOTENCY_KEY_SCHEMA, OWNER_SCHEMA, PARTY_SCHEMA


@extend_schema_field(PARTY_SCHEMA)
class PartyField(serializers.Field):
    """A person's user id, or "pot"."""

    def to_internal_value(self, data):
        if data == "pot":
            return data
        if isinstance(data, (int, str)) and not isinstance(data, bool) and is_id(data):
            return int(data)
        raise serializers.ValidationError(_('Give a user id, or "pot".'))

    def to_representation(self, value):
        return value


class ListFilter(serializers.Serializer):
    network = serializers.SlugField(required=False, help_text="Only this network (by slug).")
    member = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="One member's (theirs, their supporter's or a coordinator's view).",
    )


class AccountOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = Text(source="network.slug")
    owner = serializers.SerializerMethodField()
    balance_minutes = serializers.IntegerField(source="balance")
    available_minutes = serializers.IntegerField(source="available")
    floor_minutes = serializers.SerializerMethodField()

    @extend_schema_field(OWNER_SCHEMA)
    def get_owner(self, account):
        return account_owner(account)

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="Null: no floor (the issuance account)."))
    def get_floor_minutes(self, account) -> int | None:
        return account.floor if account.has_floor else None


class AccountListApi(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=[ListFilter], responses=AccountOutput(many=True))
    def get(self, request):
        filters = query_valid(ListFilter, request)
        accounts = accounts_visible(
            user=request.user,
            network_slug=filters.get("network"),
            member_id=filters.get("member"),
        )
        return paginated(request, self, accounts, AccountOutput)


class AccountFloorApi(APIView):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "AccountFloorInput"

        floor_minutes = serializers.IntegerField(min_value=-1_000_000, max_value=0)
        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

        def to_internal_value(self, data):
            # A reason is words: DRF's CharField would take a number as its digits.
            if isinstance(data, dict) and "reason" in data and not isinstance(data["reason"], str):
                raise serializers.ValidationError({"reason": [_("Give the reason in words.")]})
            return super().to_internal_value(data)

    @extend_schema(request=Input, responses=AccountOutput)
    def post(self, request, account_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        account = accounts_visible(user=request.user).filter(pk=account_id).first()
        if account is None:
            raise NotFound(_("No such account."))
        account = account_floor_set(account=account, actor=request.user, **data.validated_data)
        return Response(AccountOutput(account).data)


class PartyOutput(serializers.Serializer):
    account = serializers.IntegerField(source="pk")
    owner = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()

    @extend_schema_field(OWNER_SCHEMA)
    def get_owner(self, account):
        return account_owner(account)

    def get_name(self, account) -> str:
        return account_name(account)


class TransferOutput(serializers.Serializer):
    id = serializers.IntegerField()
    network = Text(source="network.slug")
    kind = Text()
    minutes = serializers.IntegerField()
    to = PartyOutput(source="to_account")
    description = serializers.SerializerMethodField()
    memo = Text()
    reason = Text()
    exchange = serializers.IntegerField(source="exchange_id", allow_null=True)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_description(self, transfer) -> str:
        return transfer_description(transfer)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = PartyOutput(source="from_account")
        return fields

    def to_representation(self, transfer) -> dict:
        # The fields above, written out: every transfer answers through here, and copying and
        # walking ten declared fields per row cost more than the rest of the answer. A test keeps
        # this equal to what the declared fields give.
        return {
            "id": transfer.pk,
            "network": transfer.network.slug,
            "kind": str(transfer.kind),
            "minutes": transfer.minutes,
            "to": _party(transfer.to_account),
            "description": transfer_description(transfer),
            "memo": transfer.memo,
            "reason": transfer.reason,
            "exchange": transfer.exchange_id,
            "reverses": transfer.reverses_id,
            "created_by": transfer.created_by_id,
            "on_behalf_of": transfer.on_behalf_of_id,
            "created_at": _DATETIME.to_representation(transfer.created_at),
            "from": _party(transfer.from_account),
        }


_DATETIME = serializers.DateTimeField()


def _party(account) -> dict:
    return {"account": account.pk, "owner": account_owner(account), "name": account_name(account)}


def _transfer_shape(kind: str, **fields) -> serializers.Serializer:
    """One kind of transfer as TransferListCreateApi.Input and transfer_request take it, for the schema."""
    reason = {"reason": Text(max_length=500)} if kind in COORDINATOR_KINDS else {}
    return inline_serializer(
        f"Transfer{kind.title()}",
        {
            "network": serializers.SlugField(),
            "kind": serializers.ChoiceField(choices=[kind]),
            **fields,
            "memo": Text(required=False, allow_blank=True, max_length=200),
            **reason,
        },
    )


_MINUTES = serializers.IntegerField(min_value=1, max_value=1_000_000)
_USER_ID = serializers.IntegerField(min_value=1, max_value=MAX_ID)
_PAYER = {"from": serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)}
TRANSFER_SHAPES = PolymorphicProxySerializer(
    component_name="TransferCreate",
    resource_type_field_name="kind",
    serializers={
        "gift": _transfer_shape("gift", to_member=_USER_ID, minutes=_MINUTES, **_PAYER),
        "donation": _transfer_shape("donation", minutes=_MINUTES, **_PAYER),
        "grant": _transfer_shape("grant", to_member=_USER_ID, minutes=_MINUTES),
        "issue": _transfer_shape("issue", to_member=PartyField(required=False), minutes=_MINUTES),
        "adjustment": _transfer_shape("adjustment", to=PartyField(), minutes=_MINUTES, **{"from": PartyField()}),
        "reversal": _transfer_shape("reversal", transfer=serializers.IntegerField(min_value=1, max_value=MAX_ID)),
    },
)


class TransferListCreateApi(APIView):
    pagination_class = Pagination

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "TransferCreateInput"

        network = serializers.SlugField()
        kind = serializers.ChoiceField(choices=[k for k in Transfer.Kind.values if k != Transfer.Kind.EXCHANGE])
        minutes = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TRANSFER_MINUTES)
        to_member = PartyField(required=False, help_text='gift, grant, issue: a user id ("pot" for issue).')
        to = PartyField(required=False, help_text='adjustment: a user id or "pot".')
        memo = Text(required=False, allow_blank=True, max_length=200)
        reason = Text(required=False, allow_blank=True, max_length=REASON_MAX)
        transfer = serializers.IntegerField(required=False, min_value=1, help_text="reversal: the transfer to reverse.")

        def get_fields(self):
            fields = super().get_fields()
            # "from" is a Python keyword, so it is added by name.
            fields["from"] = PartyField(
                required=False,
                help_text="gift, donation: the paying member, when a supporter or coordinator gives for them; "
                'adjustment: a user id or "pot".',
            )
            return fields

        def validate(self, attrs):
            if attrs["kind"] != Transfer.Kind.REVERSAL and "minutes" not in attrs:
                raise serializers.ValidationError({"minutes": [_("This field is required.")]})
            return attrs

    @extend_schema(parameters=[ListFilter], responses=TransferOutput(many=True))
    def get(self, request):
        filters = query_valid(ListFilter, request)
        transfers = transfers_visible(
            user=request.user,
            network_slug=filters.get("network"),
            member_id=filters.get("member"),
        )
        return paginated(request, self, transfers, TransferOutput)

    @extend_schema(
        request=TRANSFER_SHAPES,
        responses={201: TransferOutput},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                IDEMPOTENCY_KEY_SCHEMA,
                OpenApiParameter.HEADER,
                required=True,
                description="Unique per request and caller; a replay gets the first answer and writes nothing.",
            )
        ],
        examples=[
            OpenApiExample(
                "gift", {"network": "demo", "kind": "gift", "to_member": 7, "minutes": 60, "memo": "Thanks"}
            ),
            OpenApiExample("donation", {"network": "demo", "kind": "donation", "minutes": 30}),
            OpenApiExample("grant", {"network": "demo", "kind": "grant", "to_member": 7, "minutes": 60, "reason": "…"}),
            OpenApiExample(
                "issue", {"network": "demo", "kind": "issue", "to_member": "pot", "minutes": 600, "reason": "…"}
            ),
            OpenApiExample(
                "adjustment",
                {"network": "demo", "kind": "adjustment", "from": 7, "to": "pot", "minutes": 15, "reason": "…"},
            ),
            OpenApiExample("reversal", {"network": "demo", "kind": "reversal", "transfer": 42, "reason": "…"}),
        ],
    )
    def post(self, request):
        return idempotent_post(self, request)

    def create(self, request) -> tuple[int, dict]:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        membership = membership_in_reach(user=request.user, slug=values.pop("network"))
        if values["kind"] == Transfer.Kind.ADJUSTMENT:
            values["to_member"] = values.pop("to", None)
        values.pop("to", None)
        values["from_member"] = values.pop("from", None)
        transfer = transfer_request(
            actor=request.user,
            network=membership.network,
            membership=membership,
            idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
            **values,
        )
        return 201, TransferOutput(transfer).data


def idempotent_post(view: APIView, request) -> Response:
    """A POST that needs an Idempotency-Key: the first answer for the key and body, or `view.create`'s
    (status, body) for a new one, refusals answered as the API's handler would (PRODUCT §4)."""
    status, body = idempotent_answer(
        user=request.user,
        key=request.headers.get("Idempotency-Key"),
        fingerprint=idempotency_fingerprint(method="POST", path=request.path, data=request.data),
        run=lambda: view.create(request),
        refusal=lambda exc: answer_of(exc, view),
    )
    return Response(body, status=status)


def answer_of(exc: Exception, view: APIView) -> tuple[int, dict] | None:
    """The error answer the API would give, so it can be stored and replayed."""
    response = exception_handler(exc, {"view": view})
    if response is None:
        return None
    return response.status_code, response.data
