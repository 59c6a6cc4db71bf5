"""REST endpoints for your data: export it, erase your account, a coordinator erasing a supported member."""

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members import selectors as members_selectors
from members.audit import REASON_MAX
from members.privacy import selectors, services
from timebank.fields import Text


class PersonOutput(serializers.Serializer):
    class Meta:
        ref_name = "ExportPerson"

    id = serializers.IntegerField()
    email = serializers.EmailField(allow_null=True)
    display_name = Text()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class ExportOutput(serializers.Serializer):
    """Everything the product holds about you. Other people appear only as {"id", "display_name"}."""

    class Meta:
        ref_name = "PersonalDataExport"

    exported_at = serializers.DateTimeField()
    person = PersonOutput()
    preferences = serializers.DictField()
    memberships = serializers.ListField(child=serializers.DictField())
    statement = serializers.ListField(child=serializers.DictField())
    listings = serializers.ListField(child=serializers.DictField())
    exchanges = serializers.ListField(child=serializers.DictField())
    messages_sent = serializers.ListField(child=serializers.DictField())
    notifications = serializers.ListField(child=serializers.DictField())
    wellbeing = serializers.ListField(child=serializers.DictField())
    concerns_raised = serializers.ListField(child=serializers.DictField())
    blocks = serializers.ListField(child=serializers.DictField())
    audit_events = serializers.ListField(child=serializers.DictField())


class ErasureOutput(serializers.Serializer):
    class Meta:
        ref_name = "ErasureOutput"

    id = serializers.IntegerField(source="user_id")
    display_name = Text(source="pseudonym")
    erased = serializers.BooleanField(default=True)


class MeExportApi(APIView):
    @extend_schema(responses=ExportOutput)
    def get(self, request):
        data = selectors.personal_data_export(actor=request.user, person=request.user)
        response = Response(data)
        response["Content-Disposition"] = 'attachment; filename="my-timebank-data.json"'
        return response


class MeEraseApi(APIView):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "MeEraseInput"

        password = Text(max_length=4096, trim_whitespace=False)

    @extend_schema(request=Input, responses=ErasureOutput)
    def post(self, request):
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        erasure = services.me_erase(user=request.user, password=serializer.validated_data["password"])
        # The sessions are gone from the store; end this request's too, so nothing saves it again.
        logout(request._request)
        return Response(ErasureOutput(erasure).data)


class MemberEraseApi(APIView):
    class Input(serializers.Serializer):
        class Meta:
            ref_name = "MemberEraseInput"

        reason = Text(max_length=REASON_MAX, required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses=ErasureOutput)
    def post(self, request, slug: str, user_id: int):
        network = members_selectors.network_in_reach(user=request.user, slug=slug)
        membership = members_selectors.member_in_network(network=network, user_id=user_id)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        erasure = services.supported_member_erase(
            actor=request.user, membership=membership, reason=serializer.validated_data["reason"]
        )
        return Response(ErasureOutput(erasure).data)
