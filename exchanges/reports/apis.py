"""Report API: network summaries, the commissioner's cross-network summary, CSV exports.

Report documents are built and suppressed by the selectors; the views only pick the format.
"""

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.reports import wellbeing
from exchanges.reports.exports import EXPORTS, export_csv_lines
from exchanges.reports.presentation import report_csv_wide
from exchanges.reports.selectors import COORDINATOR, report_funded, report_network, report_network_get
from timebank.errors import Forbidden, NotFound
from timebank.fields import Text

PERIOD = [
    OpenApiParameter(
        "from",
        str,
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="First whole month, YYYY-MM (with `to`; neither: the last 12 whole months)",
    ),
    OpenApiParameter(
        "to", str, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Last whole month, YYYY-MM (with `from`)"
    ),
]


def _csv(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class NetworkSummaryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str):
        # The document's shape depends on the caller's role, so it is returned as built (PRODUCT §4).
        return Response(
            report_network(user=request.user, slug=slug, start=request.GET.get("from"), end=request.GET.get("to"))
        )


class NetworkSummaryCsvApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PERIOD, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, slug: str):
        document = report_network(
            user=request.user, slug=slug, start=request.GET.get("from"), end=request.GET.get("to")
        )
        return _csv(report_csv_wide(document), f"{slug}-{document['from']}-{document['to']}.csv")


class FundedSummaryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(report_funded(user=request.user, start=request.GET.get("from"), end=request.GET.get("to")))


class FundedSummaryCsvApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PERIOD, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        document = report_funded(user=request.user, start=request.GET.get("from"), end=request.GET.get("to"))
        return _csv(report_csv_wide(document), f"funded-{document['from']}-{document['to']}.csv")


class NetworkExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        parameters=[OpenApiParameter("what", str, OpenApiParameter.PATH, enum=sorted(EXPORTS))],
    )
    def get(self, request, slug: str, what: str):
        if what not in EXPORTS:
            raise NotFound(_("No such export."))
        network, role = report_network_get(user=request.user, slug=slug)
        if role != COORDINATOR:
            raise Forbidden(_("Only a coordinator can export the network's records."))
        response = StreamingHttpResponse(export_csv_lines(network=network, what=what), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{slug}-{what}.csv"'
        return response


class WellbeingCheckinOutput(serializers.Serializer):
    class Meta:
        ref_name = "WellbeingCheckinOutput"

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    skipped = serializers.BooleanField()
    withdrawn = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    def get_withdrawn(self, checkin) -> bool:
        return checkin.withdrawn_at is not None

    def get_answers(self, checkin) -> dict:
        return {name: getattr(checkin, name) for name in wellbeing.QUESTIONS}


class WellbeingApi(APIView):
    """The caller's own check-ins in a network (nobody else's, ever) and whether one is due.
    POST {"action": "answer", "consent": true, "answers": {"happiness": 7, …}} | {"action": "skip"} |
    {"action": "withdraw"} (erases every answer the caller gave in the network)."""

    permission_classes = [IsAuthenticated]

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "WellbeingOutput"

        network = Text()
        due = serializers.BooleanField()
        checkins = WellbeingCheckinOutput(many=True)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "WellbeingInput"

        action = serializers.ChoiceField(choices=["answer", "skip", "withdraw"])
        consent = serializers.BooleanField(required=False, default=False)
        answers = serializers.DictField(required=False, default=dict)

    def _answer(self, request, network, status=200):
        body = {
            "network": network.slug,
            "due": wellbeing.wellbeing_due(user=request.user, network=network),
            "checkins": wellbeing.wellbeing_mine(user=request.user, network=network),
        }
        return Response(self.Output(body).data, status=status)

    @extend_schema(responses=Output)
    def get(self, request, slug: str):
        return self._answer(request, wellbeing.wellbeing_network(user=request.user, slug=slug))

    @extend_schema(request=Input, responses={200: Output, 201: Output})
    def post(self, request, slug: str):
        network = wellbeing.wellbeing_network(user=request.user, slug=slug)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] == "answer":
            wellbeing.wellbeing_record(
                user=request.user, network=network, consent=data["consent"], answers=data["answers"]
            )
        elif data["action"] == "skip":
            wellbeing.wellbeing_skip(user=request.user, network=network)
        else:
            wellbeing.wellbeing_withdraw(user=request.user, network=network)
        return self._answer(request, network, status=201 if data["action"] != "withdraw" else 200)
