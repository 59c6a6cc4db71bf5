"""Report API: network summaries, the commissioner's cross-network summary, CSV exports.

Report documents are built and suppressed by the selectors; the views only pick the format.
"""

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from exchanges.reports.exports import EXPORTS, export_csv_lines
from exchanges.reports.selectors import COORDINATOR, report_csv, report_funded, report_network, report_network_get
from timebank.errors import Forbidden, NotFound

PERIOD = [
    OpenApiParameter("from", str, description="First whole month, YYYY-MM", required=True),
    OpenApiParameter("to", str, description="Last whole month, YYYY-MM", required=True),
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
        return _csv(report_csv(document), f"{slug}-{document['from']}-{document['to']}.csv")


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
        return _csv(report_csv(document), f"funded-{document['from']}-{document['to']}.csv")


class NetworkExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, slug: str, what: str):
        if what not in EXPORTS:
            raise NotFound("No such export.")
        network, role = report_network_get(user=request.user, slug=slug)
        if role != COORDINATOR:
            raise Forbidden("Only a coordinator can export the network's records.")
        response = StreamingHttpResponse(export_csv_lines(network=network, what=what), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{slug}-{what}.csv"'
        return response
