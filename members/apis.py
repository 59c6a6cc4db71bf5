"""REST endpoints for people and networks."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import Membership


class MeApi(APIView):
    class MembershipOutput(serializers.Serializer):
        network = serializers.SerializerMethodField()
        role = serializers.CharField()
        status = serializers.CharField()
        balance_minutes = serializers.SerializerMethodField()
        available_minutes = serializers.SerializerMethodField()

        def get_network(self, m) -> dict:
            return {"slug": m.network.slug, "name": m.network.name}

        def get_balance_minutes(self, m) -> int | None:
            account = getattr(m, "account", None)
            return account.balance if account else None

        def get_available_minutes(self, m) -> int | None:
            account = getattr(m, "account", None)
            return account.available if account else None

    class Output(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        display_name = serializers.CharField()
        memberships = serializers.SerializerMethodField()

        def get_memberships(self, user) -> list[dict]:
            qs = Membership.objects.filter(user=user).select_related("network", "account").order_by("network__slug")
            return MeApi.MembershipOutput(qs, many=True).data

    @extend_schema(responses=Output)
    def get(self, request):
        return Response(self.Output(request.user).data)
